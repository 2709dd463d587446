/**
 * The partner API's OpenAPI 3.1 document, built from the code rather than written beside it:
 * the route table (shared/routes.ts) gives methods, paths and authentication; the zod schemas the
 * handlers parse with give every parameter and request body; responses are zod schemas too, held
 * against the types the use cases return (see the compile-time checks below), so a change to
 * either side fails `tsc` or `scripts/openapi.ts --check` instead of silently drifting.
 *
 * Lives in scripts/, not shared/: it imports from functions/*, and nothing here is ever bundled
 * into a Lambda.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import {
  customerParams as linkCustomerParams,
  callbackQuery,
  linkCodeBody,
  startLinkBody,
} from '../functions/oauth/schemas';
import { verificationCheckBody } from '../functions/onboarding/profiles';
import { customerParams, profileParams } from '../functions/onboarding/routes';
import {
  createBody as kycCreateBody,
  linkBody as kycLinkBody,
  profileParams as kycProfileParams,
  reviewParams as kycReviewParams,
  triggerSchema as kycTriggerSchema,
} from '../functions/kyc-reviews/schemas';
import type { HostedLink, KycReviewWithLink } from '../functions/kyc-reviews/kyc-review-service';
import type { SubmitKycRequirement } from '../functions/kyc-reviews/requirement-submission';
import { accountStatuses, type publicAccount } from '../shared/domain/account';
import {
  ALLOWED_FILE_TYPES,
  MAX_DATA_BYTES,
  MAX_FILES,
  MAX_TOTAL_FILE_BYTES,
  REQUIREMENT_KEY_PATTERN,
} from '../shared/domain/kyc/requirement-submission';
import { kycReviewStatuses, type PublicKycReview } from '../shared/domain/kyc/review';
import { linkFailureReasons } from '../shared/domain/linking/callback-outcome';
import { businessProfileSchema } from '../shared/domain/onboarding/business-profile';
import { OCCUPATION_COUNTRIES, STATE_CODE_COUNTRIES } from '../shared/domain/onboarding/countries';
import { NAME_MAX } from '../shared/domain/onboarding/fields';
import { identityDocumentSchema, identityDocumentTypes } from '../shared/domain/onboarding/identity-document';
import { newCustomerSchema, personalProfileUpdateSchema } from '../shared/domain/onboarding/personal-profile';
import { IDEMPOTENCY_WINDOW_SECONDS } from '../shared/http/idempotency';
import { DEFAULT_MAX_BODY_BYTES } from '../shared/http/parse';
import type { ProblemBody } from '../shared/http/problem';
import { systemClock } from '../shared/ports/clock';
import { ADMIN_SCOPE, routes, type Route, type RouteId } from '../shared/routes';
import { MAX_WEBHOOK_BODY_BYTES, type DeliveryResult } from '../shared/webhooks/webhook-delivery';
import { envelopeSchema } from '../shared/webhooks/webhook-event';
import { verificationStatusSchema } from '../shared/wise/schemas';

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect)
// ---------------------------------------------------------------------------------------------

export type JsonSchema = Record<string, unknown>;
export type SchemaIo = 'input' | 'output';

const formatOf: Record<string, string> = {
  email: 'email',
  url: 'uri',
  uuid: 'uuid',
  guid: 'uuid',
  datetime: 'date-time',
};

/**
 * JSON Schema of a zod schema. Requests are described by what the schema accepts (`input`),
 * responses by what it produces (`output`). zod renders the input side of `a.pipe(b)` as `a`
 * alone, which loses e.g. `format: email` from `z.string().trim().pipe(z.email())`; the format
 * (an annotation, not an assertion, in 2020-12) is put back so that partners' tools show it.
 * Refinements (date of birth in the past, state code for USA...) have no JSON Schema form: the
 * operation descriptions name them.
 */
export const jsonSchemaOf = (schema: z.ZodType, io: SchemaIo): JsonSchema => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as { type: string; out?: z.ZodType; catchall?: z.ZodType };
      // zod closes every plain object of an output; a response that gains a field later must not break
      // partners who validate against this document (strict and loose objects keep their own rule).
      if (io === 'output' && def.type === 'object' && def.catchall === undefined)
        delete ctx.jsonSchema.additionalProperties;
      if (io !== 'input' || def.type !== 'pipe' || !def.out) return;
      const out = def.out._zod.def as { type: string; format?: string; entries?: Record<string, string> };
      const format = out.format ? formatOf[out.format] : undefined;
      if (out.type === 'string' && format) ctx.jsonSchema.format = format;
      if (out.type === 'enum' && out.entries && ctx.jsonSchema.description === undefined) {
        ctx.jsonSchema.description = `One of ${Object.values(out.entries).join(', ')} (after normalisation).`;
      }
    },
  });
  return json as JsonSchema;
};

// ---------------------------------------------------------------------------------------------
// Response bodies. zod where the code has no schema of its own, checked against the code's types.
// ---------------------------------------------------------------------------------------------

/** RFC 9457 problem details, as shared/http/problem.ts builds them. */
export const problemSchema = z
  .object({
    type: z
      .string()
      .describe(
        'A URI naming the problem type: `https://wise-onboarding.dev/problems/<code in kebab case>`.',
      ),
    title: z.string().describe('The HTTP status text.'),
    status: z.number().int().min(400).max(599),
    detail: z.string().describe('For humans. Never carries a secret, a Wise token or a stack trace.'),
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .describe('Stable UPPER_SNAKE machine code to branch on; see the list in the API description.'),
    errors: z
      .array(
        z.object({
          path: z.string().describe('Dotted field path, e.g. `address.city`, or `(body)`.'),
          message: z.string(),
        }),
      )
      .optional()
      .describe('One entry per bad field (VALIDATION_FAILED and some Wise refusals).'),
  })
  .meta({ title: 'Problem' });

/** What API Gateway itself answers (JWT authorizer, throttling) before any function runs. */
const gatewayMessageSchema = z.object({ message: z.string() }).meta({ title: 'GatewayMessage' });

