import * as z from 'zod';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { customerParams, isoInstant } from './schemas';

const claimLinkSchema = z.object({
  claimUrl: z
    .url()
    .describe("Wise's authorize page with a claim-account code; a bearer secret for the customer."),
  expiresAt: isoInstant.describe("Wise's claim code lives 5 minutes."),
});

/**
 * Route 7. Not replayed by Idempotency-Key: the stored reply would keep a live claim code in plain
 * text for a day and replay a link dead after five minutes; every call safely makes a fresh link.
 */
export const createClaimLink = operationOf<OnboardingServices>()({
  route: 'createClaimLink',
  summary: 'Get a claim-account link',
  description:
    'For an active user this service created: a link where the customer takes over the Wise account (sets a password at Wise). ' +
    'No request body. Every call makes a fresh link; an `Idempotency-Key` is accepted but not replayed, because a stored answer would ' +
    'keep a live claim code and replay a link that dies after 5 minutes.',
  params: customerParams,
  idempotencyKey: 'ignored',
  responses: {
    201: { description: 'A claim link, valid 5 minutes.', body: named('ClaimLink', claimLinkSchema) },
  },
  problems: ['CUSTOMER_NOT_FOUND', 'CLAIM_NOT_AVAILABLE', ...userTokenProblems],
  handle: async ({ params, deadline }, { claimLinks }) => ({
    status: 201,
    body: await claimLinks.create(params.customerId, deadline),
  }),
});
