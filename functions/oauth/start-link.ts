import * as z from 'zod';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import { systemClock } from '../../shared/ports/clock';
import type { OauthServices } from './routes';
import { customerParams, startLinkBody } from './schemas';

const authorizeLinkSchema = z.object({
  authorizeUrl: z.url().describe("Send the customer's browser here."),
  expiresAt: z.iso
    .datetime()
    .describe('When the link state expires; after it the callback answers `reason=expired_state`.'),
});

/** Route 8. */
export const startLink = operationOf<OauthServices>()({
  route: 'startLink',
  summary: 'Start linking an existing Wise account',
  description:
    "Stores a single-use OAuth state bound to the customer, the return URL and the optional date of birth, and answers Wise's " +
    'authorization URL. `returnUrl` must start with a configured allowed prefix. `dateOfBirth`, when given, is compared with the ' +
    "granted Wise profile's (a mismatch ends in `reason=identity_mismatch`). `claimAccount: true` makes the link also let a user this " +
    "service created claim its account (else 409 CLAIM_NOT_AVAILABLE). The customer's status becomes `LINK_PENDING`.",
  params: customerParams,
  // A date of birth must be in the past by the real clock: the declaration is built once, not per request.
  body: named('StartLinkRequest', startLinkBody(systemClock)),
  idempotencyKey: 'replayed',
  responses: {
    201: {
      description: "Where to send the customer's browser.",
      body: named('AuthorizeLink', authorizeLinkSchema),
    },
  },
  problems: ['RETURN_URL_NOT_ALLOWED', 'CLAIM_NOT_AVAILABLE', ...userTokenProblems],
  handle: async ({ params, body, deadline }, { linkStarter }) => ({
    status: 201,
    body: await linkStarter.start({ customerId: params.customerId, ...body, deadline }),
  }),
});
