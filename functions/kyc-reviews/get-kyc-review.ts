import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { KycServices } from './routes';
import { kycReviewSchema, reviewParams } from './schemas';

/** Route 14: Wise's read, recorded; the stored review while Wise is unavailable. */
export const getKycReview = operationOf<KycServices>()({
  route: 'getKycReview',
  summary: 'Read one KYC review',
  description:
    'Reads the review from Wise and records it (a newer webhook state is never overwritten). While Wise is unavailable the stored review answers.',
  params: reviewParams,
  responses: { 200: { description: 'The review.', body: named('KycReview', kycReviewSchema) } },
  problems: ['PROFILE_NOT_FOUND', 'KYC_REVIEW_NOT_FOUND', ...userTokenProblems],
  handle: async ({ params, deadline }, { kycReviews }) => ({
    status: 200,
    body: await kycReviews.get(params.customerId, params.profileId, params.reviewId, { deadline }),
  }),
});
