import * as z from '../../shared/zod';
import type { PublicKycReview } from '../../shared/domain/kyc/review';
import { named, operationOf } from '../../shared/http/operation';
import type { KycServices } from './routes';
import { kycReviewSchema, profileParams, type Assignable, type Holds } from './schemas';

const kycReviewListSchema = z.object({ items: z.array(kycReviewSchema) });

export type _ListSchemaMatchesTheCode = Holds<
  Assignable<{ items: PublicKycReview[] }, z.infer<typeof kycReviewListSchema>>
>;

/** Route 13: what the store holds, kept current by webhooks. */
export const listKycReviews = operationOf<KycServices>()({
  route: 'listKycReviews',
  summary: "List the profile's KYC reviews",
  description: "As stored and kept current by Wise's webhooks. No Wise call; no hosted links.",
  params: profileParams,
  responses: {
    200: { description: 'The stored reviews.', body: named('KycReviewList', kycReviewListSchema) },
  },
  problems: ['PROFILE_NOT_FOUND'],
  handle: async ({ params }, { kycReviews }) => ({
    status: 200,
    body: { items: await kycReviews.list(params.customerId, params.profileId) },
  }),
});
