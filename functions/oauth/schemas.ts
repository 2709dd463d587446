import * as z from '../../shared/zod';
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
  .optional(
    z
      .unknown()
      .check(
        z.refine(
          (v) => v === undefined,
          'is not accepted here: the partner backend records it with PUT /v1/customers/{customerId}/identity',
        ),
      ),
  )
  .check(
    z.describe(
      'Not accepted since version 2 (refused with 400): the identity on record (route 18) is what linking compares with.',
    ),
  );

/** Route 8's body. `claimAccount`: a user this service created takes over its Wise account. */
export const startLinkBody = z.pipe(
  z.object({
    returnUrl: z.pipe(
      z.string().check(z.maxLength(2048, 'must be at most 2048 characters')),
      z.url('must be an absolute URL'),
    ),
    claimAccount: z.optional(z.boolean()),
    dateOfBirth: noCallerIdentity,
  }),
  z.transform(({ returnUrl, claimAccount }: { returnUrl: string; claimAccount?: boolean }) => ({
    returnUrl,
    ...(claimAccount !== undefined ? { claimAccount } : {}),
  })),
);

/**
 * Route 10's body: the code Wise showed the customer. Wise's codes are short and alphanumeric;
 * the bound keeps anything pasted by mistake (a whole page, a URL) away from Wise.
 */
export const linkCodeBody = z.pipe(
  z.object({
    code: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'is required'),
        z.maxLength(256, 'must be at most 256 characters'),
        z.regex(
          /^[A-Za-z0-9._~-]+$/,
          'must be the code exactly as Wise showed it (letters, digits, . _ ~ -)',
        ),
      ),
    dateOfBirth: noCallerIdentity,
  }),
  z.transform(({ code }: { code: string }) => ({ code })),
);

/** Route 17's body: the one-time result route 9 put on the return URL (base64url, 256 bits). */
export const completeLinkBody = z.object({
  result: z
    .string()
    .check(
      z.minLength(1, 'is required'),
      z.maxLength(256, 'must be at most 256 characters'),
      z.regex(/^[A-Za-z0-9_-]+$/, 'must be the `result` exactly as the return URL carried it'),
    ),
});

/** Registration numbers as registries print them: letters, digits, spaces and . - / separators. */
const registrationNumber = z.string().check(
  z.trim(),
  z.minLength(1, 'must not be blank'),
  z.maxLength(64, 'must be at most 64 characters'),
  z.regex(
    /^[\p{L}\p{N} ./-]+$/u,
    'must be letters and digits, optionally separated by spaces, dots, dashes or slashes',
  ),
  z.refine((v) => /[\p{L}\p{N}]/u.test(v), 'must contain a letter or digit'),
);

/** Route 18's body: at least one fact; `null` forgets a fact, an absent one is kept. */
export const identityBody = (clock: Clock) =>
  z
    .object({
      dateOfBirth: z
        .optional(z.nullable(dateOfBirth(() => clock.now())))
        .check(z.describe("A personal profile's date of birth, `YYYY-MM-DD`; `null` forgets it.")),
      registrationNumber: z
        .optional(z.nullable(registrationNumber))
        .check(
          z.describe(
            "A business profile's registration number as the registry prints it; `null` forgets it.",
          ),
        ),
    })
    .check(
      z.refine((b) => b.dateOfBirth !== undefined || b.registrationNumber !== undefined, {
        message: 'give dateOfBirth, registrationNumber, or both',
        path: ['(body)'],
      }),
    );

/**
 * The callback's query. Bounded so that nothing oversized reaches the store or Wise; parsed
 * inside the use case because a bad callback answers with an HTML page, not problem+json.
 */
export const callbackQuery = z.object({
  state: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  code: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  profileId: z.optional(z.pipe(z.string().check(z.regex(/^\d{1,15}$/)), z.transform(Number))),
  error: z.optional(z.string().check(z.maxLength(100))),
  error_description: z.optional(z.string().check(z.maxLength(2000))),
});
export type CallbackQuery = z.infer<typeof callbackQuery>;
