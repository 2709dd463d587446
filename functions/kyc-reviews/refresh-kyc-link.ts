import { actorOf } from '../../shared/http/actor';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { KycServices } from './routes';
import { hostedLinkSchema, linkBody, reviewParams } from './schemas';

/** Route 15. No `Idempotency-Key` replay, for the reason route 12 gives: the link is a bearer secret. */
export const refreshKycLink = operationOf<KycServices>()({
  route: 'refreshKycLink',
  summary: 'Get a fresh hosted KYC link',
  description:
    "A new hosted link, asked of Wise at this call: Wise's link carries a one-time token, so one handed out before is never served " +
    'again, and an expired one never. `expiresAt` is 5 minutes after this call reached Wise. `redirectUrl` is optional (no body at ' +
    "all is fine): without it the review's current redirect URL is used, and 400 VALIDATION_FAILED when it has none. 409 " +
    'KYC_LINK_UNAVAILABLE when the review does not wait for the customer, or is still `NEW` (then with `Retry-After`: Wise works out ' +
    'what it needs within a few seconds). No `Idempotency-Key` replay, for the same reason as creation.',
  params: reviewParams,
  body: named('KycLinkRequest', linkBody),
  idempotencyKey: 'ignored',
  responses: {
    200: { description: 'A link the customer can open now.', body: named('HostedLink', hostedLinkSchema) },
  },
  problems: [
    'RETURN_URL_NOT_ALLOWED',
    'PROFILE_NOT_FOUND',
    'KYC_REVIEW_NOT_FOUND',
    'KYC_LINK_UNAVAILABLE',
    ...userTokenProblems,
  ],
  handle: async ({ params, body, caller, deadline }, { kycReviews }) => ({
    status: 200,
    body: await kycReviews.link(params.customerId, params.profileId, params.reviewId, body, {
      deadline,
      actor: actorOf(caller, params.customerId),
    }),
  }),
});