/** Every instant this service answers is `Date#toISOString()`: UTC, milliseconds, `Z`. */
const isoInstant = z.iso.datetime();
const wiseProfileId = z.number().int().positive();
const profileType = z.enum(['PERSONAL', 'BUSINESS']);
const verification = z.enum(['verified', 'not_verified', 'unknown']);

const accountSchema = z.object({
  customerId: z.string(),
  status: z.enum(accountStatuses),
  wiseUserId: z.number().int().optional().describe('Present once Wise knows the user.'),
  profiles: z.array(
    z.object({
      id: wiseProfileId,
      type: profileType,
      verification: verification.describe(
        "From Wise's verification webhooks; `unknown` until the first one.",
      ),
      verificationUpdatedAt: isoInstant.optional(),
      cdd: z
        .object({ state: z.string(), requiredEvidences: z.array(z.string()) })
        .optional()
        .describe("Wise's latest customer due-diligence state for the profile, when Wise sent one."),
    }),
  ),
});

/** Wise's own profile fields pass through; `type` and `verification` are this service's view. */
const profileEnvelopeSchema = z.object({
  profile: z.looseObject({ id: wiseProfileId, type: profileType, verification }),
});

const verificationCheckSchema = z.object({
  routes: verificationStatusSchema.unwrap().shape.routes.describe("Wise's routes, as Wise answered them."),
  canTransfer: z
    .record(z.string(), z.boolean())
    .describe('Per upper-case source currency: `verified`, or `not_verified` with an entitlement above 0.'),
});

const identityDocumentAcceptedSchema = z.object({
  profileId: wiseProfileId,
  type: z.enum(identityDocumentTypes),
  success: z.literal(true),
});

const claimLinkSchema = z.object({
  claimUrl: z
    .url()
    .describe("Wise's authorize page with a claim-account code; a bearer secret for the customer."),
  expiresAt: isoInstant.describe("Wise's claim code lives 5 minutes."),
});

const authorizeLinkSchema = z.object({
  authorizeUrl: z.url().describe("Send the customer's browser here."),
  expiresAt: isoInstant.describe(
    'When the link state expires; after it the callback answers `reason=expired_state`.',
  ),
});

const linkedSchema = z.object({ status: z.literal('LINKED'), profileId: wiseProfileId });

const deliveryResults = ['applied', 'stale', 'unmatched', 'ignored', 'test', 'duplicate'] as const;
const webhookAckSchema = z.object({
  result: z
    .enum(deliveryResults)
    .describe('What the delivery did. Wise ignores the body; operators read it.'),
});

const hostedLinkSchema = z.object({
  url: z.url().describe("Wise's hosted KYC page; a bearer secret for the customer's session."),
  expiresAt: isoInstant.describe('Never less than 30 seconds away when served.'),
});

const kycReviewSchema = z.object({
  id: z.string().describe("Wise's KYC review id."),
  profileId: wiseProfileId,
  status: z.string().describe(`Wise's status: ${kycReviewStatuses.join(', ')}; Wise may add statuses.`),
  trigger: kycTriggerSchema.optional(),
  requirements: z
    .array(z.array(z.object({ key: z.string(), state: z.string(), apiCollectionSupported: z.boolean() })))
    .optional()
    .describe('AND over the outer list, OR within each inner list.'),
  requiredBy: isoInstant.optional().describe("Wise's deadline, for PASSED_WITH_REQUIREMENTS."),
  redirectUrl: z.string().optional(),
  createdAt: isoInstant.optional(),
  updatedAt: isoInstant.optional(),
});
const kycReviewWithLinkSchema = kycReviewSchema.extend({
  link: hostedLinkSchema
    .nullable()
    .describe('Null when the review does not wait for the customer (Wise gives no link then).'),
});
const kycReviewListSchema = z.object({ items: z.array(kycReviewSchema) });
const requirementSubmittedSchema = z.object({
  reviewId: z.string(),
  requirementKey: z.string(),
  state: z.literal('IN_REVIEW'),
});

// The use cases return plain objects, not parsed ones: these fail `tsc` when a use case's answer
// and its documented schema part ways.
type Assignable<From, To> = [From] extends [To] ? true : false;
type Same<A, B> = Assignable<A, B> extends true ? Assignable<B, A> : false;
type Holds<T extends true> = T;
export type _ResponseSchemasMatchTheCode = [
  Holds<Same<ProblemBody, z.infer<typeof problemSchema>>>,
  Holds<Assignable<ReturnType<typeof publicAccount>, z.infer<typeof accountSchema>>>,
  Holds<Same<DeliveryResult, (typeof deliveryResults)[number]>>,
  Holds<Assignable<HostedLink, z.infer<typeof hostedLinkSchema>>>,
  Holds<Assignable<PublicKycReview, z.infer<typeof kycReviewSchema>>>,
  Holds<Assignable<KycReviewWithLink, z.infer<typeof kycReviewWithLinkSchema>>>,
  Holds<
    Assignable<Awaited<ReturnType<SubmitKycRequirement['run']>>, z.infer<typeof requirementSubmittedSchema>>
  >,
];

// ---------------------------------------------------------------------------------------------
// The stable problem codes
// ---------------------------------------------------------------------------------------------

interface ProblemCode {
  readonly status: number;
  readonly meaning: string;
  /** The answer carries `Retry-After` (seconds). */
  readonly retryAfter?: boolean;
}

