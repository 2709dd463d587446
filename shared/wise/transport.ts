import type { Logger } from '@aws-lambda-powertools/logger';
import { mtlsFetch } from '../adapters/mtls-fetch';
import { WiseApiError, WiseUnavailableError } from './errors';
import type { Metrics } from '../ports/metrics';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 4000,
  timeoutMs: 8000,
};

export interface WiseRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The concrete path with query, e.g. `/v2/profiles/123`. */
  path: string;
  /** The path with placeholders, for logs and metrics: `/v2/profiles/{profileId}`. */
  pathTemplate: string;
  bearer?: string;
  basic?: { username: string; password: string };
  json?: unknown;
  form?: Record<string, string>;
  multipart?: FormData;
  headers?: Record<string, string>;
  /** Epoch ms by which the whole call, retries included, must be over. */
  deadline?: number;
  /** Sent as X-External-Correlation-Id; by default the transport's (the request's correlation id). */
  correlationId?: string;
  /** false for calls that must not be repeated blindly. */
  retry?: boolean;
}

export interface WiseResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Client-certificate material for Wise's api-mtls hosts (API-NOTES §8.1). */
export interface MtlsConfig {
  baseUrl: string;
  certificate: string;
  privateKey: string;
  /** Extra trust anchor; only the local simulator needs one (Wise's hosts use public CAs). */
  ca?: string;
}

export interface TransportOptions {
  baseUrl: string;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  fetch?: FetchLike;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Counts every HTTP attempt (benchmarks, cost accounting). */
  onCall?: (pathTemplate: string) => void;
  /** Wise latency and errors per attempt, and failed user-token refreshes (shared/metrics/names.ts). */
  metrics?: Metrics;
  /**
   * The correlation id of the request being served, sent to Wise as X-External-Correlation-Id
   * on every call. Default: the logger's correlation id (the handler stack sets it to API
   * Gateway's request id).
   */
  correlationId?: () => string | undefined;
  /**
   * Resolved once, on the first call: when it yields material, every call goes to the mTLS host
   * with the client certificate (the credentials come from Secrets Manager, so this is async).
   */
  mtls?: () => Promise<MtlsConfig | undefined>;
}

const RETRYABLE_STATUS = (s: number) => s === 429 || s >= 500;

/** Wise: "Optional UUID … Maximum 36 characters"; a longer id is cut, never sent whole. */
export const MAX_CORRELATION_ID_LENGTH = 36;

const correlationIdFor = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  // Header-safe characters only: the id comes from our own request context, but a header is no place to find out.
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, MAX_CORRELATION_ID_LENGTH);
  return clean === '' ? undefined : clean;
};

