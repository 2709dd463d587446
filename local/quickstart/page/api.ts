/// <reference lib="dom" />
import { maskAuthorization, maskJson, maskUrl } from './mask';

export type Step = 'signup' | 'link' | 'status' | 'kyc';

/** One HTTP exchange as the call log shows it; masked before it is kept anywhere. */
export interface CallRecord {
  id: string;
  step: Step;
  /** e.g. "Route 1 · create the Wise account". */
  label: string;
  /** Calls that are not part of the partner API (the local demo helper) are marked as such. */
  localOnly?: boolean;
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  status?: number;
  responseBody?: unknown;
  networkError?: string;
  at: string;
  durationMs?: number;
  /** Polls replace their previous entry instead of flooding the log. */
  pollKey?: string;
  repeats?: number;
  /** Not a call the page made: the URL a redirect (route 9, the hosted KYC page) brought the browser back to. */
  arrival?: boolean;
}

export interface ApiResult<T = any> {
  status: number;
  ok: boolean;
  body: T;
  /** The RFC 9457 problem's code, when the answer is one. */
  code?: string;
}

export interface CallSpec {
  step: Step;
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  token?: string;
  localOnly?: boolean;
  pollKey?: string;
}

type Listener = (record: CallRecord) => void;

/** Sends partner-API calls and reports each one, masked, to the call log. */
export class Api {
  private counter = 0;

  constructor(private readonly onCall: Listener) {}

  async call<T = any>(spec: CallSpec): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.token) headers.authorization = `Bearer ${spec.token}`;
    const record: CallRecord = {
      id: `${Date.now().toString(36)}-${(this.counter++).toString(36)}`,
      step: spec.step,
      label: spec.label,
      localOnly: spec.localOnly,
      method: spec.method,
      path: maskUrl(spec.path),
      requestHeaders: Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, k === 'authorization' ? maskAuthorization(v) : v]),
      ),
      requestBody: spec.body === undefined ? undefined : maskJson(spec.body),
      at: new Date().toISOString(),
      pollKey: spec.pollKey,
    };
    const started = performance.now();
    let res: Response;
    try {
      // Same origin, relative path: the page works on whatever port the gateway listens on.
      res = await fetch(spec.path, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (err) {
      record.networkError = err instanceof Error ? err.message : String(err);
      record.durationMs = Math.round(performance.now() - started);
      this.onCall(record);
      return { status: 0, ok: false, body: undefined as T, code: 'NETWORK_ERROR' };
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text for the log.
    }
    record.status = res.status;
    record.responseBody = maskJson(body);
    record.durationMs = Math.round(performance.now() - started);
    this.onCall(record);
    const code =
      body && typeof body === 'object' && 'code' in body
        ? String((body as { code: unknown }).code)
        : undefined;
    return { status: res.status, ok: res.ok, body: body as T, code };
  }
}