/** Every `code` a route of the table can answer with, and its one status. */
export const problemCodes = {
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'A path parameter, query parameter, header or body field is invalid; `errors[]` names each one.',
  },
  RETURN_URL_NOT_ALLOWED: {
    status: 400,
    meaning: 'The return/redirect URL does not start with one of the configured allowed prefixes.',
  },
  UNAUTHORIZED: { status: 401, meaning: 'The bearer token is missing or not valid.' },
  INVALID_SIGNATURE: {
    status: 401,
    meaning: "The webhook's `X-Signature-SHA256` is missing or does not verify; nothing was stored.",
  },
  FORBIDDEN: {
    status: 403,
    meaning: 'The token may not act on this customer (same answer whether or not the customer exists).',
  },
  CUSTOMER_NOT_FOUND: { status: 404, meaning: 'This service has never seen this customer.' },
  PROFILE_NOT_FOUND: { status: 404, meaning: 'The customer has no Wise profile with this id.' },
  KYC_REVIEW_NOT_FOUND: { status: 404, meaning: 'The profile has no KYC review with this id.' },
  QUOTE_NOT_FOUND: { status: 404, meaning: 'Wise knows no quote with this id for this profile.' },
  EXISTING_WISE_ACCOUNT: {
    status: 409,
    meaning:
      'Wise already has an account for this email: link it (route 8); status is now `EXISTING_ACCOUNT`.',
  },
  IN_PROGRESS: {
    status: 409,
    meaning:
      'The same work is under way in another request (or under the same Idempotency-Key); retry shortly.',
    retryAfter: true,
  },
  LINK_IN_PROGRESS: {
    status: 409,
    meaning: 'Linking an existing Wise account is in progress for this customer.',
  },
  RELINK_REQUIRED: {
    status: 409,
    meaning: "Wise no longer accepts the customer's tokens; link the Wise account again.",
  },
  ACCOUNT_DEACTIVATED: { status: 409, meaning: "Wise deactivated this customer's account." },
  ACCOUNT_NOT_READY: {
    status: 409,
    meaning: 'The customer has no Wise tokens yet; create or link the Wise account first.',
  },
  PERSONAL_PROFILE_REQUIRED: {
    status: 409,
    meaning: 'Create the Wise account and its personal profile first (route 1).',
  },
  CLAIM_NOT_AVAILABLE: {
    status: 409,
    meaning: 'Only an active Wise account this service created can be claimed.',
  },
  KYC_REVIEW_IN_PROGRESS: {
    status: 409,
    meaning:
      'Another request is creating the KYC review for this trigger and has not recorded it yet; retry shortly to receive it.',
    retryAfter: true,
  },
  KYC_LINK_UNAVAILABLE: {
    status: 409,
    meaning: 'The review does not wait for the customer: Wise has no hosted page to open.',
  },
  KYC_REQUIREMENT_NOT_FOUND: { status: 404, meaning: 'The review has no requirement with this key.' },
  KYC_REVIEW_NOT_AWAITING_INPUT: {
    status: 409,
    meaning: 'Requirements can be submitted only while the review waits for the customer.',
  },
  KYC_REQUIREMENT_NOT_API_COLLECTABLE: {
    status: 409,
    meaning: 'Wise collects this requirement only on its hosted page.',
  },
  KYC_REQUIREMENT_ALREADY_PROVIDED: { status: 409, meaning: 'This requirement has already been provided.' },
  KYC_SUBMISSION_REJECTED: {
    status: 422,
    meaning: "Wise did not accept the requirement submission; `errors[]` carries Wise's reasons.",
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than the route accepts.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning:
      "The body's media type is not the route's (`application/json`; `multipart/form-data` for requirement submission).",
  },
  IDEMPOTENCY_KEY_REUSED: { status: 422, meaning: 'This Idempotency-Key was used with a different request.' },
  DOCUMENT_REJECTED: {
    status: 422,
    meaning: "Wise did not accept the document; `detail` carries Wise's reason code (e.g. NAME_MISMATCH).",
  },
  IDENTITY_MISMATCH: {
    status: 422,
    meaning: 'The Wise profile is not the same person (date of birth); the link was not kept.',
  },
  LINK_CODE_REJECTED: {
    status: 422,
    meaning: 'Wise did not accept the code: wrong, expired or already used.',
  },
  INTERNAL_ERROR: {
    status: 500,
    meaning: "Something failed on this service's side; the request can be retried.",
  },
  WISE_REJECTED: {
    status: 502,
    meaning: 'Wise refused the request in a way this service could not map to one of the codes above.',
  },
  WISE_BAD_RESPONSE: { status: 502, meaning: 'Wise answered in an unexpected shape.' },
  WISE_UNAVAILABLE: {
    status: 503,
    meaning:
      'Wise still failed after retries within the request budget; nothing already done is lost or redone.',
    retryAfter: true,
  },
  WEBHOOK_NOT_RECORDED: {
    status: 503,
    meaning: 'The event could not be recorded durably; Wise redelivers it.',
    retryAfter: true,
  },
  WEBHOOK_KEYS_NOT_CONFIGURED: {
    status: 503,
    meaning: 'No webhook verification key is configured; deliveries are refused until one is.',
    retryAfter: true,
  },
} as const satisfies Record<string, ProblemCode>;
export type ProblemCodeName = keyof typeof problemCodes;

// ---------------------------------------------------------------------------------------------
// What each route of the table accepts and answers
// ---------------------------------------------------------------------------------------------

/** A zod schema that becomes a named component. */
export interface NamedSchema {
  readonly name: string;
  readonly schema: z.ZodType;
}
const named = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });

interface JsonAnswer {
  readonly description: string;
  readonly body: NamedSchema;
  readonly headers?: readonly HeaderName[];
}

/** A response this module cannot derive (redirects, HTML pages): written out as OpenAPI. */
interface RawAnswer {
  readonly raw: Record<string, unknown>;
}

export interface RouteDoc {
  readonly summary: string;
  readonly description: string;
  /** The zod object the handler parses `pathParameters` with. */
  readonly params?: z.ZodObject;
  /** The zod object the handler parses the query string with. */
  readonly query?: z.ZodObject;
  /** The zod schema(s) the handler validates the JSON body with; several: the use case picks one. */
  readonly body?: readonly NamedSchema[];
  /** A body that is not JSON (multipart), which the handler parses by hand: described as written here. */
  readonly otherBody?: { readonly required: boolean; readonly content: Record<string, unknown> };
  readonly maxBodyBytes?: number;
  /** `replayed`: the first answer for a key is stored and replayed; `ignored`: accepted but not stored. */
  readonly idempotencyKey?: 'replayed' | 'ignored';
  /** Calls Wise with the customer's tokens (ACCOUNT_NOT_READY / RELINK_REQUIRED are possible). */
  readonly userTokens?: boolean;
  /** Calls Wise at all (502 / 503 are possible). */
  readonly callsWise?: boolean;
  readonly success: Readonly<Record<number, JsonAnswer | RawAnswer>>;
  /** Route-specific problem codes; the common ones follow from the flags above. */
  readonly problems?: readonly ProblemCodeName[];
  readonly requestHeaders?: readonly Record<string, unknown>[];
}

