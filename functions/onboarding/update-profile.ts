import * as z from '../../shared/zod';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import {
  businessProfile,
  personalProfileUpdate,
  personRules,
  profileEnvelope,
  profileParams,
} from './schemas';

/** Route 4's body depends on the profile's type, known only from the store: the use case parses it. */
const profileDetails = named('ProfileDetails', z.record(z.string(), z.unknown()));

/** Route 4. */
export const updateProfile = operationOf<OnboardingServices>()({
  route: 'updateProfile',
  summary: "Update a profile's details",
  description:
    "Replaces the profile's details at Wise, opening and closing Wise's update window around the change. The body is a " +
    '`PersonalProfileUpdate` for a personal profile and a `BusinessProfile` for a business profile (the stored profile type decides). ' +
    `${personRules}`,
  params: profileParams,
  body: profileDetails,
  documentedBodies: [personalProfileUpdate, businessProfile],
  responses: { 200: { description: 'The profile as Wise now holds it.', body: profileEnvelope } },
  problems: ['PROFILE_NOT_FOUND', ...userTokenProblems],
  handle: async ({ params, body, deadline }, { profiles }) => ({
    status: 200,
    body: { profile: await profiles.update(params.customerId, params.profileId, body, deadline) },
  }),
});
