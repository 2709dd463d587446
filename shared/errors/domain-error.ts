import { problemCatalogue, type ProblemCode } from './catalogue';

/** One bad input field, dotted like `address.city` (`(body)` for the whole body). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface DomainErrorOptions {
  /** A more specific `detail` than the catalogue's (never a secret, a token or personal data). */
  detail?: string;
  errors?: readonly FieldError[];
  /** Seconds a caller should wait before retrying (codes the catalogue marks `retryAfter`). */
  retryAfterSeconds?: number;
  /** Extra answer headers an HTTP adapter should send (e.g. `WWW-Authenticate`). */
  headers?: Readonly<Record<string, string>>;
  cause?: unknown;
}

/**
 * What a use case or domain rule throws when it refuses: a catalogue code and, at most, a more
 * specific detail and the bad fields. It knows nothing of HTTP; the handler stack maps it to one
 * problem+json answer through the catalogue.
 *
 * @example throw new DomainError('CUSTOMER_NOT_FOUND');
 */
export class DomainError extends Error {
  readonly code: ProblemCode;
  readonly errors?: readonly FieldError[];
  readonly retryAfterSeconds?: number;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(code: ProblemCode, options: DomainErrorOptions = {}) {
    super(options.detail ?? problemCatalogue[code].detail, { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.errors = options.errors && options.errors.length > 0 ? options.errors : undefined;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
  }

  get detail(): string {
    return this.message;
  }

  /** The catalogue's status for this code (for logs and tests; answers are built by the HTTP layer). */
  get status(): number {
    return problemCatalogue[this.code].status;
  }
}

/** A request that fails validation: one entry per bad field. */
export class ValidationError extends DomainError {
  constructor(errors: readonly FieldError[], detail?: string) {
    super('VALIDATION_FAILED', { errors, detail });
    this.name = 'ValidationError';
  }
}

/** Work of the same kind is under way elsewhere (a lease holder, a concurrent key): retry shortly. */
export class InProgressError extends DomainError {
  constructor(
    code: 'IN_PROGRESS' | 'KYC_REVIEW_IN_PROGRESS' = 'IN_PROGRESS',
    options: Omit<DomainErrorOptions, 'retryAfterSeconds'> & { retryAfterSeconds?: number } = {},
  ) {
    super(code, { retryAfterSeconds: 1, ...options });
    this.name = 'InProgressError';
  }
}