const now = () => systemClock.now();

const newCustomer = named('NewCustomer', newCustomerSchema(now));
const personalProfileUpdate = named('PersonalProfileUpdate', personalProfileUpdateSchema(now));
const businessProfile = named('BusinessProfile', businessProfileSchema);
const account = named('Account', accountSchema);
const profileEnvelope = named('ProfileEnvelope', profileEnvelopeSchema);
const kycReview = named('KycReview', kycReviewSchema);

const upper = (codes: ReadonlySet<string>) => [...codes].map((c) => c.toUpperCase()).join(', ');
const personRules =
  'Rules checked before any Wise call that JSON Schema cannot express: `dateOfBirth` is a real date after 1900-01-01 and in the past; ' +
  `\`address.stateCode\` is required for ${upper(STATE_CODE_COUNTRIES)}; \`occupations\` is required for residents of ` +
  `${upper(OCCUPATION_COUNTRIES)} and of New Mexico (USA, NM); country codes are ISO 3166-1 alpha-3 in any case (sent to Wise in ` +
  'lower case); `phoneNumber` is E.164 once spaces, dots, dashes and brackets are removed; names longer than ' +
  `${NAME_MAX} characters are truncated to ${NAME_MAX} (Wise's instruction).`;

export const routeDocs: { readonly [K in RouteId]: RouteDoc } = {
  createAccount: {
    summary: "Create the customer's Wise account",
    description:
      "Creates a Wise user with a registration code, then its personal profile, from the partner's KYC data (Wise's personal-profile " +
      'field names). A resumable state machine: a retry after a failure continues where it stopped and never makes a second Wise user. ' +
      `201 with the account; a repeat after success answers 200 with the same body. ${personRules} ` +
      '`sendAuthorizationCodeAsEmail: true` on a customer in `EXISTING_ACCOUNT` asks Wise to email the customer a code for route 10.',
    params: customerParams,
    body: [newCustomer],
    idempotencyKey: 'replayed',
    callsWise: true,
    success: {
      201: { description: 'The Wise user and personal profile were created.', body: account },
      200: {
        description:
          'The account already exists (a repeat after success, or a concurrent request finished it).',
        body: account,
      },
    },
    problems: [
      'EXISTING_WISE_ACCOUNT',
      'IN_PROGRESS',
      'LINK_IN_PROGRESS',
      'RELINK_REQUIRED',
      'ACCOUNT_DEACTIVATED',
    ],
  },
  getAccount: {
    summary: 'Read the stored account',
    description:
      "The account as stored, kept current by Wise's webhooks. Served from the store: no Wise call.",
    params: customerParams,
    success: { 200: { description: 'The stored account.', body: account } },
    problems: ['CUSTOMER_NOT_FOUND'],
  },
  createBusinessProfile: {
    summary: 'Create a business profile',
    description:
      "Creates a business profile with Wise's v2 business fields. Needs the personal profile first. `secondLevelCategory` must belong to " +
      '`firstLevelCategory`; `companyType: OTHER` needs `webpage` and `businessFreeFormDescription`. The same details for the same customer ' +
      'never make a second profile.',
    params: customerParams,
    body: [businessProfile],
    idempotencyKey: 'replayed',
    userTokens: true,
    callsWise: true,
    success: { 201: { description: 'The profile Wise created.', body: profileEnvelope } },
    problems: ['PERSONAL_PROFILE_REQUIRED'],
  },
  updateProfile: {
    summary: "Update a profile's details",
    description:
      "Replaces the profile's details at Wise, opening and closing Wise's update window around the change. The body is a " +
      '`PersonalProfileUpdate` for a personal profile and a `BusinessProfile` for a business profile (the stored profile type decides). ' +
      `${personRules}`,
    params: profileParams,
    body: [personalProfileUpdate, businessProfile],
    userTokens: true,
    callsWise: true,
    success: { 200: { description: 'The profile as Wise now holds it.', body: profileEnvelope } },
    problems: ['PROFILE_NOT_FOUND'],
  },
  checkVerification: {
    summary: 'Check whether the customer can send money',
    description:
      "A live call to Wise's bank-transfer verification check for the given source currencies (ISO 4217, any case, duplicates removed).",
    params: profileParams,
    body: [named('VerificationCheckRequest', verificationCheckBody)],
    idempotencyKey: 'replayed',
    userTokens: true,
    callsWise: true,
    success: {
      200: {
        description: "Wise's answer and a yes/no per currency.",
        body: named('VerificationCheck', verificationCheckSchema),
      },
    },
    problems: ['PROFILE_NOT_FOUND'],
  },
  submitIdentityDocument: {
    summary: 'Pass an identification document to Wise',
    description:
      'Personal profiles only (a business profile answers 400 on `profileId`). Per-type identifier rules: an SSN is 9 digits, a CPF 11 ' +
      'digits or a CNPJ 14 (punctuation allowed), FINANCIAL_CAPACITY_BR an amount such as `150000.00`.',
    params: profileParams,
    body: [named('IdentityDocument', identityDocumentSchema)],
    idempotencyKey: 'replayed',
    userTokens: true,
    callsWise: true,
    success: {
      201: {
        description: 'Wise accepted the document.',
        body: named('IdentityDocumentAccepted', identityDocumentAcceptedSchema),
      },
    },
    problems: ['PROFILE_NOT_FOUND', 'DOCUMENT_REJECTED'],
  },
  createClaimLink: {
    summary: 'Get a claim-account link',
    description:
      'For an active user this service created: a link where the customer takes over the Wise account (sets a password at Wise). ' +
      'No request body. Every call makes a fresh link; an `Idempotency-Key` is accepted but not replayed, because a stored answer would ' +
      'keep a live claim code and replay a link that dies after 5 minutes.',
    params: customerParams,
    idempotencyKey: 'ignored',
    userTokens: true,
    callsWise: true,
    success: {
      201: { description: 'A claim link, valid 5 minutes.', body: named('ClaimLink', claimLinkSchema) },
    },
    problems: ['CUSTOMER_NOT_FOUND', 'CLAIM_NOT_AVAILABLE'],
  },
  startLink: {
    summary: 'Start linking an existing Wise account',
    description:
      "Stores a single-use OAuth state bound to the customer, the return URL and the optional date of birth, and answers Wise's " +
      'authorization URL. `returnUrl` must start with a configured allowed prefix. `dateOfBirth`, when given, is compared with the ' +
      "granted Wise profile's (a mismatch ends in `reason=identity_mismatch`). `claimAccount: true` makes the link also let a user this " +
      "service created claim its account (else 409 CLAIM_NOT_AVAILABLE). The customer's status becomes `LINK_PENDING`.",
    params: linkCustomerParams,
    body: [named('StartLinkRequest', startLinkBody(systemClock))],
    idempotencyKey: 'replayed',
    userTokens: true,
    callsWise: true,
    success: {
      201: {
        description: "Where to send the customer's browser.",
        body: named('AuthorizeLink', authorizeLinkSchema),
      },
    },
    problems: ['RETURN_URL_NOT_ALLOWED', 'CLAIM_NOT_AVAILABLE'],
  },
  oauthCallback: {
    summary: "Wise's OAuth redirect (browser)",
    description:
      "Public: Wise sends the customer's browser here with `code`, `state` and `profileId`, or with `error`, `error_description` and " +
      "`state`. The state is consumed at once (single use). With a usable state the answer is always a 302 to that state's return URL, " +
      'with `status=linked&profileId=<id>` or `status=error&reason=<reason>` added to its query (parameters the partner put in its ' +
      'return URL are kept; these three win on a clash). Without one (missing, unknown, used, or its return URL no longer allowed) the ' +
      'answer is a fixed HTML page, never a redirect. Nothing from the query is echoed. Every answer carries `Cache-Control: no-store` ' +
      'and `Referrer-Policy: no-referrer`.',
    query: callbackQuery,
    callsWise: true,
    success: {
      302: {
        raw: {
          description:
            `Back to the partner's return URL. \`reason\` is one of: ${linkFailureReasons.map((r) => `\`${r}\``).join(', ')} ` +
            '(`access_denied`: the customer refused; `invalid_state`; `expired_state`: the link took too long; `exchange_failed`: Wise ' +
            'gave no usable code or did not answer; `identity_mismatch`: the Wise profile is not the same person).',
          headers: {
            Location: {
              description:
                'The return URL with `status=linked&profileId=<id>` or `status=error&reason=<reason>`.',
              required: true,
              schema: { type: 'string', format: 'uri' },
            },
            'Cache-Control': { $ref: '#/components/headers/CacheControlNoStore' },
            'Referrer-Policy': { $ref: '#/components/headers/ReferrerPolicyNoReferrer' },
          },
          'x-return-url-query': {
            status: ['linked', 'error'],
            reason: [...linkFailureReasons],
          },
        },
      },
      400: {
        raw: {
          description:
            'No usable state (missing, malformed, unknown, already used, or its return URL is no longer allowed): an HTML page, no redirect.',
          headers: htmlPageHeaders(),
          content: { 'text/html': { schema: { type: 'string' } } },
        },
      },
      500: {
        raw: {
          description:
            'Linking failed unexpectedly: an HTML page asking the customer to start again, no redirect.',
          headers: htmlPageHeaders(),
          content: { 'text/html': { schema: { type: 'string' } } },
        },
      },
    },
  },
  linkWithCode: {
    summary: 'Link with a code the customer typed',
    description:
      'The email fallback: the code Wise showed the customer after granting access, exchanged and checked exactly like a callback. The ' +
      "date of birth to compare comes from the body, else from the account, else from the customer's latest pending link.",
    params: linkCustomerParams,
    body: [named('LinkCodeRequest', linkCodeBody(systemClock))],
    idempotencyKey: 'replayed',
    callsWise: true,
    success: { 200: { description: 'The Wise account is linked.', body: named('Linked', linkedSchema) } },
    problems: ['IDENTITY_MISMATCH', 'LINK_CODE_REJECTED'],
  },
  receiveWebhook: {
    summary: 'Wise webhook deliveries',
    description:
      "Public: Wise's deliveries. The signature is checked over the raw body bytes before anything is parsed (RSA-SHA256, the " +
      'configured Wise public keys). 200 once the event is durably recorded, also for duplicates, test notifications and unknown event ' +
      'types; 5xx only when it could not be recorded, so that Wise retries. Events are de-duplicated for at least 16 days.',
    body: [named('WiseWebhookEnvelope', envelopeSchema)],
    maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
    requestHeaders: [
      {
        name: 'X-Signature-SHA256',
        in: 'header',
        required: true,
        description:
          'Base64 RSASSA-PKCS1-v1_5 SHA-256 signature of the exact body bytes. Missing or wrong: 401, nothing stored.',
        schema: { type: 'string' },
      },
      {
        name: 'X-Test-Notification',
        in: 'header',
        required: false,
        description: "`true` on Wise's test notifications: recorded, not applied.",
        schema: { type: 'string' },
      },
      {
        name: 'X-Delivery-Id',
        in: 'header',
        required: false,
        description: "Wise's delivery id, kept with the event record.",
        schema: { type: 'string' },
      },
    ],
    success: { 200: { description: 'Durably recorded.', body: named('WebhookAck', webhookAckSchema) } },
    problems: [
      'VALIDATION_FAILED',
      'INVALID_SIGNATURE',
      'PAYLOAD_TOO_LARGE',
      'INTERNAL_ERROR',
      'WEBHOOK_NOT_RECORDED',
      'WEBHOOK_KEYS_NOT_CONFIGURED',
    ],
  },
  createKycReview: {
    summary: 'Create a KYC review and its hosted link',
    description:
      "Creates Wise's KYC review for the trigger and sets its hosted page to return to `redirectUrl` (an allowed prefix). The same " +
      'trigger never makes a second review: a repeat answers 200 with the existing review and a link that is still good. Simultaneous ' +
      'requests for one trigger are served by one creation: the others answer 200 with its review, or 409 KYC_REVIEW_IN_PROGRESS ' +
      '(with `Retry-After`) when it is not recorded within about 2.5 s. No `Idempotency-Key` replay (the answer carries a bearer ' +
      'link that must not rest in plain text); the request is safe to retry without it.',
    params: kycProfileParams,
    body: [named('CreateKycReviewRequest', kycCreateBody)],
    idempotencyKey: 'ignored',
    userTokens: true,
    callsWise: true,
    success: {
      201: {
        description: 'The review was created.',
        body: named('KycReviewWithLink', kycReviewWithLinkSchema),
      },
      200: {
        description: 'A review for this trigger already existed, or a simultaneous request created it.',
        body: named('KycReviewWithLink', kycReviewWithLinkSchema),
      },
    },
    problems: ['RETURN_URL_NOT_ALLOWED', 'PROFILE_NOT_FOUND', 'QUOTE_NOT_FOUND', 'KYC_REVIEW_IN_PROGRESS'],
  },
  listKycReviews: {
    summary: "List the profile's KYC reviews",
    description: "As stored and kept current by Wise's webhooks. No Wise call; no hosted links.",
    params: kycProfileParams,
    success: {
      200: { description: 'The stored reviews.', body: named('KycReviewList', kycReviewListSchema) },
    },
    problems: ['PROFILE_NOT_FOUND'],
  },
  getKycReview: {
    summary: 'Read one KYC review',
    description:
      'Reads the review from Wise and records it (a newer webhook state is never overwritten). While Wise is unavailable the stored review answers.',
    params: kycReviewParams,
    userTokens: true,
    callsWise: true,
    success: { 200: { description: 'The review.', body: kycReview } },
    problems: ['PROFILE_NOT_FOUND', 'KYC_REVIEW_NOT_FOUND'],
  },
  refreshKycLink: {
    summary: 'Get a fresh hosted KYC link',
    description:
      'A hosted link with more than 30 seconds left; an expired link is never served. `redirectUrl` is optional (no body at all is ' +
      "fine): without it the review's current redirect URL is used, and 400 VALIDATION_FAILED when it has none. No `Idempotency-Key` " +
      'replay, for the same reason as creation.',
    params: kycReviewParams,
    body: [named('KycLinkRequest', kycLinkBody)],
    idempotencyKey: 'ignored',
    userTokens: true,
    callsWise: true,
    success: {
      200: { description: 'A link the customer can open now.', body: named('HostedLink', hostedLinkSchema) },
    },
    problems: ['RETURN_URL_NOT_ALLOWED', 'PROFILE_NOT_FOUND', 'KYC_REVIEW_NOT_FOUND', 'KYC_LINK_UNAVAILABLE'],
  },
  submitKycRequirement: {
    summary: 'Submit a KYC requirement over the API',
    description:
      "Not in the partner contract's original 15 routes: passes one API-collectable requirement of a review to Wise (Wise's closed " +
      "beta), instead of the hosted page. A `multipart/form-data` body with exactly one `data` part (a JSON object, Wise's " +
      `\`submissionData.data\`, at most ${MAX_DATA_BYTES / 1024} KiB) and up to ${MAX_FILES} \`files\` parts ` +
      `(${Object.keys(ALLOWED_FILE_TYPES).join(', ')}, with matching extensions and content, ${MAX_TOTAL_FILE_BYTES / 1024 / 1024} MiB in all). ` +
      'Accepted only while the review waits for the customer (or passed with requirements due) and the requirement is NOT_PROVIDED. ' +
      'No `Idempotency-Key` replay: a retry after success answers 409 `KYC_REQUIREMENT_ALREADY_PROVIDED`.',
    // submissionParams in functions/kyc-reviews/requirement-submission.ts is module-private: the
    // review's parameters are the handler's, `requirementKey` is the domain's own check.
    params: kycReviewParams.extend({ requirementKey: z.string().regex(REQUIREMENT_KEY_PATTERN) }),
    otherBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              data: {
                type: 'string',
                description: "A JSON object: Wise's `submissionData.data` for this requirement.",
              },
              files: {
                type: 'array',
                maxItems: MAX_FILES,
                items: { type: 'string', contentMediaType: 'application/octet-stream' },
              },
            },
            required: ['data'],
          },
          encoding: {
            data: { contentType: 'application/json' },
            files: { contentType: Object.keys(ALLOWED_FILE_TYPES).join(', ') },
          },
        },
      },
    },
    userTokens: true,
    callsWise: true,
    idempotencyKey: 'ignored',
    success: {
      202: {
        description: 'Passed to Wise; the requirement is now in review.',
        body: named('RequirementSubmitted', requirementSubmittedSchema),
      },
    },
    problems: [
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'PROFILE_NOT_FOUND',
      'KYC_REVIEW_NOT_FOUND',
      'KYC_REQUIREMENT_NOT_FOUND',
      'KYC_REVIEW_NOT_AWAITING_INPUT',
      'KYC_REQUIREMENT_NOT_API_COLLECTABLE',
      'KYC_REQUIREMENT_ALREADY_PROVIDED',
      'KYC_SUBMISSION_REJECTED',
    ],
  },
};

