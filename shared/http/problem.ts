/**
 * RFC 9457 problem details: the only error shape the partner API answers with.
 * `code` is a stable machine code partners can branch on; `detail` is for humans and never
 * carries a secret, a Wise token or a stack trace.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

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
};

/** An error that maps to one problem+json answer. Throw it anywhere below a handler. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'ProblemError';
    this.status = status;
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toBody(): ProblemBody {
    return problemBody(this.status, this.code, this.message, this.errors);
  }
}

export const problemBody = (status: number, code: string, detail: string, errors?: FieldError[]): ProblemBody => ({
  type: `https://wise-onboarding.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
  title: titles[status] ?? 'Error',
  status,
  detail,
  code,
  ...(errors && errors.length > 0 ? { errors } : {}),
});

export const validationFailed = (errors: FieldError[], detail = 'The request is not valid.'): ProblemError =>
  new ProblemError(400, 'VALIDATION_FAILED', detail, { errors });

export const forbidden = (): ProblemError =>
  new ProblemError(403, 'FORBIDDEN', 'The caller may not act on this customer.');

export const notFound = (code: string, detail: string): ProblemError => new ProblemError(404, code, detail);

export const conflict = (code: string, detail: string): ProblemError => new ProblemError(409, code, detail);

export const wiseUnavailable = (retryAfterSeconds: number): ProblemError =>
  new ProblemError(503, 'WISE_UNAVAILABLE', 'Wise is not answering right now; retry later. Nothing done so far is lost.', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

export const notImplemented = (): ProblemError =>
  new ProblemError(501, 'NOT_IMPLEMENTED', 'This capability is not built yet.');
