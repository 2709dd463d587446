import { z } from 'zod';

/**
 * Wise's documented response shapes (docs.wise.com API reference and Wise's OpenAPI document),
 * written down as the project's own zod schemas so contract tests need no file outside the repo.
 * Objects are loose: Wise adds fields without a version bump, so clients must ignore extras.
 */

const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/);
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

export const clientCredentialsToken = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.literal('bearer'),
  expires_in: z.literal(43199),
  expires_at: isoInstant,
  scope: z.literal('transfers'),
});

export const userTokens = clientCredentialsToken.extend({
  refresh_token: z.string().min(1),
  refresh_token_expires_in: z.number().int().positive(),
  refresh_token_expires_at: isoInstant,
  created_at: isoInstant,
});

export const oauthError = z.object({ error: z.string(), error_description: z.string() });

export const validationErrors = z.object({
  errors: z
    .array(
      z.looseObject({
        code: z.string(),
        message: z.string(),
        path: z.string().nullable().optional(),
        arguments: z.array(z.unknown()).nullable().optional(),
      }),
    )
    .min(1),
});

export const springError = z.looseObject({
  timestamp: z.string(),
  status: z.number().int(),
  error: z.string(),
  message: z.string(),
  path: z.string(),
});

export const kycProblem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  instance: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.object({ code: z.string(), ref: z.string(), detail: z.string() })).optional(),
});

export const simulationError = z.object({
  code: z.string(),
  category: z.literal('CLIENT'),
  description: z.string(),
  details: z.null(),
});

export const user = z.looseObject({
  id: z.number().int(),
  name: z.string().nullable(),
  email: z.string(),
  active: z.boolean(),
  details: z.unknown().nullable(),
});

const v2Address = z.looseObject({
  id: z.number().int(),
  addressFirstLine: z.string(),
  city: z.string(),
  countryIso2Code: z.string().nullable(),
  countryIso3Code: z.string().regex(/^[a-z]{3}$/),
  postCode: z.string().nullable(),
  stateCode: z.string().nullable(),
});

const v2ProfileBase = z.looseObject({
  id: z.number().int(),
  publicId: uuid,
  userId: z.number().int(),
  address: v2Address.nullable(),
  email: z.string().nullable(),
  createdAt: localDateTime,
  updatedAt: localDateTime,
  currentState: z.enum(['HIDDEN', 'VISIBLE', 'DEACTIVATED']),
  contactDetails: z.looseObject({ email: z.string().nullable(), phoneNumber: z.string().nullable() }),
  fullName: z.string(),
});

export const personalProfileV2 = v2ProfileBase.extend({
  type: z.literal('PERSONAL'),
  firstName: z.string().max(30),
  lastName: z.string().max(30),
  preferredName: z.string().nullable(),
  dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  phoneNumber: z.string().nullable(),
  secondaryAddresses: z.array(z.unknown()),
});

export const businessProfileV2 = v2ProfileBase.extend({
  type: z.literal('BUSINESS'),
  businessName: z.string(),
  registrationNumber: z.string().nullable(),
  companyType: z.string().nullable(),
  companyRole: z.string().nullable(),
  businessFreeFormDescription: z.string().nullable(),
  firstLevelCategory: z.string().nullable(),
  secondLevelCategory: z.string().nullable(),
  webpage: z.string().nullable(),
  operationalAddresses: z.array(z.unknown()),
});

export const profileV2 = z.discriminatedUnion('type', [personalProfileV2, businessProfileV2]);

export const profileV1 = z.looseObject({
  id: z.number().int(),
  type: z.enum(['personal', 'business']),
  details: z.record(z.string(), z.unknown()),
});

export const addressV1 = z.looseObject({
  id: z.number().int(),
  profile: z.number().int(),
  details: z.looseObject({
    country: z.string(),
    firstLine: z.string(),
    city: z.string(),
    postCode: z.string().nullable(),
    state: z.string().nullable(),
  }),
});

export const director = z.object({
  id: z.number().int(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  countryOfResidenceIso3Code: z.string(),
});

export const ubo = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  dateOfBirth: z.string(),
  countryOfResidenceIso3Code: z.string(),
  addressFirstLine: z.string(),
  postCode: z.string(),
  ownershipPercentage: z.number().int().nullable(),
});

export const verificationStatus = z.object({
  routes: z.array(
    z.object({
      source_currency: z.string().length(3),
      maximum_entitled_amount: z.number().nonnegative(),
      current_status: z.enum(['verified', 'not_verified']),
    }),
  ),
  request_id: uuid,
});

