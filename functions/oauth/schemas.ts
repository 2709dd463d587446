import * as z from 'zod';
import { customerIdSchema } from '../../shared/http/handler-stack';
import { dateOfBirth } from '../../shared/domain/onboarding/fields';
import type { Clock } from '../../shared/ports/clock';

export const customerParams = z.object({ customerId: customerIdSchema });

/**
 * v1 accepted a caller-supplied date of birth on routes 8 and 10; linking now compares with the
 * identity on record only (route 18, partner backend). A body that still sends one is refused, so
 * that no partner believes it is checked. A field of its own (not a refinement of the object), so
 * that it is named together with every other bad field.
 */
const noCallerIdentity = z
  .unknown()
  .refine(
    (v) => v === undefined,
    'is not accepted here: the partner backend records it with PUT /v1/customers/{customerId}/identity',
  )
  .optional()
  .describe(
    'Not accepted since version 2 (refused with 400): the identity on record (route 18) is what linking compares with.',
  );

/** Route 8's body. `claimAccount`: a user this service created takes over its Wise account. */
export const startLinkBody = z
  .object({
    returnUrl: z.string().max(2048, 'must be at most 2048 characters').pipe(z.url('must be an absolute URL')),
    claimAccount: z.boolean().optional(),
    dateOfBirth: noCallerIdentity,
  })
  .transform(({ returnUrl, claimAccount }) => ({
    returnUrl,
    ...(claimAccount !== undefined ? { claimAccount } : {}),
  }));

/**
 * Route 10's body: the code Wise showed the customer. Wise's codes are short and alphanumeric;
 * the bound keeps anything pasted by mistake (a whole page, a URL) away from Wise.
 */
export const linkCodeBody = z
  .object({
    code: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(256, 'must be at most 256 characters')
      .regex(/^[A-Za-z0-9._~-]+$/, 'must be the code exactly as Wise showed it (letters, digits, . _ ~ -)'),
    dateOfBirth: noCallerIdentity,
  })
  .transform(({ code }) => ({ code }));

/** Route 17's body: the one-time result route 9 put on the return URL (base64url, 256 bits). */
export const completeLinkBody = z.object({
  result: z
    .string()
    .min(1, 'is required')
    .max(256, 'must be at most 256 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the `result` exactly as the return URL carried it'),
});

/** Registration numbers as registries print them: letters, digits, spaces and . - / separators. */
const registrationNumber = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[\p{L}\p{N} ./-]+$/u,
    'must be letters and digits, optionally separated by spaces, dots, dashes or slashes',
  )
  .refine((v) => /[\p{L}\p{N}]/u.test(v), 'must contain a letter or digit');

/** Route 18's body: at least one fact; `null` forgets a fact, an absent one is kept. */
export const identityBody = (clock: Clock) =>
  z
    .object({
      dateOfBirth: dateOfBirth(() => clock.now())
        .nullable()
        .optional()
        .describe("A personal profile's date of birth, `YYYY-MM-DD`; `null` forgets it."),
      registrationNumber: registrationNumber
        .nullable()
        .optional()
        .describe("A business profile's registration number as the registry prints it; `null` forgets it."),
    })
    .refine((b) => b.dateOfBirth !== undefined || b.registrationNumber !== undefined, {
      message: 'give dateOfBirth, registrationNumber, or both',
      path: ['(body)'],
    });

/**
 * The callback's query. Bounded so that nothing oversized reaches the store or Wise; parsed
 * inside the use case because a bad callback answers with an HTML page, not problem+json.
 */
export const callbackQuery = z.object({
  state: z.string().min(1).max(512).optional(),
  code: z.string().min(1).max(512).optional(),
  profileId: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .optional(),
  error: z.string().max(100).optional(),
  error_description: z.string().max(2000).optional(),
});
export type CallbackQuery = z.infer<typeof callbackQuery>;
