/**
 * Whether an error is one of the product's own dependencies (DynamoDB, KMS, Secrets Manager, the
 * network to them) throttling or failing — a condition a retry can outlive — rather than a bug or
 * a refusal. The handler stack answers these 503 SERVICE_UNAVAILABLE with Retry-After
 * (PARTNER-API.md: "the same holds for the product's own store and KMS"), never a bare 500.
 */
const TRANSIENT_NAMES = new Set([
  // Throttling (DynamoDB, KMS, Secrets Manager, STS).
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  // The service failed on its side.
  'InternalServerError',
  'InternalFailure',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'KeyUnavailableException',
  'DependencyTimeoutException',
  // Two writers met on one item inside a transaction: the next attempt goes through.
  'TransactionConflictException',
  'TransactionInProgressException',
  // The network to the service.
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/** A transaction that was cancelled only because of throttling or conflicts (not a failed condition). */
const isTransientCancellation = (err: {
  name?: string;
  CancellationReasons?: { Code?: string }[];
}): boolean =>
  err.name === 'TransactionCanceledException' &&
  Array.isArray(err.CancellationReasons) &&
  err.CancellationReasons.some((r) => r.Code === 'ThrottlingError' || r.Code === 'TransactionConflict') &&
  err.CancellationReasons.every(
    (r) => !r.Code || ['None', 'ThrottlingError', 'TransactionConflict'].includes(r.Code),
  );

type AwsLike = {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  cause?: unknown;
  CancellationReasons?: { Code?: string }[];
};

export const isDependencyOutage = (err: unknown, depth = 0): boolean => {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as AwsLike;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  if (isTransientCancellation(e)) return true;
  // An AWS service's own 5xx, whatever its name.
  if (e.$metadata && (e.$fault === 'server' || (e.$metadata.httpStatusCode ?? 0) >= 500)) return true;
  if (e.$metadata && e.$retryable) return true;
  // Wrapped (Powertools' GetParameterError, fetch's "fetch failed"): judge the cause.
  return isDependencyOutage(e.cause, depth + 1);
};