function htmlPageHeaders(): Record<string, unknown> {
  return {
    'Cache-Control': { $ref: '#/components/headers/CacheControlNoStore' },
    'Referrer-Policy': { $ref: '#/components/headers/ReferrerPolicyNoReferrer' },
  };
}

// ---------------------------------------------------------------------------------------------
// Assembling the document
// ---------------------------------------------------------------------------------------------

type HeaderName = 'RetryAfter' | 'WWWAuthenticate';

const SECURITY_SCHEME = 'partnerJwt';
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** The problem codes a route can answer, from its own list and what it does. */
export const problemCodesOf = (route: Route, doc: RouteDoc): ProblemCodeName[] => {
  const codes = new Set<ProblemCodeName>(doc.problems ?? []);
  const add = (...more: ProblemCodeName[]) => more.forEach((c) => codes.add(c));
  // The public routes answer only what they list: the callback answers HTML pages, the webhook its own codes.
  if (route.auth !== 'partner') return [...codes];
  // The handler stack: token, customer guard, path parameters, unexpected failures.
  add('VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'INTERNAL_ERROR');
  if (doc.body) add('PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (doc.idempotencyKey === 'replayed') add('IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED');
  if (doc.userTokens) add('ACCOUNT_NOT_READY', 'RELINK_REQUIRED');
  if (doc.callsWise) add('WISE_REJECTED', 'WISE_BAD_RESPONSE', 'WISE_UNAVAILABLE');
  return [...codes];
};

/** One problem+json response for all of a route's codes that share a status. */
const problemResponse = (
  status: number,
  codes: readonly ProblemCodeName[],
  route: Route,
): Record<string, unknown> => {
  const sorted = [...codes].sort();
  const headers: Record<string, unknown> = {};
  const retrying = sorted.filter((c) => (problemCodes[c] as ProblemCode).retryAfter);
  if (retrying.length > 0) {
    headers['Retry-After'] = {
      $ref: '#/components/headers/RetryAfter',
    };
  }
  if (sorted.includes('UNAUTHORIZED'))
    headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWWAuthenticate' };
  const lines = sorted.map((c) => `- \`${c}\`: ${problemCodes[c].meaning}`);
  const content: Record<string, unknown> = { 'application/problem+json': { schema: PROBLEM_REF } };
  let note = '';
  if (status === 401 && route.auth === 'token') {
    // In AWS the JWT authorizer refuses a bad token before the function runs, with its own body.
    content['application/json'] = { schema: { $ref: '#/components/schemas/GatewayMessage' } };
    note =
      '\n\nIn AWS, API Gateway\'s JWT authorizer answers a missing or invalid token itself: `application/json` `{ "message": "Unauthorized" }`.';
  }
  if (retrying.length > 0)
    note += `\n\n\`Retry-After\` (seconds) comes with ${retrying.map((c) => `\`${c}\``).join(', ')}.`;
  return {
    description: `${lines.join('\n')}${note}`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content,
    'x-problem-codes': sorted,
  };
};

/** Whether a body schema accepts an empty request. Some refinements throw on a missing body instead of failing. */
const acceptsNoBody = (schema: z.ZodType): boolean => {
  try {
    return schema.safeParse(undefined).success;
  } catch {
    return false;
  }
};

/** The `{name}` placeholders of an API Gateway path, in order. */
export const pathPlaceholders = (path: string): string[] =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);

const headerRefs = (names: readonly HeaderName[] = []) =>
  Object.fromEntries(
    names.map((n) => [
      n === 'RetryAfter' ? 'Retry-After' : 'WWW-Authenticate',
      { $ref: `#/components/headers/${n}` },
    ]),
  );

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: Record<string, unknown>;
  servers: Record<string, unknown>[];
  tags: Record<string, unknown>[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, unknown>;
    parameters: Record<string, unknown>;
    headers: Record<string, unknown>;
    responses: Record<string, unknown>;
  };
}

