import * as z from '../../shared/zod';
import { actorOf } from '../../shared/http/actor';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { customerParams, isoInstant } from './schemas';

const claimLinkSchema = z.object({
  claimUrl: z
    .url()
    .check(
      z.describe(
        "Wise's authorize page with a claim-account code and a single-use state; a bearer secret for the customer.",
      ),
    ),
  expiresAt: isoInstant.check(z.describe("Wise's claim code lives 5 minutes.")),
});

const claimLinkRequest = z.object({
  returnUrl: z
    .optional(
      z.pipe(
        z.string().check(z.maxLength(2048, 'must be at most 2048 characters')),
        z.url('must be an absolute URL'),
      ),
    )
    .check(
      z.describe(
        'Where the callback sends the customer back (allowlisted, as route 8); the first allowed prefix when absent.',
      ),
    ),
});

/**
 * Route 7. Not replayed by Idempotency-Key: the stored reply would keep a live claim code and an
 * OAuth state in plain text for a day and replay a link dead after five minutes; every call safely
 * makes a fresh link.
 */
export const createClaimLink = operationOf<OnboardingServices>()({
  route: 'createClaimLink',
  summary: 'Get a claim-account link',
  description:
    'For an active user this service created: a link where the customer takes over the Wise account (sets a password at Wise). ' +
    'It carries a single-use state like route 8, so the claim ends through the callback (route 9, back to `returnUrl` with a ' +
    'one-time result) and completion (route 17). The body is optional: `returnUrl` defaults to the first allowed return URL. The ' +
    'customer must have an identity on record (route 1 keeps the date of birth). Every call makes a fresh link; an ' +
    '`Idempotency-Key` is accepted but not replayed, because a stored answer would keep a live claim code and replay a link that ' +
    'dies after 5 minutes.',
  params: customerParams,
  body: named(
    'ClaimLinkRequest',
    z.pipe(
      z.optional(claimLinkRequest),
      z.transform((b: z.output<typeof claimLinkRequest> | undefined) => b ?? {}),
    ),
  ),
  idempotencyKey: 'ignored',
  responses: {
    201: { description: 'A claim link, valid 5 minutes.', body: named('ClaimLink', claimLinkSchema) },
  },
  problems: [
    'CUSTOMER_NOT_FOUND',
    'CLAIM_NOT_AVAILABLE',
    'RETURN_URL_NOT_ALLOWED',
    'IDENTITY_REQUIRED',
    ...userTokenProblems,
  ],
  handle: async ({ params, body, caller, deadline }, { claimLinks }) => ({
    status: 201,
    body: await claimLinks.create(params.customerId, {
      ...(body.returnUrl !== undefined ? { returnUrl: body.returnUrl } : {}),
      actor: actorOf(caller, params.customerId),
      deadline,
    }),
  }),
});