export const quote = z.looseObject({
  id: uuid,
  sourceCurrency: z.string(),
  targetCurrency: z.string(),
  sourceAmount: z.number(),
  targetAmount: z.number(),
  rate: z.number(),
  createdTime: isoInstant,
  expirationTime: isoInstant,
  profile: z.number().int(),
  paymentOptions: z.array(z.unknown()),
});

const kycStatus = z.enum([
  'NEW',
  'PASSED',
  'PASSED_WITH_REQUIREMENTS',
  'WAITING_CUSTOMER_INPUT',
  'PROCESSING',
]);

export const kycReview = z.looseObject({
  id: uuid,
  createdAt: localDateTime,
  updatedAt: localDateTime,
  requiredBy: localDateTime.nullable(),
  status: kycStatus,
  link: z.object({ value: z.string().url(), expiresAt: localDateTime }).optional(),
  triggerReferences: z.array(z.object({ type: z.string(), triggerData: z.record(z.string(), z.unknown()) })),
  redirectUrl: z.string().nullable(),
});

export const kycReviewV2 = kycReview.extend({
  requirements: z.array(
    z.array(
      z.looseObject({
        key: z.string(),
        state: z.enum(['NOT_PROVIDED', 'IN_REVIEW', 'VERIFIED', 'REJECTED']),
        apiCollectionSupported: z.boolean(),
      }),
    ),
  ),
});

export const subscription = z.looseObject({
  id: uuid,
  name: z.string(),
  delivery: z.looseObject({ version: z.string(), url: z.string() }),
  trigger_on: z.string(),
  scope: z.object({ domain: z.enum(['application', 'profile']), id: z.string() }),
  created_by: z.object({ type: z.enum(['application', 'user']), id: z.string() }),
  created_at: isoInstant,
});

export const testNotificationResponse = z
  .array(z.object({ delivery_id: uuid, created_at: isoInstant }))
  .length(1);

export const webhookEnvelope = z.object({
  data: z.record(z.string(), z.unknown()),
  subscription_id: uuid,
  event_type: z.string(),
  schema_version: z.string(),
  sent_at: z.string(),
});

export const verificationStateChangeData = z.object({
  resource: z.object({ type: z.literal('profile'), id: z.number().int() }),
  current_state: z.enum(['verified', 'not_verified']),
  occurred_at: isoInstant,
});

export const kycStateChangeData = z.looseObject({
  resource: z.looseObject({
    id: uuid,
    state: kycStatus,
    profileId: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    triggerReferences: z.array(z.unknown()),
  }),
});

export const userStateChangeData = z.looseObject({
  resource: z.object({ id: z.number().int(), type: z.literal('user') }),
  previous_state: z.enum(['ACTIVE', 'WITHDRAW_ONLY', 'DEACTIVATED']),
  current_state: z.enum(['ACTIVE', 'WITHDRAW_ONLY', 'DEACTIVATED']),
  occurred_at: isoInstant,
});

/** GET /_sim/state as PARTNER-API.md fixes it. */
export const simState = z.looseObject({
  users: z.array(
    z.looseObject({
      id: z.number(),
      email: z.string(),
      registrationCode: z.string().optional(),
      active: z.boolean(),
    }),
  ),
  profiles: z.array(
    z.looseObject({
      id: z.number(),
      userId: z.number(),
      type: z.enum(['PERSONAL', 'BUSINESS']),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      dateOfBirth: z.string().optional(),
      businessName: z.string().optional(),
      registrationNumber: z.string().optional(),
      verification: z.enum(['verified', 'not_verified']),
    }),
  ),
  tokens: z.array(
    z.looseObject({
      kind: z.enum(['client', 'user']),
      userId: z.number().optional(),
      profileIds: z.array(z.number()).optional(),
      access_token: z.string(),
      refresh_token: z.string().optional(),
      revoked: z.boolean(),
    }),
  ),
  authorizationCodes: z.array(z.looseObject({ code: z.string(), userId: z.number(), used: z.boolean() })),
  emailedAuthorizationCodes: z.array(z.object({ email: z.string(), code: z.string() })),
  kycReviews: z.array(z.looseObject({ id: z.string(), profileId: z.number(), status: kycStatus })),
  subscriptions: z.array(
    z.looseObject({
      id: z.string(),
      trigger_on: z.string(),
      delivery: z.looseObject({ url: z.string() }),
      scope: z.unknown(),
    }),
  ),
  deliveries: z.array(
    z.looseObject({
      id: z.string(),
      subscriptionId: z.string(),
      event_type: z.string(),
      responseStatus: z.number().nullable(),
      attempts: z.number().int(),
      status: z.enum(['pending', 'delivered', 'failed']),
      deliveryIds: z.array(z.string()),
      attemptedAt: z.array(isoInstant),
      nextAttemptAt: isoInstant.nullable(),
    }),
  ),
});
export type SimStateView = z.infer<typeof simState>;
