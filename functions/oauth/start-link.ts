import * as z from '../../shared/zod';
import { actorOf } from '../../shared/http/actor';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { OauthServices } from './routes';
import { customerParams, startLinkBody } from './schemas';

const authorizeLinkSchema = z.object({
  authorizeUrl: z.url().check(z.describe("Send the customer's browser here.")),
  expiresAt: z.iso
    .datetime()
    .check(
      z.describe(
        "Until when the link is good: 30 minutes (after them the callback answers `reason=expired_state`), or for a claim the claim code's 5 minutes.",
      ),
    ),
});

/**
 * Route 8. Not replayed by Idempotency-Key: the answer carries the OAuth state (and, for a claim,
 * Wise's claim code), secrets that need not rest anywhere, even encrypted, for a day; and a
 * replayed answer could hand back a state already consumed by the callback or a claim code dead
 * after five minutes. A repeated call is harmless instead: it issues another single-use state,
 * and any earlier one still works until it expires.
 */
export const startLink = operationOf<OauthServices>()({
  route: 'startLink',
  summary: 'Start linking an existing Wise account',
  description:
    "Stores a single-use OAuth state bound to the customer and the return URL, and answers Wise's authorization URL. `returnUrl` " +
    'must start with a configured allowed prefix; encoded slashes or backslashes (`%2f`, `%5c`), backslashes and dot segments ' +
    '(`/./`, `/../`, encoded or not) are refused, and the normalised URL is what is stored and redirected to. The customer must have ' +
    'an identity on record (route 18, or route 1 for a signup), which route 17 compares the granted profile with (else 409 ' +
    'IDENTITY_REQUIRED); a `dateOfBirth` in the body is refused (v1 took one from the caller). `claimAccount: true` makes the link ' +
    "also let a user this service created claim its account (else 409 CLAIM_NOT_AVAILABLE); it is then good for the claim code's 5 " +
    "minutes. The customer's status becomes `LINK_PENDING` unless they already have access (`ACTIVE`, `LINKED`: another profile is " +
    'being linked). Every call issues a new state: an `Idempotency-Key` is accepted but not replayed, because a stored answer would ' +
    'keep the state (and a claim code) in plain text.',
  params: customerParams,
  body: named('StartLinkRequest', startLinkBody),
  idempotencyKey: 'ignored',
  responses: {
    201: {
      description: "Where to send the customer's browser.",
      body: named('AuthorizeLink', authorizeLinkSchema),
    },
  },
  problems: ['RETURN_URL_NOT_ALLOWED', 'IDENTITY_REQUIRED', 'CLAIM_NOT_AVAILABLE', ...userTokenProblems],
  handle: async ({ params, body, caller, deadline }, { linkStarter }) => ({
    status: 201,
    body: await linkStarter.start({
      customerId: params.customerId,
      ...body,
      actor: actorOf(caller, params.customerId),
      deadline,
    }),
  }),
});
