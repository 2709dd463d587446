import { randomUUID } from 'node:crypto';
import type { Sim } from './context';
import { KYC_LINK_TTL_MS } from './context';
import type { KycRequirement, KycReview, KycReviewStatus, RequirementState } from './state';
import { isoAt, isoSecondsAt, localIsoAt, localIsoNanosAt } from './clock';
import { withQuery } from './http';

/** KYC review rules shared by the API, the hosted page, the simulation endpoints and /_sim. */

/**
 * How far Wise's PATCH example prints `link.expiresAt` after the review's `updatedAt`
 * (`16:29:41.147522` → `16:29:41.203225146`): the printed value is not the link's expiry, which
 * Wise documents as 5 minutes after the link is generated.
 */
const WISE_EXAMPLE_EXPIRES_AT_OFFSET_MS = 56;

/** Two requirement groups: a document only the hosted flow collects, and one the API may submit. */
export function defaultRequirements(): KycRequirement[][] {
  return [
    [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', apiCollectionSupported: false }],
    [{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }],
  ];
}

/** One requirement's move, as schema 5.0.0 of `kyc-reviews#state-change` reports it. */
export interface RequirementChange {
  key: string;
  state: RequirementState;
  prevState: RequirementState | null;
}

/**
 * A new review is NEW while Wise calculates its requirements — "at most few seconds" (Wise's KYC
 * review status guide) — then waits for the customer. The move happens on the simulator's clock.
 */
export function scheduleLeavingNew(sim: Sim, review: KycReview): void {
  sim.schedule(review.createdAt + sim.config.kycNewMs, () => {
    // A reset (or a simulation call) may have moved it or dropped it meanwhile.
    if (review.status !== 'NEW' || !sim.state.kycReviews.includes(review)) return;
    void changeReview(sim, review, { status: 'WAITING_CUSTOMER_INPUT' });
  });
}

/** After a restart, reviews the snapshot holds in NEW move on when their time comes. */
export function resumeNewReviews(sim: Sim): void {
  for (const r of sim.state.kycReviews) if (r.status === 'NEW') scheduleLeavingNew(sim, r);
}

/** Sets requirement states; returns the changes (none for a requirement already in that state). */
export function setRequirementStates(
  review: KycReview,
  target: (q: KycRequirement) => RequirementState | undefined,
): RequirementChange[] {
  const changes: RequirementChange[] = [];
  for (const group of review.requirements)
    for (const q of group) {
      const next = target(q);
      if (next === undefined || next === q.state) continue;
      changes.push({ key: q.key, state: next, prevState: q.state });
      q.state = next;
    }
  return changes;
}

/**
 * Applies a change to a review and tells application subscribers. Schema 5.0.0 hears of every
 * change, a requirement's alone included (with `prevState` and `requirementChanges`); older
 * versions only of a change of the review's state (Wise's kyc-reviews#state-change reference).
 * Resolves once the webhooks' first attempts settled.
 */
export function changeReview(
  sim: Sim,
  review: KycReview,
  change: { status?: KycReviewStatus; requirementChanges?: RequirementChange[] },
): Promise<void> {
  const prevState = review.status;
  const status = change.status ?? review.status;
  const requirementChanges = change.requirementChanges ?? [];
  const stateChanged = status !== prevState;
  if (!stateChanged && requirementChanges.length === 0) return Promise.resolve();
  review.status = status;
  review.updatedAt = sim.clock.now();
  sim.changed();
  return sim.events.publish(
    'kyc-reviews#state-change',
    (version) => {
      if (version === '5.0.0') return kycEventData(sim, review, { prevState, requirementChanges });
      return stateChanged ? kycEventData(sim, review, { version }) : undefined;
    },
    review.profileId,
  );
}

/** Moves a review's status (no requirement changes); see {@link changeReview}. */
export function setReviewStatus(sim: Sim, review: KycReview, status: KycReviewStatus): Promise<void> {
  return changeReview(sim, review, { status });
}

function kycEventData(
  sim: Sim,
  r: KycReview,
  extra: { version?: string; prevState?: KycReviewStatus; requirementChanges?: RequirementChange[] },
): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    id: r.id,
    state: r.status,
    ...(extra.prevState !== undefined ? { prevState: extra.prevState } : {}),
    profileId: r.profileId,
    requiredBy: localIsoAt(r.requiredBy),
    createdAt: localIsoAt(r.createdAt),
    updatedAt: localIsoAt(r.updatedAt),
    triggerReferences: r.triggerReferences,
  };
  if (extra.requirementChanges !== undefined) {
    resource.requirementChanges = extra.requirementChanges;
    // 5.0.0's guide example shows no occurred_at; the review's updatedAt orders it.
    return { resource };
  }
  const now = sim.clock.now();
  return { resource, occurred_at: extra.version === '4.0.0' ? isoAt(now) : isoSecondsAt(now) };
}

/** A fresh hosted link: Wise's link lives 5 minutes after it is generated (manage-the-KYC-process guide). */
export function issueLink(sim: Sim, review: KycReview): void {
  const now = sim.clock.now();
  review.link = { token: randomUUID(), issuedAt: now, expiresAt: now + KYC_LINK_TTL_MS };
  review.updatedAt = now;
  sim.changed();
}

export function linkUrl(sim: Sim, review: KycReview): string | null {
  if (!review.link) return null;
  return `${sim.baseUrl}/embedded-flows/verification?token=${review.link.token}&checkId=${checkIdOf(review)}`;
}

function checkIdOf(review: KycReview): number {
  return parseInt(review.id.replace(/-/g, '').slice(0, 7), 16);
}

/** The `expiresAt` a review answer prints for its link (see {@link WISE_EXAMPLE_EXPIRES_AT_OFFSET_MS}). */
function printedExpiresAt(sim: Sim, link: NonNullable<KycReview['link']>): string {
  if (sim.config.kycLinkExpiresAt === 'link-expiry') return localIsoNanosAt(link.expiresAt);
  const issuedAt = link.issuedAt ?? link.expiresAt - KYC_LINK_TTL_MS;
  return localIsoNanosAt(issuedAt + WISE_EXAMPLE_EXPIRES_AT_OFFSET_MS);
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
    view.link = { value: linkUrl(sim, r), expiresAt: printedExpiresAt(sim, r.link) };
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
 * What the hosted KYC page does when the customer finishes. Success: PROCESSING with every
 * requirement in review (webhook), then PASSED with every requirement verified (webhook, sent
 * after the first one's attempt so receivers see them in order). Error: the review waits for the
 * customer again. Returns where the browser goes next.
 */
export async function completeReview(
  sim: Sim,
  review: KycReview,
  outcome: 'success' | 'error',
): Promise<string | null> {
  if (outcome === 'success') {
    review.link = null;
    await changeReview(sim, review, {
      status: 'PROCESSING',
      requirementChanges: setRequirementStates(review, (q) =>
        q.state === 'VERIFIED' ? undefined : 'IN_REVIEW',
      ),
    });
    await changeReview(sim, review, {
      status: 'PASSED',
      requirementChanges: setRequirementStates(review, () => 'VERIFIED'),
    });
  } else {
    await setReviewStatus(sim, review, 'WAITING_CUSTOMER_INPUT');
  }
  sim.changed();
  return review.redirectUrl ? withQuery(review.redirectUrl, { status: outcome }) : null;
}
