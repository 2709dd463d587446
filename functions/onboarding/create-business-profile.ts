import { operationOf, userTokenProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { businessProfile, customerParams, profileEnvelope } from './schemas';

/** Route 3. */
export const createBusinessProfile = operationOf<OnboardingServices>()({
  route: 'createBusinessProfile',
  summary: 'Create a business profile',
  description:
    "Creates a business profile with Wise's v2 business fields. Needs the personal profile first. `secondLevelCategory` must belong to " +
    '`firstLevelCategory`; `companyType: OTHER` needs `webpage` and `businessFreeFormDescription`. The same details for the same customer ' +
    'never make a second profile.',
  params: customerParams,
  body: businessProfile,
  idempotencyKey: 'replayed',
  responses: { 201: { description: 'The profile Wise created.', body: profileEnvelope } },
  problems: ['PERSONAL_PROFILE_REQUIRED', ...userTokenProblems],
  handle: async ({ params, body, deadline }, { profiles }) => ({
    status: 201,
    body: { profile: await profiles.createBusiness(params.customerId, body, deadline) },
  }),
});
