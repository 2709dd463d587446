import { HttpResponseError } from './http';

/**
 * Wise answers errors in several body shapes depending on the endpoint (API-NOTES §8.2, §10.12).
 * One helper per shape, so each route picks the shape Wise documents for it.
 */

/** OAuth / system style: `{error, error_description}` (token endpoint, bad bearer tokens). */
export function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): HttpResponseError {
  return new HttpResponseError(status, { error, error_description: description }, headers);
}

export function invalidToken(): HttpResponseError {
  return oauthError(401, 'invalid_token', 'Invalid token');
}

export interface FieldError {
  code: string;
  message: string;
  path?: string | null;
  arguments?: unknown[] | null;
}

/** Validation style: `{errors: [{code, message, path, arguments}]}`. */
export function fieldErrors(status: number, errors: FieldError[]): HttpResponseError {
  return new HttpResponseError(status, {
    errors: errors.map((e) => ({
      code: e.code,
      message: e.message,
      path: e.path ?? null,
      arguments: e.arguments ?? [],
    })),
  });
}

/** Spring style: `{timestamp, status, error, message, path}` (e.g. 403 on addresses). */
export function springError(status: number, message: string, path: string, nowMs: number): HttpResponseError {
  const reason: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    413: 'Payload Too Large',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return new HttpResponseError(status, {
    timestamp: new Date(nowMs).toISOString(),
    status,
    error: reason[status] ?? 'Error',
    message,
    path,
  });
}

export function forbidden(path: string, nowMs: number, message = 'Access is denied'): HttpResponseError {
  return springError(403, message, path, nowMs);
}

/** RFC-7807-like body of the KYC requirement submission endpoint. */
export function problem(
  instance: string,
  detailOrErrors: string | { code: string; ref: string; detail: string }[],
  status = 400,
): HttpResponseError {
  const base = { type: '/errors/types/validation', title: 'Validation Error', status, instance };
  return new HttpResponseError(
    status,
    typeof detailOrErrors === 'string'
      ? { ...base, detail: detailOrErrors }
      : { ...base, errors: detailOrErrors },
  );
}

/** KYC-review simulation endpoints: `{code, category, description, details}`. */
export function simulationError(status: number, code: string, description: string): HttpResponseError {
  return new HttpResponseError(status, { code, category: 'CLIENT', description, details: null });
}