export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  security: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }>; description?: string };
  responses: Record<string, Record<string, unknown>>;
}

const packageVersion = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
};

const codeTable = (): string =>
  Object.entries(problemCodes)
    .map(([code, c]) => `| \`${code}\` | ${c.status} | ${c.meaning} |`)
    .join('\n');

const infoDescription =
  (): string => `Bring a bank's customers onto Wise: create Wise accounts from the partner's KYC data, link existing Wise accounts (OAuth), receive Wise's webhooks and run Wise's hosted KYC.

## Authentication
Partner routes need \`Authorization: Bearer <JWT>\` from the partner's identity provider (in AWS: API Gateway's JWT authorizer, issuer and audience from the stack configuration). A caller may act on \`{customerId}\` when the token's \`sub\` equals it, or when its \`scope\` (or \`scp\`) claim contains \`${ADMIN_SCOPE}\` (the partner's back office). Otherwise 403 \`FORBIDDEN\`, the same answer whether or not the customer exists. A missing or invalid token: 401. \`customerId\` is the partner's own id, \`^[A-Za-z0-9_.-]{1,64}$\`, otherwise 400. The OAuth callback and the Wise webhook route are public.

## Retries and Idempotency-Key
Every POST is safe to retry: the flows are resumable state machines. On the POSTs that document an \`Idempotency-Key\` header as replayed, a key (1–255 printable ASCII characters, scoped to the customer and route) returns the first response for the same key and body for ${IDEMPOTENCY_WINDOW_SECONDS / 3600} hours; the same key with a different body is 422 \`IDEMPOTENCY_KEY_REUSED\`, and a duplicate sent while the first is still running is 409 \`IN_PROGRESS\` with \`Retry-After\`. The claim-link, KYC-review, KYC-link and requirement-submission POSTs accept the header but do not store their answers (most carry short-lived bearer links; each operation says why): retrying them is safe without it.

## Errors
Every error of the JSON routes is RFC 9457 \`application/problem+json\` (schema \`Problem\`) with a stable machine \`code\`. No stack traces, secrets or Wise tokens appear in any body. The codes:

| code | status | meaning |
|---|---|---|
${codeTable()}

## Wise outages
Wise 5xx, 429 and timeouts are retried with backoff inside the request budget. If Wise still fails: 503 \`WISE_UNAVAILABLE\` with \`Retry-After\` (seconds); nothing already done is lost or redone, so the same request can simply be sent again.

## Limits and headers
JSON request bodies are limited to ${DEFAULT_MAX_BODY_BYTES / 1024} KiB (Wise webhooks: ${MAX_WEBHOOK_BODY_BYTES / 1024} KiB), else 413. Every answer carries \`Cache-Control: no-store\`. API Gateway itself may answer before any function runs: 401 from the JWT authorizer and 429 when the stage's throttling limits are exceeded, both as \`{ "message": "..." }\`.`;

