import type { RequestContext, Router } from './http';
import { parseJson, sendEmpty, sendJson, isRecord } from './http';
import type { Sim } from './context';
import type { KycReview } from './state';
import { accessibleProfile, authenticate } from './auth';
import { simulationError } from './errors';
import { markVerified } from './profile-model';
import { allGroupsVerified, setReviewStatus } from './kyc-model';

/** Wise's sandbox-only simulation endpoints for onboarding (API-NOTES §7). */
export function registerSimulationRoutes(router: Router, sim: Sim): void {
  router.on('POST', '/v1/simulation/profiles/:profileId/verifications', (ctx) => {
    const token = authenticate(sim, ctx, ['user', 'client']);
    markVerified(sim, accessibleProfile(sim, ctx, token, ctx.params.profileId));
    sendEmpty(ctx, 200);
  });

  router.on('POST', '/v1/simulation/verify-profile', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    for (const p of sim.state.profiles.filter((x) => x.userId === token.userId)) markVerified(sim, p);
    sendEmpty(ctx, 200);
  });

  const base = '/v2/simulation/profiles/:profileId/kyc-reviews/:reviewId';

  router.on('GET', `${base}/requirements`, (ctx) => {
    const review = simReview(sim, ctx);
    sendJson(ctx, 200, {
      requirements: review.requirements
        .flat()
        .map((q) => ({ key: q.key, state: q.state, description: null })),
    });
  });

  router.on('POST', `${base}/requirements/add`, (ctx) => {
    const review = simReview(sim, ctx);
    const profile = sim.state.profiles.find((p) => p.id === review.profileId);
    if (profile?.type !== 'BUSINESS') {
      throw simulationError(
        400,
        'invalid-request',
        'Requirements can be added to KYC reviews of business profiles only',
      );
    }
    if (!review.requirements.flat().some((q) => q.key === 'BUSINESS_USE_CASE')) {
      review.requirements.push([
        { key: 'BUSINESS_USE_CASE', state: 'NOT_PROVIDED', apiCollectionSupported: true },
      ]);
    }
    review.updatedAt = sim.clock.now();
    sim.changed();
    sendEmpty(ctx, 202);
  });

  router.on('POST', `${base}/requirements/submit`, async (ctx) => {
    const review = simReview(sim, ctx);
    const body = parseJson(ctx);
    const key = isRecord(body) ? body.requirement : undefined;
    if (typeof key !== 'string' || key === '')
      throw simulationError(400, 'invalid-request', 'requirement must not be empty');
    const requirement = review.requirements.flat().find((q) => q.key === key);
    if (!requirement)
      throw simulationError(
        400,
        'kyc_review.requirement_not_found',
        `Requirement ${key} is not part of this KYC review`,
      );
    requirement.state = 'IN_REVIEW';
    review.updatedAt = sim.clock.now();
    sim.changed();
    if (review.status === 'NEW' || review.status === 'WAITING_CUSTOMER_INPUT') {
      if (
        review.requirements.every((g) => g.some((q) => q.state === 'IN_REVIEW' || q.state === 'VERIFIED'))
      ) {
        await setReviewStatus(sim, review, 'PROCESSING');
      }
    }
    sendEmpty(ctx, 202);
  });

  router.on('POST', `${base}/verify`, async (ctx) => {
    const review = simReview(sim, ctx);
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    const action = b.requestedAction;
    if (action !== 'APPROVE' && action !== 'REJECT')
      throw simulationError(400, 'invalid-request', 'requestedAction must be APPROVE or REJECT');
    if (review.status === 'PASSED')
      throw simulationError(400, 'kyc_review.state_update_not_allowed', 'KYC review is already PASSED');
    const all = review.requirements.flat();
    const keys = Array.isArray(b.requirements) ? b.requirements.map(String) : undefined;
    const targets = keys ? all.filter((q) => keys.includes(q.key)) : all;
    if (keys && targets.length !== keys.length) {
      throw simulationError(
        400,
        'kyc_review.requirement_not_found',
        'One or more requirements are not part of this KYC review',
      );
    }
    for (const q of targets) q.state = action === 'APPROVE' ? 'VERIFIED' : 'REJECTED';
    review.updatedAt = sim.clock.now();
    sim.changed();
    if (action === 'APPROVE' && allGroupsVerified(review)) await setReviewStatus(sim, review, 'PASSED');
    if (action === 'REJECT') await setReviewStatus(sim, review, 'WAITING_CUSTOMER_INPUT');
    sendEmpty(ctx, 202);
  });
}

function simReview(sim: Sim, ctx: RequestContext): KycReview {
  const token = authenticate(sim, ctx, ['user']);
  const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
  const review = sim.state.kycReviews.find((r) => r.id === ctx.params.reviewId && r.profileId === profile.id);
  if (!review) throw simulationError(404, 'kyc_review.not_found', 'KycReview not found');
  return review;
}
