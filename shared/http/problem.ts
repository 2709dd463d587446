/**
 * RFC 9457 problem details: the only error shape the partner API answers with. Built once, here,
 * from a {@link DomainError} and the problem catalogue: `code` is a stable machine code partners
 * can branch on; `detail` is for humans and never carries a secret, a Wise token or a stack trace.
 */
import { problemCatalogue, type ProblemCode } from '../errors/catalogue';
import { DomainError, type FieldError } from '../errors/domain-error';

export type { FieldError } from '../errors/domain-error';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const problemType = (code: string): string =>
  `https://wise-onboarding.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;

/**
 * At most this many `errors[]` entries are answered: enough to fix a body field by field, while an
 * input built to fail everywhere (80,000 multipart parts, a huge array) cannot make an answer
 * larger than Lambda's 6 MB response limit.
 */
export const MAX_PROBLEM_ERRORS = 20;

export const problemBody = (
  code: ProblemCode,
  detail?: string,
  errors?: readonly FieldError[],
): ProblemBody => {
  const { status } = problemCatalogue[code];
  return {
    type: problemType(code),
    title: titles[status] ?? 'Error',
    status,
    detail: detail ?? problemCatalogue[code].detail,
    code,
    ...(errors && errors.length > 0 ? { errors: errors.slice(0, MAX_PROBLEM_ERRORS) } : {}),
  };
};

/** The HTTP answer of a domain error: status and headers from the catalogue, body as RFC 9457. */
export interface ProblemAnswer {
  status: number;
  body: ProblemBody;
  headers: Record<string, string>;
}

export const problemAnswer = (err: DomainError): ProblemAnswer => {
  const spec = problemCatalogue[err.code];
  const headers: Record<string, string> = { ...err.headers };
  if ('retryAfter' in spec && spec.retryAfter) {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1)));
  }
  return { status: spec.status, body: problemBody(err.code, err.detail, err.errors), headers };
};