const parseRetryAfter = (value: string | null, now: number): number | undefined => {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

const readBody = async (res: Response): Promise<unknown> => {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * HTTP to Wise: a timeout on every attempt, bounded retries with full jitter on 429, 5xx and
 * network errors, `Retry-After` honoured, all inside the caller's deadline. Logs method, path
 * template, status and latency only — never a body, a token or a query string.
 */
export class WiseTransport {
  private readonly policy: RetryPolicy;
  private fetchImpl: FetchLike;
  private baseUrlInUse: string;
  private mtlsResolved?: Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TransportOptions) {
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.baseUrlInUse = options.baseUrl;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get baseUrl(): string {
    return this.baseUrlInUse;
  }

  private resolveMtls(): Promise<void> {
    this.mtlsResolved ??= (async () => {
      const mtls = await this.options.mtls?.();
      if (!mtls) return;
      // node:https with the client certificate (Node's global fetch cannot present one).
      this.fetchImpl = mtlsFetch({ certificate: mtls.certificate, privateKey: mtls.privateKey, ca: mtls.ca });
      this.baseUrlInUse = mtls.baseUrl.replace(/\/$/, '');
    })().catch((err: unknown) => {
      // Secrets Manager was unavailable: ask again on the next call, or the container stays broken.
      this.mtlsResolved = undefined;
      throw err;
    });
    return this.mtlsResolved;
  }

  /** The X-External-Correlation-Id of a call: the request's own, else the transport's. */
  private correlationIdOf(req: WiseRequest): string | undefined {
    if (req.correlationId !== undefined) return correlationIdFor(req.correlationId);
    const fromContext = this.options.correlationId
      ? this.options.correlationId()
      : (this.options.logger as { getCorrelationId?: () => unknown } | undefined)?.getCorrelationId?.();
    return correlationIdFor(fromContext);
  }

  async send(req: WiseRequest): Promise<WiseResponse> {
    if (this.options.mtls) await this.resolveMtls();
    const deadline = req.deadline ?? this.now() + 25_000;
    const correlationId = this.correlationIdOf(req);
    const attempts = req.retry === false ? 1 : this.policy.maxAttempts;
    let lastStatus: number | undefined;
    let retryAfterMs: number | undefined;

    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remaining = deadline - this.now();
      if (remaining <= 50) break;
      const started = this.now();
      let res: Response | undefined;
      try {
        this.options.onCall?.(req.pathTemplate);
        res = await this.fetchImpl(`${this.baseUrlInUse}${req.path}`, {
          method: req.method,
          headers: this.headersFor(req, correlationId),
          body: this.bodyFor(req),
          signal: AbortSignal.timeout(Math.min(this.policy.timeoutMs, remaining)),
          redirect: 'manual',
        });
      } catch (err) {
        this.log(req, 'network-error', started, attempt, { correlationId, error: (err as Error).name });
      }
      if (res) {
        const traceId = res.headers.get('x-trace-id') ?? undefined;
        this.log(req, res.status, started, attempt, {
          correlationId,
          // What a partner quotes to Wise support: Wise's echo of our id and its own trace id.
          wiseCorrelationId: res.headers.get('x-external-correlation-id') ?? undefined,
          wiseTraceId: traceId,
        });
        if (!RETRYABLE_STATUS(res.status)) {
          const body = await readBody(res);
          if (res.status >= 400) {
            this.noteFailure(req);
            throw new WiseApiError(res.status, req.pathTemplate, body, traceId);
          }
          return { status: res.status, headers: res.headers, body };
        }
        lastStatus = res.status;
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
        await res.body?.cancel().catch(() => undefined);
      }
      if (attempt === attempts) break;
      const backoff =
        this.random() * Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
      const wait = Math.max(backoff, retryAfterMs ?? 0);
      // Waiting past the deadline would only turn a clear 503 into a gateway timeout.
      if (this.now() + wait >= deadline - 50) break;
      await this.sleep(wait);
    }
    this.noteFailure(req);
    throw new WiseUnavailableError(req.pathTemplate, Math.ceil((retryAfterMs ?? 2000) / 1000), lastStatus);
  }

  /** A refresh that Wise refused or that never got through (what the RefreshFailures alarm counts). */
  private noteFailure(req: WiseRequest): void {
    if (req.form?.grant_type === 'refresh_token') this.options.metrics?.emit('refreshFailures', 1);
  }

  private headersFor(req: WiseRequest, correlationId: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
    if (correlationId) headers['X-External-Correlation-Id'] = correlationId;
    if (req.bearer) headers.Authorization = `Bearer ${req.bearer}`;
    if (req.basic) {
      headers.Authorization = `Basic ${Buffer.from(`${req.basic.username}:${req.basic.password}`).toString('base64')}`;
    }
    if (req.json !== undefined) headers['Content-Type'] = 'application/json';
    if (req.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return headers;
  }

  private bodyFor(req: WiseRequest): RequestInit['body'] {
    if (req.json !== undefined) return JSON.stringify(req.json);
    if (req.form) return new URLSearchParams(req.form).toString();
    if (req.multipart) return req.multipart;
    return undefined;
  }

  private log(
    req: WiseRequest,
    status: number | string,
    started: number,
    attempt: number,
    extra: { correlationId?: string; wiseCorrelationId?: string; wiseTraceId?: string; error?: string },
  ): void {
    const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
    const operation = `${req.method} ${req.pathTemplate}`;
    this.options.metrics?.emit('wiseLatency', this.now() - started, { operation });
    if (typeof status !== 'number' || status >= 500)
      this.options.metrics?.emit('wiseErrors', 1, { operation });
    this.options.logger?.info('wise call', {
      method: req.method,
      path: req.pathTemplate,
      status,
      latencyMs: this.now() - started,
      attempt,
      ...defined,
    });
  }
}
