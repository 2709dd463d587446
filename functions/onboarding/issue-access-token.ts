import * as z from '../../shared/zod';
import { actorOf } from '../../shared/http/actor';
import { named, operationOf, wiseCallProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { isoInstant, profileParams, wiseProfileId } from './schemas';

const wiseAccessTokenSchema = z.object({
  accessToken: z
    .string()
    .check(
      z.describe(
        "A Wise user access token of the grant covering the profile: a bearer secret for Wise's API.",
      ),
    ),
  tokenType: z.literal('bearer'),
  expiresAt: isoInstant.check(
    z.describe('When Wise stops accepting it: at least 5 minutes after this answer.'),
  ),
  profileId: wiseProfileId,
});

/**
 * Route 20. Not replayed by Idempotency-Key: a stored answer would keep a live Wise token in plain
 * text for a day. Every call answers a token valid for at least five more minutes instead.
 */
export const issueAccessToken = operationOf<OnboardingServices>()({
  route: 'issueAccessToken',
  summary: 'Get a Wise access token for a profile',
  description:
    "For the partner's payment services (scope `wise-onboarding/wise-access` only; customer and partner-backend tokens get 403): " +
    "an access token of the Wise grant that covers the profile, for Wise's own API (quotes, recipients, transfers). " +
    'Valid for at least 5 more minutes (refreshed here when needed, one refresher at a time). Never the refresh token. ' +
    'Every answer is recorded on the audit trail (`access_token.issued`, with the caller and the profile) before it is sent; ' +
    'when that record cannot be written, no token is answered (503). No request body; an `Idempotency-Key` is accepted but not ' +
    'replayed (a stored answer would keep a live token).',
  params: profileParams,
  idempotencyKey: 'ignored',
  responses: {
    200: {
      description: 'A Wise access token for the profile. `Cache-Control: no-store`.',
      body: named('WiseAccessToken', wiseAccessTokenSchema),
      headers: ['Cache-Control'],
    },
  },
  problems: [
    'CUSTOMER_NOT_FOUND',
    'PROFILE_NOT_FOUND',
    'ACCOUNT_NOT_READY',
    'RELINK_REQUIRED',
    'STORE_UNAVAILABLE',
    ...wiseCallProblems,
  ],
  handle: async ({ params, caller, deadline }, { wiseAccess }) => ({
    status: 200,
    body: await wiseAccess.issue(
      params.customerId,
      params.profileId,
      actorOf(caller, params.customerId, 'wise-access'),
      deadline,
    ),
    headers: { 'Cache-Control': 'no-store' },
  }),
});
