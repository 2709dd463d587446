import { actorOf } from '../../shared/http/actor';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { KycServices } from './routes';
import { createBody, kycReviewWithLinkSchema, profileParams } from './schemas';

const kycReviewWithLink = named('KycReviewWithLink', kycReviewWithLinkSchema);

/**
 * Route 12. No `Idempotency-Key` replay: the answer carries the hosted link, a bearer secret that
 * must not rest in plain text, and a replay could hand out an expired link. The same trigger
 * returns the same review, so a retry without it is safe.
 */
export const createKycReview = operationOf<KycServices>()({
  route: 'createKycReview',
  summary: 'Create a KYC review and its hosted link',
  description:
    "Creates Wise's KYC review for the trigger and sets its hosted page to return to `redirectUrl` (an allowed prefix). The same " +
    'trigger never makes a second review: a repeat answers 200 with the existing review and a link that is still good. Simultaneous ' +
    'requests for one trigger are served by one creation: the others answer 200 with its review, or 409 KYC_REVIEW_IN_PROGRESS ' +
    '(with `Retry-After`) when it is not recorded within about 2.5 s. No `Idempotency-Key` replay (the answer carries a bearer ' +
    'link that must not rest in plain text); the request is safe to retry without it. `link` is null while Wise has none to give: ' +
    'a new review is `NEW` for a few seconds, then waits for the customer (the `kyc-reviews#state-change` webhook, or route 14, ' +
    "tells); ask route 15 for the link then. A link's `expiresAt` is 5 minutes after this call reached Wise.",
  params: profileParams,
  body: named('CreateKycReviewRequest', createBody),
  idempotencyKey: 'ignored',
  responses: {
    201: { description: 'The review was created.', body: kycReviewWithLink },
    200: {
      description: 'A review for this trigger already existed, or a simultaneous request created it.',
      body: kycReviewWithLink,
    },
  },
  problems: [
    'RETURN_URL_NOT_ALLOWED',
    'PROFILE_NOT_FOUND',
    'QUOTE_NOT_FOUND',
    'KYC_REVIEW_IN_PROGRESS',
    ...userTokenProblems,
  ],
  handle: async ({ params, body, caller, deadline }, { kycReviews }) => {
    const { created, review } = await kycReviews.create(params.customerId, params.profileId, body, {
      deadline,
      actor: actorOf(caller, params.customerId),
    });
    return { status: created ? 201 : 200, body: review };
  },
});