/** The document, built in memory. Pure apart from reading package.json's version. */
export const buildOpenApiDocument = (): OpenApiDocument => {
  const schemas: Record<string, JsonSchema> = {};
  const register = ({ name, schema }: NamedSchema, io: SchemaIo): { $ref: string } => {
    const json = jsonSchemaOf(schema, io);
    const existing = schemas[name];
    // Two different schemas under one name would silently document the wrong one.
    if (existing && JSON.stringify(existing) !== JSON.stringify(json))
      throw new Error(`two different schemas are named ${name}`);
    schemas[name] = json;
    return { $ref: `#/components/schemas/${name}` };
  };
  register(named('Problem', problemSchema), 'output');
  register(named('GatewayMessage', gatewayMessageSchema), 'output');

  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    const doc = routeDocs[route.id];
    const parameters: Record<string, unknown>[] = [];
    if (doc.params) {
      const json = jsonSchemaOf(doc.params, 'input') as { properties?: Record<string, JsonSchema> };
      for (const name of pathPlaceholders(route.path)) {
        const schema = json.properties?.[name];
        if (!schema) throw new Error(`${route.id}: no schema for path parameter ${name}`);
        parameters.push({ name, in: 'path', required: true, schema });
      }
    } else if (pathPlaceholders(route.path).length > 0) {
      throw new Error(`${route.id}: path parameters without a schema`);
    }
    if (doc.query) {
      const json = jsonSchemaOf(doc.query, 'input') as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema });
      }
    }
    if (doc.idempotencyKey) {
      parameters.push({
        $ref:
          doc.idempotencyKey === 'replayed'
            ? '#/components/parameters/IdempotencyKey'
            : '#/components/parameters/IdempotencyKeyIgnored',
      });
    }
    parameters.push(...(doc.requestHeaders ?? []));

    let requestBody: Operation['requestBody'];
    if (doc.body) {
      const refs = doc.body.map((b) => register(b, 'input'));
      // The body is optional exactly when the handler's schema accepts no body at all.
      const required = doc.body.every((b) => !acceptsNoBody(b.schema));
      requestBody = {
        required,
        content: {
          'application/json': { schema: refs.length === 1 ? (refs[0] as JsonSchema) : { anyOf: refs } },
        },
      };
    } else if (doc.otherBody) {
      requestBody = {
        required: doc.otherBody.required,
        content: doc.otherBody.content as Record<string, { schema: JsonSchema }>,
      };
    }

    const responses: Operation['responses'] = {};
    for (const [status, answer] of Object.entries(doc.success)) {
      responses[status] =
        'raw' in answer
          ? answer.raw
          : {
              description: answer.description,
              ...(answer.headers ? { headers: headerRefs(answer.headers) } : {}),
              content: { 'application/json': { schema: register(answer.body, 'output') } },
            };
    }
    const byStatus = new Map<number, ProblemCodeName[]>();
    for (const code of problemCodesOf(route, doc)) {
      const status = problemCodes[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of byStatus) {
      // Route 9 answers its own errors with HTML pages, documented above.
      if (responses[status]) throw new Error(`${route.id}: status ${status} documented twice`);
      responses[status] = problemResponse(status, codes, route);
    }
    responses['429'] = { $ref: '#/components/responses/GatewayThrottled' };
    const ordered = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));

    const operation: Operation = {
      operationId: route.id,
      tags: [route.function],
      summary: doc.summary,
      description: doc.description,
      security: route.auth === 'token' ? [{ [SECURITY_SCHEME]: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: ordered,
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'wise-onboarding partner API',
      version: packageVersion(),
      description: infoDescription(),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      {
        url: 'http://localhost:3000',
        description: 'The local stack (`npm start`); tokens from `POST /local/token`.',
      },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stack (the `$default` stage is served at the root).',
        variables: {
          apiId: { default: 'apiId', description: 'The HTTP API id (stack output).' },
          region: { default: 'eu-west-1' },
        },
      },
    ],
    tags: [
      {
        name: 'onboarding',
        description: "Create Wise accounts and profiles from the partner's KYC data (routes 1–7).",
      },
      { name: 'oauth', description: 'Link an existing Wise account (routes 8–10).' },
      { name: 'webhooks', description: "Wise's webhook deliveries (route 11)." },
      {
        name: 'kyc-reviews',
        description: "Wise's hosted KYC (routes 12–15) and API requirement submission.",
      },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `A JWT from the partner's identity provider. \`sub\` is the customerId the caller may act on; the scope \`${ADMIN_SCOPE}\` may act on any customer.`,
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: `Replays the first response for the same key and body for ${IDEMPOTENCY_WINDOW_SECONDS / 3600} hours; a different body: 422 \`IDEMPOTENCY_KEY_REUSED\`; while the first is running: 409 \`IN_PROGRESS\`.`,
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
        IdempotencyKeyIgnored: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Accepted and not stored: this route does not replay answers (its description says why). Retrying without it is safe.',
          schema: { type: 'string' },
        },
      },
      headers: {
        RetryAfter: {
          description: 'Seconds to wait before retrying.',
          schema: { type: 'integer', minimum: 1 },
        },
        WWWAuthenticate: { description: '`Bearer`.', schema: { type: 'string' } },
        CacheControlNoStore: {
          description: 'Always `no-store`.',
          schema: { type: 'string', const: 'no-store' },
        },
        ReferrerPolicyNoReferrer: {
          description: 'Always `no-referrer`.',
          schema: { type: 'string', const: 'no-referrer' },
        },
      },
      responses: {
        GatewayThrottled: {
          description: "API Gateway's stage throttling refused the request before any function ran.",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/GatewayMessage' } } },
        },
      },
    },
  };
};
