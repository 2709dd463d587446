/**
 * The problem catalogue: every `code` the partner API can answer with, its one HTTP status, the
 * default `detail` a partner reads, and what it means (for the OpenAPI document). Use cases throw
 * a {@link DomainError} naming a code; the handler stack turns it into problem+json from here,
 * so a code is written once and always answers the same status and words.
 */
export interface ProblemSpec {
  readonly status: number;
  /** The `detail` of the answer, unless the error gives a more specific one. */
  readonly detail: string;
  /** For the OpenAPI document: when a partner sees this code. */
  readonly meaning: string;
  /** The answer carries `Retry-After` (seconds). */
  readonly retryAfter?: boolean;
}

export const problemCatalogue = {
  VALIDATION_FAILED: {
    status: 400,
    detail: 'The request is not valid.',
    meaning: 'A path parameter, query parameter, header or body field is invalid; `errors[]` names each one.',
  },
  RETURN_URL_NOT_ALLOWED: {
    status: 400,
    detail: 'The return URL is not on the configured allowlist.',
    meaning: 'The return/redirect URL does not start with one of the configured allowed prefixes.',
  },
  LINK_RESULT_INVALID: {
    status: 400,
    detail: 'This link result cannot be used: start linking again.',
    meaning:
      'The `result` is unknown, already used, expired (10 minutes) or belongs to another customer (one answer for all); start linking again (route 8).',
  },
  UNAUTHORIZED: {
    status: 401,
    detail: 'A valid bearer token is required.',
    meaning: 'The bearer token is missing or not valid.',
  },
  INVALID_SIGNATURE: {
    status: 401,
    detail: 'The webhook signature is missing or does not verify.',
    meaning: "The webhook's `X-Signature-SHA256` is missing or does not verify; nothing was stored.",
  },
  FORBIDDEN: {
    status: 403,
    detail: 'The caller may not act on this customer.',
    meaning: 'The token may not act on this customer (same answer whether or not the customer exists).',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    detail: 'No such route.',
    meaning: 'No route of this function has this method and path.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    detail: 'This method is not allowed on this path.',
    meaning: 'The local gateway knows the path but not the method (API Gateway answers this itself in AWS).',
  },
  CUSTOMER_NOT_FOUND: {
    status: 404,
    detail: 'This customer has no Wise account here.',
    meaning: 'This service has never seen this customer.',
  },
  PROFILE_NOT_FOUND: {
    status: 404,
    detail: 'This customer has no Wise profile with this id.',
    meaning: 'The customer has no Wise profile with this id.',
  },
  KYC_REVIEW_NOT_FOUND: {
    status: 404,
    detail: 'This profile has no KYC review with this id.',
    meaning: 'The profile has no KYC review with this id.',
  },
  QUOTE_NOT_FOUND: {
    status: 404,
    detail: 'Wise knows no quote with this id for this profile.',
    meaning: 'Wise knows no quote with this id for this profile.',
  },
  KYC_REQUIREMENT_NOT_FOUND: {
    status: 404,
    detail: 'The review has no such requirement.',
    meaning: 'The review has no requirement with this key.',
  },
  EXISTING_WISE_ACCOUNT: {
    status: 409,
    detail:
      'Wise already has an account for this email: link it with POST /v1/customers/{customerId}/wise-link.',
    meaning:
      'Wise already has an account for this email: link it (route 8); status is now `EXISTING_ACCOUNT`.',
  },
  IN_PROGRESS: {
    status: 409,
    detail: 'The same work is under way in another request; retry shortly.',
    meaning:
      'The same work is under way in another request (or under the same Idempotency-Key); retry shortly.',
    retryAfter: true,
  },
  LINK_IN_PROGRESS: {
    status: 409,
    detail: 'Linking an existing Wise account is in progress for this customer.',
    meaning: 'Linking an existing Wise account is in progress for this customer.',
  },
  IDENTITY_REQUIRED: {
    status: 409,
    detail: "Record the customer's identity first (PUT /v1/customers/{customerId}/identity).",
    meaning:
      "Nothing is on record to compare the granted Wise profile with: the partner backend records the customer's date of birth or registration number first (route 18, or route 1).",
  },
  EMAIL_FIXED: {
    status: 409,
    detail: "This customer's signup already reached Wise with another email; the email cannot change.",
    meaning:
      'A signup for this customer already reached Wise with another email: the email is fixed (route 1 never restarts with a new one).',
  },
  PROFILE_LINKED_ELSEWHERE: {
    status: 409,
    detail: 'This Wise profile is already linked to another customer; the link was not kept.',
    meaning:
      "The granted Wise profile is already linked to another of the partner's customers; nothing was kept.",
  },
  LINKED_TO_ANOTHER_WISE_USER: {
    status: 409,
    detail:
      "This customer's account belongs to another Wise user; disconnect it first (DELETE /v1/customers/{customerId}/wise-link). The link was not kept.",
    meaning:
      "The customer's account already has a Wise user (created or linked) and the grant is another Wise user's: an account is never moved to another Wise user silently; disconnect first (route 19).",
  },
  RELINK_REQUIRED: {
    status: 409,
    detail: "Wise no longer accepts this customer's tokens; link the Wise account again.",
    meaning: "Wise no longer accepts the customer's tokens; link the Wise account again.",
  },
  ACCOUNT_DEACTIVATED: {
    status: 409,
    detail: "Wise deactivated this customer's account.",
    meaning: "Wise deactivated this customer's account.",
  },
  ACCOUNT_NOT_READY: {
    status: 409,
    detail: 'This customer has no Wise tokens yet; create or link the Wise account first.',
    meaning: 'The customer has no Wise tokens yet; create or link the Wise account first.',
  },
  PERSONAL_PROFILE_REQUIRED: {
    status: 409,
    detail: "Create the customer's Wise account and personal profile first (route 1).",
    meaning: 'Create the Wise account and its personal profile first (route 1).',
  },
  CLAIM_NOT_AVAILABLE: {
    status: 409,
    detail: 'Only an active Wise account this service created can be claimed.',
    meaning: 'Only an active Wise account this service created can be claimed.',
  },
  KYC_REVIEW_IN_PROGRESS: {
    status: 409,
    detail: 'A KYC review for this trigger is being created by another request; retry shortly to receive it.',
    meaning:
      'Another request is creating the KYC review for this trigger and has not recorded it yet; retry shortly to receive it.',
    retryAfter: true,
  },
  KYC_LINK_UNAVAILABLE: {
    status: 409,
    detail: 'There is nothing for the customer to do on the hosted page.',
    meaning: 'The review does not wait for the customer: Wise has no hosted page to open.',
  },
  KYC_REVIEW_NOT_AWAITING_INPUT: {
    status: 409,
    detail: 'Requirements can be submitted only while the review waits for the customer.',
    meaning: 'Requirements can be submitted only while the review waits for the customer.',
  },
  KYC_REQUIREMENT_NOT_API_COLLECTABLE: {
    status: 409,
    detail: 'Wise collects this requirement only on its hosted page.',
    meaning: 'Wise collects this requirement only on its hosted page.',
  },
  KYC_REQUIREMENT_ALREADY_PROVIDED: {
    status: 409,
    detail: 'This requirement has already been provided.',
    meaning: 'This requirement has already been provided.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    detail: 'The body is larger than the route accepts.',
    meaning: 'The body is larger than the route accepts.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    detail: "The body's media type is not the route's.",
    meaning:
      "The body's media type is not the route's (`application/json`; `multipart/form-data` for requirement submission).",
  },
  KYC_SUBMISSION_REJECTED: {
    status: 422,
    detail: 'Wise did not accept the submission.',
    meaning: "Wise did not accept the requirement submission; `errors[]` carries Wise's reasons.",
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    detail: 'This Idempotency-Key was used with a different request body.',
    meaning: 'This Idempotency-Key was used with a different request.',
  },
  DOCUMENT_REJECTED: {
    status: 422,
    detail: 'Wise did not accept the document.',
    meaning: "Wise did not accept the document; `detail` carries Wise's reason code (e.g. NAME_MISMATCH).",
  },
  IDENTITY_MISMATCH: {
    status: 422,
    detail: 'The Wise profile is not the same person as the customer on record; the link was not kept.',
    meaning:
      'The granted Wise profile is not the customer on record (date of birth for a personal profile, registration number for a business one); nothing was kept.',
  },
  IDENTITY_UNVERIFIABLE: {
    status: 422,
    detail: 'Nothing is on record to compare this kind of Wise profile with; the link was not kept.',
    meaning:
      "Nothing is on record for the granted profile's type (a business profile needs a registration number, a personal one a date of birth: route 18); nothing was kept.",
  },
  LINK_CODE_REJECTED: {
    status: 422,
    detail: 'Wise did not accept this code: it is wrong, expired or already used.',
    meaning: 'Wise did not accept the code: wrong, expired or already used.',
  },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    detail: 'Too many codes failed for this customer; retry later.',
    meaning:
      'At most 5 codes may fail per customer per hour (route 10); `Retry-After` says when the next attempt is allowed.',
    retryAfter: true,
  },
  INTERNAL_ERROR: {
    status: 500,
    detail: 'Something went wrong on our side; the request can be retried.',
    meaning: "Something failed on this service's side; the request can be retried.",
  },
  WISE_REJECTED: {
    status: 502,
    detail: 'Wise refused the request.',
    meaning: 'Wise refused the request in a way this service could not map to one of the codes above.',
  },
  WISE_BAD_RESPONSE: {
    status: 502,
    detail: 'Wise answered in an unexpected shape.',
    meaning: 'Wise answered in an unexpected shape.',
  },
  WISE_UNAVAILABLE: {
    status: 503,
    detail: 'Wise is not answering right now; retry later. Nothing done so far is lost.',
    meaning:
      'Wise still failed after retries within the request budget; nothing already done is lost or redone.',
    retryAfter: true,
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    detail:
      'A service this one depends on is not answering right now; retry later. Nothing done so far is lost.',
    meaning:
      "The product's own store, key service or secret store throttled or failed (DynamoDB, KMS, Secrets Manager); nothing was half-written and a retry completes.",
    retryAfter: true,
  },
  STORE_UNAVAILABLE: {
    status: 503,
    detail: "This service's store did not complete the request in time; retry. Nothing done so far is lost.",
    meaning:
      "The service's own table did not answer within the request budget (e.g. route 20 could not record the audit event, so no token was answered; route 23 had items left to delete); repeat the request.",
    retryAfter: true,
  },
  GATEWAY_TIMEOUT: {
    status: 504,
    detail: 'The function did not answer in time.',
    meaning:
      'The local gateway gave up waiting for the function (API Gateway answers 503/504 itself in AWS).',
  },
  WEBHOOK_NOT_RECORDED: {
    status: 503,
    detail: 'The event could not be recorded; Wise will redeliver it.',
    meaning: 'The event could not be recorded durably; Wise redelivers it.',
    retryAfter: true,
  },
  WEBHOOK_KEYS_NOT_CONFIGURED: {
    status: 503,
    detail: 'No webhook verification key is configured.',
    meaning: 'No webhook verification key is configured; deliveries are refused until one is.',
    retryAfter: true,
  },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemCode = keyof typeof problemCatalogue;

export const problemCodes = Object.keys(problemCatalogue) as ProblemCode[];
