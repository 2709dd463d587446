import * as z from '../zod';

/**
 * The longest token the product carries. Wise's tokens are opaque: client-credentials tokens are
 * becoming JWT/JWE (Wise's client-credentials-token-migration guide, deadline 7 January 2027), so
 * nothing may assume a UUID or a short column; 8 KiB bounds what is stored and sent.
 */
export const MAX_TOKEN_LENGTH = 8192;

const opaqueToken = () => z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_LENGTH));

/** Wise's token answer (API-NOTES §1.2). Unknown fields are ignored, as Wise's versioning policy asks. */
export const tokenResponseSchema = z.lazy(() =>
  z.object({
    access_token: opaqueToken(),
    token_type: z.string(),
    expires_in: z.number(),
    refresh_token: z.optional(opaqueToken()),
    refresh_token_expires_in: z.optional(z.number()),
    scope: z.optional(z.string()),
  }),
);
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const userSchema = z.lazy(() =>
  z.object({
    id: z.number().check(z.int()),
    email: z.nullable(z.optional(z.string())),
    active: z.optional(z.boolean()),
  }),
);
export type WiseUser = z.infer<typeof userSchema>;

const addressSchema = z.lazy(() =>
  z.looseObject({
    addressFirstLine: z.nullable(z.optional(z.string())),
    city: z.nullable(z.optional(z.string())),
    countryIso3Code: z.nullable(z.optional(z.string())),
    postCode: z.nullable(z.optional(z.string())),
    stateCode: z.nullable(z.optional(z.string())),
  }),
);

/** A v2 profile as GET /v2/profiles answers it (type upper case). */
export const profileSchema = z.lazy(() =>
  z.looseObject({
    id: z.number().check(z.int()),
    type: z.pipe(
      z.string(),
      z.transform((t: string) => t.toUpperCase()),
    ),
    userId: z.optional(z.number().check(z.int())),
    firstName: z.nullable(z.optional(z.string())),
    lastName: z.nullable(z.optional(z.string())),
    dateOfBirth: z.nullable(z.optional(z.string())),
    businessName: z.nullable(z.optional(z.string())),
    address: z.nullable(z.optional(addressSchema)),
  }),
);
export type WiseProfile = z.infer<typeof profileSchema>;

/** Profile creation answers; the create response may nest fields under `details` (v1 style). */
export const createdProfileSchema = z.lazy(() => z.looseObject({ id: z.number().check(z.int()) }));

export const verificationStatusSchema = z.lazy(() =>
  z.object({
    routes: z.array(
      z.looseObject({
        source_currency: z.string(),
        maximum_entitled_amount: z.number(),
        current_status: z.string(),
      }),
    ),
    request_id: z.optional(z.string()),
  }),
);
export type VerificationStatus = z.infer<typeof verificationStatusSchema>;

export const claimAccountSchema = z.lazy(() =>
  z.object({ claimAccountCode: z.string().check(z.minLength(1)) }),
);

/** The only answer Wise documents for an identification document: 200 `{ errorMessage, success }`. */
export const identityDocumentOutcomeSchema = z.lazy(() =>
  z.object({ success: z.boolean(), errorMessage: z.optional(z.nullable(z.string())) }),
);

const requirementSchema = z.lazy(() =>
  z.looseObject({
    key: z.string(),
    state: z.optional(z.string()),
    status: z.optional(z.string()),
    apiCollectionSupported: z.optional(z.boolean()),
  }),
);

export const kycReviewSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    status: z.string(),
    link: z.optional(z.nullable(z.object({ value: z.string(), expiresAt: z.string() }))),
    createdAt: z.nullable(z.optional(z.string())),
    updatedAt: z.nullable(z.optional(z.string())),
    requiredBy: z.nullable(z.optional(z.string())),
    redirectUrl: z.nullable(z.optional(z.string())),
    triggerReferences: z.optional(
      z.array(z.looseObject({ type: z.string(), triggerData: z.optional(z.unknown()) })),
    ),
    requirements: z.nullable(z.optional(z.array(z.array(requirementSchema)))),
  }),
);
export type WiseKycReview = z.infer<typeof kycReviewSchema>;

export const subscriptionSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    trigger_on: z.string(),
    delivery: z.looseObject({ url: z.string(), version: z.optional(z.string()) }),
  }),
);
export type WiseSubscription = z.infer<typeof subscriptionSchema>;
