import type { RequestContext, Router } from './http';
import { parseJson, sendEmpty, sendJson, isRecord } from './http';
import type { Sim } from './context';
import type { KycReview, KycReviewStatus } from './state';
import { accessibleProfile, authenticate } from './auth';
import { simulationError } from './errors';
import { markVerified } from './profile-model';
import { allGroupsProvided, allGroupsVerified, changeReview, setRequirementStates } from './kyc-model';

/** The requirements Wise's submit simulation works for (besides any key containing `___`). */
const SIMULATED_SUBMISSIONS = new Set(['TRANSFER_PURPOSE', 'ID_DOCUMENT_WITH_LIVENESS', 'SOURCE_OF_FUNDS']);

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

  // Wise's KYC review simulations (simulation reference: list, add, submit, verify). User token,
  // 202 with no body, errors as `{code, category, description, details}`.
  const base = '/v2/simulation/profiles/:profileId/kyc-reviews/:reviewId';

  router.on('GET', `${base}/requirements`, (ctx) => {
    const review = simReview(sim, ctx);
    sendJson(ctx, 200, {
      requirements: review.requirements
        .flat()
        .map((q) => ({ key: q.key, state: q.state, description: null })),
    });
  });

  router.on('POST', `${base}/requirements/add`, async (ctx) => {
    const review = simReview(sim, ctx);
    const profile = sim.state.profiles.find((p) => p.id === review.profileId);
    if (profile?.type !== 'BUSINESS') {
      throw simulationError(
        400,
        'invalid-request',
        `Profile ${review.profileId}L is a personal type, not permitted to simulate evidence request`,
      );
    }
    // Wise: "It creates a static BUSINESS_USE_CASE requirement only".
    const added = !review.requirements.flat().some((q) => q.key === 'BUSINESS_USE_CASE');
    if (added) {
      review.requirements.push([
        { key: 'BUSINESS_USE_CASE', state: 'NOT_PROVIDED', apiCollectionSupported: true },
      ]);
    }
    await changeReview(sim, review, {
      status: added && review.status === 'PASSED' ? 'WAITING_CUSTOMER_INPUT' : review.status,
      requirementChanges: added ? [{ key: 'BUSINESS_USE_CASE', state: 'NOT_PROVIDED', prevState: null }] : [],
    });
    sendEmpty(ctx, 202);
  });

  router.on('POST', `${base}/requirements/submit`, async (ctx) => {
    const review = simReview(sim, ctx);
    const body = parseJson(ctx);
    const key = isRecord(body) ? body.requirement : undefined;
    if (typeof key !== 'string' || key === '')
      throw simulationError(400, 'invalid-request', 'Invalid request. requirement must not be empty');
    const requirement = review.requirements.flat().find((q) => q.key === key);
    if (!requirement) {
      throw simulationError(
        400,
        'invalid-request',
        `Invalid request. KycRequirement {${key}} was not found for KycReview`,
      );
    }
    // Wise: works only for TRANSFER_PURPOSE, ID_DOCUMENT_WITH_LIVENESS, SOURCE_OF_FUNDS and keys with `___`.
    if (!SIMULATED_SUBMISSIONS.has(key) && !key.includes('___')) {
      throw simulationError(
        400,
        'invalid-request',
        `Invalid request. KycRequirement {${key}} cannot be submitted by simulation`,
      );
    }
    const requirementChanges = setRequirementStates(review, (q) =>
      q === requirement && q.state !== 'VERIFIED' ? 'IN_REVIEW' : undefined,
    );
    const waiting = review.status === 'NEW' || review.status === 'WAITING_CUSTOMER_INPUT';
    await changeReview(sim, review, {
      status: waiting && allGroupsProvided(review) ? 'PROCESSING' : review.status,
      requirementChanges,
    });
    sendEmpty(ctx, 202);
  });

  router.on('POST', `${base}/verify`, async (ctx) => {
    const review = simReview(sim, ctx);
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    const action = b.requestedAction;
    if (action !== 'APPROVE' && action !== 'REJECT') {
      throw simulationError(
        400,
        'kyc_review.state_update_not_allowed',
        `Invalid action passed in request, action: ${typeof action === 'string' ? action : String(action)}`,
      );
    }
    if (review.status === 'PASSED')
      throw simulationError(400, 'kyc_review.state_update_not_allowed', 'KYC review is already PASSED');
    const all = review.requirements.flat();
    const keys = Array.isArray(b.requirements) ? b.requirements.map(String) : undefined;
    // Without `requirements`, "all blocking requirements are verified": every one not yet verified.
    const targets = keys
      ? all.filter((q) => keys.includes(q.key))
      : all.filter((q) => q.state !== 'VERIFIED');
    if (keys && targets.length !== new Set(keys).size) {
      const missing = keys.find((k) => !all.some((q) => q.key === k));
      throw simulationError(
        400,
        'invalid-request',
        `Invalid request. KycRequirement {${missing}} was not found for KycReview`,
      );
    }
    const requirementChanges = setRequirementStates(review, (q) =>
      targets.includes(q) ? (action === 'APPROVE' ? 'VERIFIED' : 'REJECTED') : undefined,
    );
    let status: KycReviewStatus = review.status;
    if (action === 'APPROVE' && allGroupsVerified(review)) status = 'PASSED';
    if (action === 'REJECT') status = 'WAITING_CUSTOMER_INPUT';
    await changeReview(sim, review, { status, requirementChanges });
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
