import * as z from 'zod';
import { customerIdSchema } from '../../shared/http/handler-stack';
import { dateOfBirth } from '../../shared/domain/onboarding/fields';
import type { Clock } from '../../shared/ports/clock';

export const customerParams = z.object({ customerId: customerIdSchema });

/** Route 8's body. `claimAccount`: a user this service created takes over its Wise account. */
export const startLinkBody = (clock: Clock) =>
  z.object({
    returnUrl: z.string().max(2048, 'must be at most 2048 characters').pipe(z.url('must be an absolute URL')),
    dateOfBirth: dateOfBirth(() => clock.now()).optional(),
    claimAccount: z.boolean().optional(),
  });

/**
 * Route 10's body: the code Wise showed the customer. Wise's codes are short and alphanumeric;
 * the bound keeps anything pasted by mistake (a whole page, a URL) away from Wise.
 * `dateOfBirth` lets the partner give the date of birth to check when it started no link before.
 */
export const linkCodeBody = (clock: Clock) =>
  z.object({
    code: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(256, 'must be at most 256 characters')
      .regex(/^[A-Za-z0-9._~-]+$/, 'must be the code exactly as Wise showed it (letters, digits, . _ ~ -)'),
    dateOfBirth: dateOfBirth(() => clock.now()).optional(),
  });

/**
 * The callback's query. Bounded so that nothing oversized reaches the store or Wise; parsed
 * inside the use case because a bad callback answers with an HTML page, not problem+json.
 */
export const callbackQuery = z.object({
  state: z.string().min(1).max(512).optional(),
  code: z.string().min(1).max(512).optional(),
  profileId: z.string().regex(/^\d{1,15}$/).transform(Number).optional(),
  error: z.string().max(100).optional(),
  error_description: z.string().max(2000).optional(),
});
export type CallbackQuery = z.infer<typeof callbackQuery>;
