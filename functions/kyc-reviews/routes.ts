import type { Dependencies } from '../../shared/runtime/dependencies';
import { deadlineFrom, type RouteTable } from '../../shared/runtime/function';
import { defineRoute } from '../../shared/http/handler-stack';
import { KycCreationLeaseStore } from '../../shared/store/kyc-creation-lease-store';
import { KycReviewStore } from '../../shared/store/kyc-review-store';
import { KycReviewService } from './kyc-review-service';
import { submitRequirementRoute } from './requirement-submission';
import { createBody, linkBody, profileParams, reviewParams } from './schemas';

/** The hosted-KYC service of a function's dependencies. */
export const kycReviewService = (deps: Dependencies): KycReviewService =>
  new KycReviewService({
    allowedReturnUrls: deps.config.allowedReturnUrls,
    clock: deps.clock,
    cipher: deps.cipher,
    wise: deps.wise,
    tokens: deps.tokens,
    accounts: deps.accounts,
    reviews: new KycReviewStore(deps.table, deps.clock),
    creationLeases: new KycCreationLeaseStore(deps.table, deps.clock),
    logger: deps.logger,
  });

/**
 * The kyc-reviews function's routes (see shared/routes.ts).
 *
 * Routes 12 and 15 do not record Idempotency-Key responses: their answer carries the hosted
 * link, a bearer secret that must not rest in plain text, and a replay could hand out an expired
 * link. They are safe to retry without it: the same trigger returns the same review, and a link
 * request only ever yields a link that is still good.
 */
export const routes = (deps: Dependencies): RouteTable => {
  const service = kycReviewService(deps);
  return {
    createKycReview: defineRoute({ auth: 'customer', params: profileParams, body: createBody }, async (request) => {
      const { customerId, profileId } = request.params;
      const { created, review } = await service.create(customerId, profileId, request.body, {
        deadline: deadlineFrom(request.remainingMs()),
      });
      return { status: created ? 201 : 200, body: review };
    }),

    listKycReviews: defineRoute({ auth: 'customer', params: profileParams }, async (request) => ({
      status: 200,
      body: { items: await service.list(request.params.customerId, request.params.profileId) },
    })),

    getKycReview: defineRoute({ auth: 'customer', params: reviewParams }, async (request) => {
      const { customerId, profileId, reviewId } = request.params;
      const review = await service.get(customerId, profileId, reviewId, { deadline: deadlineFrom(request.remainingMs()) });
      return { status: 200, body: review };
    }),

    refreshKycLink: defineRoute({ auth: 'customer', params: reviewParams, body: linkBody }, async (request) => {
      const { customerId, profileId, reviewId } = request.params;
      const link = await service.link(customerId, profileId, reviewId, request.body, {
        deadline: deadlineFrom(request.remainingMs()),
      });
      return { status: 200, body: link };
    }),

    submitKycRequirement: submitRequirementRoute(deps),
  };
};
