import * as z from 'zod';
import { kycReviewStatuses, type PublicKycReview } from '../../shared/domain/kyc/review';
import { customerIdSchema } from '../../shared/http/handler-stack';
import type { HostedLink, KycReviewWithLink } from './kyc-review-service';

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
export const linkBody = z
  .strictObject({ redirectUrl: redirectUrl.optional() })
  .optional()
  .transform((b) => b ?? {});

// The answers of routes 12–15.

/** Every instant this service answers is `Date#toISOString()`: UTC, milliseconds, `Z`. */
const isoInstant = z.iso.datetime();
const wiseProfileId = z.number().int().positive();

export const hostedLinkSchema = z.object({
  url: z.url().describe("Wise's hosted KYC page; a bearer secret for the customer's session."),
  expiresAt: isoInstant.describe('Never less than 30 seconds away when served.'),
});

export const kycReviewSchema = z.object({
  id: z.string().describe("Wise's KYC review id."),
  profileId: wiseProfileId,
  status: z.string().describe(`Wise's status: ${kycReviewStatuses.join(', ')}; Wise may add statuses.`),
  trigger: triggerSchema.optional(),
  requirements: z
    .array(z.array(z.object({ key: z.string(), state: z.string(), apiCollectionSupported: z.boolean() })))
    .optional()
    .describe('AND over the outer list, OR within each inner list.'),
  requiredBy: isoInstant.optional().describe("Wise's deadline, for PASSED_WITH_REQUIREMENTS."),
  redirectUrl: z.string().optional(),
  createdAt: isoInstant.optional(),
  updatedAt: isoInstant.optional(),
});

export const kycReviewWithLinkSchema = kycReviewSchema.extend({
  link: hostedLinkSchema
    .nullable()
    .describe('Null when the review does not wait for the customer (Wise gives no link then).'),
});

// The use cases return plain objects, not parsed ones: these fail `tsc` when a use case's answer
// and its documented schema part ways.
export type Assignable<From, To> = [From] extends [To] ? true : false;
export type Holds<T extends true> = T;
export type _ResponseSchemasMatchTheCode = [
  Holds<Assignable<HostedLink, z.infer<typeof hostedLinkSchema>>>,
  Holds<Assignable<PublicKycReview, z.infer<typeof kycReviewSchema>>>,
  Holds<Assignable<KycReviewWithLink, z.infer<typeof kycReviewWithLinkSchema>>>,
];
