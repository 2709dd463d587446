import { randomUUID } from 'node:crypto';
import type { Sim } from './context';
import { KYC_LINK_TTL_MS } from './context';
import type { KycRequirement, KycReview, KycReviewStatus } from './state';
import { isoSecondsAt, localIsoAt } from './clock';
import { withQuery } from './http';

/** KYC review rules shared by the API, the hosted page, the simulation endpoints and /_sim. */

/** Two requirement groups: a document only the hosted flow collects, and one the API may submit. */
export function defaultRequirements(): KycRequirement[][] {
  return [
    [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', apiCollectionSupported: false }],
    [{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }],
  ];
}

/** Moves a review and tells application subscribers; resolves once that webhook's first attempt settled. */
export function setReviewStatus(sim: Sim, review: KycReview, status: KycReviewStatus): Promise<void> {
  if (review.status === status) return Promise.resolve();
  review.status = status;
  review.updatedAt = sim.clock.now();
  sim.changed();
  return sim.events.publish('kyc-reviews#state-change', kycEventData(sim, review), review.profileId);
}

function kycEventData(sim: Sim, r: KycReview): Record<string, unknown> {
  return {
    resource: {
      id: r.id,
      state: r.status,
      profileId: r.profileId,
      requiredBy: localIsoAt(r.requiredBy),
      createdAt: localIsoAt(r.createdAt),
      updatedAt: localIsoAt(r.updatedAt),
      triggerReferences: r.triggerReferences,
    },
    occurred_at: isoSecondsAt(sim.clock.now()),
  };
}

export function issueLink(sim: Sim, review: KycReview): void {
  review.link = { token: randomUUID(), expiresAt: sim.clock.now() + KYC_LINK_TTL_MS };
  sim.changed();
}

export function linkUrl(sim: Sim, review: KycReview): string | null {
  if (!review.link) return null;
  return `${sim.baseUrl}/embedded-flows/verification?token=${review.link.token}&checkId=${checkIdOf(review)}`;
}

function checkIdOf(review: KycReview): number {
  return parseInt(review.id.replace(/-/g, '').slice(0, 7), 16);
}

export function reviewView(sim: Sim, r: KycReview, withRequirements: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: r.id,
    createdAt: localIsoAt(r.createdAt),
    updatedAt: localIsoAt(r.updatedAt),
    requiredBy: localIsoAt(r.requiredBy),
    status: r.status,
  };
  // Wise shows the link only while the customer has something to do and a redirectUrl was set.
  if (r.status === 'WAITING_CUSTOMER_INPUT' && r.link && r.redirectUrl) {
    view.link = { value: linkUrl(sim, r), expiresAt: localIsoAt(r.link.expiresAt) };
  }
  view.triggerReferences = r.triggerReferences;
  view.redirectUrl = r.redirectUrl;
  if (withRequirements) {
    // Both names: the Dec-2025 docs say `status`, the 2026 schema renamed it to `state`.
    view.requirements = r.requirements.map((group) =>
      group.map((q) => ({
        key: q.key,
        state: q.state,
        status: q.state,
        apiCollectionSupported: q.apiCollectionSupported,
      })),
    );
  }
  return view;
}

function satisfied(q: KycRequirement): boolean {
  return q.state === 'IN_REVIEW' || q.state === 'VERIFIED';
}

export function allGroupsProvided(r: KycReview): boolean {
  return r.requirements.every((g) => g.some(satisfied));
}

export function allGroupsVerified(r: KycReview): boolean {
  return r.requirements.every((g) => g.some((q) => q.state === 'VERIFIED'));
}

/**
 * What the hosted KYC page does when the customer finishes. Success: PROCESSING (webhook), then
 * PASSED (webhook, sent after the first one's attempt so receivers see them in order). Error: the
 * review waits for the customer again. Returns where the browser goes next.
 */
export async function completeReview(
  sim: Sim,
  review: KycReview,
  outcome: 'success' | 'error',
): Promise<string | null> {
  if (outcome === 'success') {
    for (const group of review.requirements)
      for (const q of group) if (q.state !== 'VERIFIED') q.state = 'IN_REVIEW';
    review.link = null;
    const processing = setReviewStatus(sim, review, 'PROCESSING');
    for (const group of review.requirements) for (const q of group) q.state = 'VERIFIED';
    await processing;
    await setReviewStatus(sim, review, 'PASSED');
  } else {
    await setReviewStatus(sim, review, 'WAITING_CUSTOMER_INPUT');
  }
  sim.changed();
  return review.redirectUrl ? withQuery(review.redirectUrl, { status: outcome }) : null;
}
