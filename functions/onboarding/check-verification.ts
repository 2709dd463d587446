import * as z from '../../shared/zod';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import { verificationStatusSchema } from '../../shared/wise/schemas';
import type { OnboardingServices } from './routes';
import { profileParams } from './schemas';

export const verificationCheckBody = z.object({
  sourceCurrencies: z.pipe(
    z
      .array(
        z.pipe(
          z.string().check(z.regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 currency code')),
          z.transform((c: string) => c.toUpperCase()),
        ),
      )
      .check(
        z.minLength(1, 'must name at least one currency'),
        z.maxLength(20, 'must name at most 20 currencies'),
      ),
    z.transform((list: string[]) => [...new Set(list)]),
  ),
});

const verificationCheckSchema = z.object({
  // The object inside the lazy schema (zod/mini has no `.unwrap()`; this is what classic's does).
  routes: verificationStatusSchema._zod.def
    .getter()
    .shape.routes.check(z.describe("Wise's routes, as Wise answered them.")),
  canTransfer: z
    .record(z.string(), z.boolean())
    .check(
      z.describe(
        'Per upper-case source currency: `verified`, or `not_verified` with an entitlement above 0.',
      ),
    ),
});

/** Route 5. */
export const checkVerification = operationOf<OnboardingServices>()({
  route: 'checkVerification',
  summary: 'Check whether the customer can send money',
  description:
    "A live call to Wise's bank-transfer verification check for the given source currencies (ISO 4217, any case, duplicates removed).",
  params: profileParams,
  body: named('VerificationCheckRequest', verificationCheckBody),
  idempotencyKey: 'replayed',
  responses: {
    200: {
      description: "Wise's answer and a yes/no per currency.",
      body: named('VerificationCheck', verificationCheckSchema),
    },
  },
  problems: ['PROFILE_NOT_FOUND', ...userTokenProblems],
  handle: async ({ params, body, deadline }, { profiles }) => ({
    status: 200,
    body: await profiles.checkVerification(
      params.customerId,
      params.profileId,
      body.sourceCurrencies,
      deadline,
    ),
  }),
});
