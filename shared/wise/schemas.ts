import * as z from 'zod';

/**
 * The longest token the product carries. Wise's tokens are opaque: client-credentials tokens are
 * becoming JWT/JWE (Wise's client-credentials-token-migration guide, deadline 7 January 2027), so
 * nothing may assume a UUID or a short column; 8 KiB bounds what is stored and sent.
 */
export const MAX_TOKEN_LENGTH = 8192;

const opaqueToken = () => z.string().min(1).max(MAX_TOKEN_LENGTH);

/** Wise's token answer (API-NOTES §1.2). Unknown fields are ignored, as Wise's versioning policy asks. */
export const tokenResponseSchema = z.lazy(() =>
  z.object({
    access_token: opaqueToken(),
    token_type: z.string(),
    expires_in: z.number(),
    refresh_token: opaqueToken().optional(),
    refresh_token_expires_in: z.number().optional(),
    scope: z.string().optional(),
  }),
);
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const userSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    email: z.string().optional().nullable(),
    active: z.boolean().optional(),
  }),
);
export type WiseUser = z.infer<typeof userSchema>;

const addressSchema = z.lazy(() =>
  z
    .object({
      addressFirstLine: z.string().optional().nullable(),
      city: z.string().optional().nullable(),
      countryIso3Code: z.string().optional().nullable(),
      postCode: z.string().optional().nullable(),
      stateCode: z.string().optional().nullable(),
    })
    .passthrough(),
);

/** A v2 profile as GET /v2/profiles answers it (type upper case). */
export const profileSchema = z.lazy(() =>
  z
    .object({
      id: z.number().int(),
      type: z.string().transform((t) => t.toUpperCase()),
      userId: z.number().int().optional(),
      firstName: z.string().optional().nullable(),
      lastName: z.string().optional().nullable(),
      dateOfBirth: z.string().optional().nullable(),
      businessName: z.string().optional().nullable(),
      address: addressSchema.optional().nullable(),
    })
    .passthrough(),
);
export type WiseProfile = z.infer<typeof profileSchema>;

/** Profile creation answers; the create response may nest fields under `details` (v1 style). */
export const createdProfileSchema = z.lazy(() => z.object({ id: z.number().int() }).passthrough());

export const verificationStatusSchema = z.lazy(() =>
  z.object({
    routes: z.array(
      z
        .object({
          source_currency: z.string(),
          maximum_entitled_amount: z.number(),
          current_status: z.string(),
        })
        .passthrough(),
    ),
    request_id: z.string().optional(),
  }),
);
export type VerificationStatus = z.infer<typeof verificationStatusSchema>;

export const claimAccountSchema = z.lazy(() => z.object({ claimAccountCode: z.string().min(1) }));

/** The only answer Wise documents for an identification document: 200 `{ errorMessage, success }`. */
export const identityDocumentOutcomeSchema = z.lazy(() =>
  z.object({ success: z.boolean(), errorMessage: z.string().nullable().optional() }),
);

const requirementSchema = z.lazy(() =>
  z
    .object({
      key: z.string(),
      state: z.string().optional(),
      status: z.string().optional(),
      apiCollectionSupported: z.boolean().optional(),
    })
    .passthrough(),
);

export const kycReviewSchema = z.lazy(() =>
  z
    .object({
      id: z.string(),
      status: z.string(),
      link: z.object({ value: z.string(), expiresAt: z.string() }).nullable().optional(),
      createdAt: z.string().optional().nullable(),
      updatedAt: z.string().optional().nullable(),
      requiredBy: z.string().optional().nullable(),
      redirectUrl: z.string().optional().nullable(),
      triggerReferences: z
        .array(z.object({ type: z.string(), triggerData: z.unknown().optional() }).passthrough())
        .optional(),
      requirements: z.array(z.array(requirementSchema)).optional().nullable(),
    })
    .passthrough(),
);
export type WiseKycReview = z.infer<typeof kycReviewSchema>;

export const subscriptionSchema = z.lazy(() =>
  z
    .object({
      id: z.string(),
      trigger_on: z.string(),
      delivery: z.object({ url: z.string(), version: z.string().optional() }).passthrough(),
    })
    .passthrough(),
);
export type WiseSubscription = z.infer<typeof subscriptionSchema>;
