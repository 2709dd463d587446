import * as z from 'zod';
import { customerIdSchema } from '../../shared/http/handler-stack';

/** Wise's profile ids are positive integers; anything else is refused before a lookup. */
const profileId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be a positive integer');

/**
 * Wise's ids are UUID-shaped (8-4-4-4-12 hex). Not z.uuid(): it checks the RFC variant nibble,
 * and Wise's own documented review id (46e1a5c4-4a9b-4563-39d3-…) does not have one.
 */
const wiseUuid = z.guid('must be a UUID');

/** Long enough for any real return URL with its query; the allowlist decides the rest. */
const redirectUrl = z.string().max(2048).url('must be an absolute URL');

export const profileParams = z.object({ customerId: customerIdSchema, profileId });
export const reviewParams = profileParams.extend({ reviewId: wiseUuid });

export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('QUOTE'), id: wiseUuid }),
  z.strictObject({ type: z.literal('PROACTIVE_SEND_MONEY') }),
]);

export const createBody = z.strictObject({ trigger: triggerSchema, redirectUrl });

/** The body is optional: no body at all means "the redirect URL the review already has". */
export const linkBody = z.strictObject({ redirectUrl: redirectUrl.optional() }).optional().transform((b) => b ?? {});
