/** Wise did not answer usefully within the request's budget (5xx, 429, timeouts, network). */
export class WiseUnavailableError extends Error {
  constructor(
    readonly pathTemplate: string,
    readonly retryAfterSeconds: number,
    readonly lastStatus?: number,
  ) {
    super(`Wise unavailable on ${pathTemplate}`);
    this.name = 'WiseUnavailableError';
  }
}

/** A definite 4xx answer from Wise. The body is kept for mapping; it is never logged or returned. */
export class WiseApiError extends Error {
  constructor(
    readonly status: number,
    readonly pathTemplate: string,
    readonly body: unknown,
    /** Wise's `x-trace-id` of the answer, for Wise support. */
    readonly traceId?: string,
  ) {
    super(`Wise answered ${status} on ${pathTemplate}`);
    this.name = 'WiseApiError';
  }

  /** OAuth-style `error` field (`invalid_grant`, `invalid_token`, ...). */
  get oauthError(): string | undefined {
    const b = this.body as { error?: unknown } | undefined;
    return typeof b?.error === 'string' ? b.error : undefined;
  }

  /** Codes of an `{ errors: [{ code }] }` body. */
  get errorCodes(): string[] {
    const b = this.body as { errors?: Array<{ code?: unknown }> } | undefined;
    return Array.isArray(b?.errors) ? b.errors.map((e) => String(e.code)) : [];
  }

  /** Wise refused a grant: the refresh token or registration code is no longer good. */
  get isInvalidGrant(): boolean {
    return this.oauthError === 'invalid_grant';
  }

  /** The access token was refused (expired, revoked, or the user was deactivated). */
  get isInvalidToken(): boolean {
    return this.status === 401 && (this.oauthError === 'invalid_token' || this.oauthError === undefined);
  }
}

/** Wise answered 2xx with a body that is not what its API documents. */
export class WiseContractError extends Error {
  constructor(readonly pathTemplate: string) {
    super(`Unexpected response shape from Wise on ${pathTemplate}`);
    this.name = 'WiseContractError';
  }
}

/**
 * Wise answered an identification document with its documented 200 and `success: false`: the
 * document was refused. `reason` is Wise's reason code (e.g. NAME_MISMATCH) when it is one —
 * upper-case letters and underscores — and undefined otherwise, so no free text travels on.
 */
export class WiseDocumentRejectedError extends Error {
  readonly reason?: string;

  constructor(
    readonly pathTemplate: string,
    errorMessage: unknown,
  ) {
    super(`Wise refused the document on ${pathTemplate}`);
    this.name = 'WiseDocumentRejectedError';
    this.reason =
      typeof errorMessage === 'string' && /^[A-Z_]{1,64}$/.test(errorMessage) ? errorMessage : undefined;
  }
}
