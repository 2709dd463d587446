import * as z from '../../shared/zod';
import { kycReviewStatuses, type PublicKycReview } from '../../shared/domain/kyc/review';
import { customerIdSchema } from '../../shared/http/handler-stack';
import type { HostedLink, KycReviewWithLink } from './kyc-review-service';

/** Wise's profile ids are positive integers; anything else is refused before a lookup. */
const profileId = z
  .pipe(z.string().check(z.regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')), z.transform(Number))
  .check(z.refine(Number.isSafeInteger, 'must be a positive integer'));

/**
 * Wise's ids are UUID-shaped (8-4-4-4-12 hex). Not z.uuid(): it checks the RFC variant nibble,
 * and Wise's own documented review id (46e1a5c4-4a9b-4563-39d3-…) does not have one.
 */
const wiseUuid = z.guid('must be a UUID');

/** Long enough for any real return URL with its query; the allowlist decides the rest. */
const redirectUrl = z.string().check(z.maxLength(2048), z.url('must be an absolute URL'));

export const profileParams = z.object({ customerId: customerIdSchema, profileId });
export const reviewParams = z.extend(profileParams, { reviewId: wiseUuid });

export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('QUOTE'), id: wiseUuid }),
  z.strictObject({ type: z.literal('PROACTIVE_SEND_MONEY') }),
]);

export const createBody = z.strictObject({ trigger: triggerSchema, redirectUrl });

/** The body is optional: no body at all means "the redirect URL the review already has". */
export const linkBody = z.pipe(
  z.optional(z.strictObject({ redirectUrl: z.optional(redirectUrl) })),
  z.transform((b: { redirectUrl?: string } | undefined) => b ?? {}),
);

// The answers of routes 12–15.

/** Every instant this service answers is `Date#toISOString()`: UTC, milliseconds, `Z`. */
const isoInstant = z.iso.datetime();
const wiseProfileId = z.number().check(z.int(), z.positive());

export const hostedLinkSchema = z.object({
  url: z.url().check(z.describe("Wise's hosted KYC page; a bearer secret for the customer's session.")),
  expiresAt: isoInstant.check(z.describe('Never less than 30 seconds away when served.')),
});

export const kycReviewSchema = z.object({
  id: z.string().check(z.describe("Wise's KYC review id.")),
  profileId: wiseProfileId,
  status: z
    .string()
    .check(z.describe(`Wise's status: ${kycReviewStatuses.join(', ')}; Wise may add statuses.`)),
  trigger: z.optional(triggerSchema),
  requirements: z
    .optional(
      z.array(z.array(z.object({ key: z.string(), state: z.string(), apiCollectionSupported: z.boolean() }))),
    )
    .check(z.describe('AND over the outer list, OR within each inner list.')),
  requiredBy: z.optional(isoInstant).check(z.describe("Wise's deadline, for PASSED_WITH_REQUIREMENTS.")),
  redirectUrl: z.optional(z.string()),
  createdAt: z.optional(isoInstant),
  updatedAt: z.optional(isoInstant),
});

export const kycReviewWithLinkSchema = z.extend(kycReviewSchema, {
  link: z
    .nullable(hostedLinkSchema)
    .check(z.describe('Null when the review does not wait for the customer (Wise gives no link then).')),
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
