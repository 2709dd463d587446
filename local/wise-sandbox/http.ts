import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Router as KitRouter } from '../http-kit';

/** Everything a route handler needs about one request, plus the ways to answer it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly rawBody: Buffer;
  readonly traceId: string;
  header(name: string): string | undefined;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

/**
 * The simulator's router: `:name` segments capture, empty segments are ignored (Wise's Postman
 * collections call `PUT /v1/profiles/` with a trailing slash, most clients without), and a capture
 * that is not valid percent-encoding matches no route.
 */
export class Router extends KitRouter<Handler> {
  constructor() {
    super({ emptySegments: 'ignore', undecodable: 'no-match' });
  }
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** Thrown by handlers to answer early with a prepared response (keeps handlers linear). */
export class HttpResponseError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export function sendJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, { 'content-type': 'application/json', ...headers });
  ctx.res.end(text);
}

export function sendEmpty(ctx: RequestContext, status: number, headers: Record<string, string> = {}): void {
  ctx.res.writeHead(status, headers);
  ctx.res.end();
}

export function sendHtml(ctx: RequestContext, status: number, html: string): void {
  ctx.res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  ctx.res.end(html);
}

export function sendRedirect(ctx: RequestContext, location: string): void {
  ctx.res.writeHead(302, { location, 'cache-control': 'no-store' });
  ctx.res.end();
}

/** JSON bodies: anything unparseable is treated like Spring does — a 400 with a message. */
export function parseJson(ctx: RequestContext): unknown {
  if (ctx.rawBody.length === 0) return undefined;
  try {
    return JSON.parse(ctx.rawBody.toString('utf8')) as unknown;
  } catch {
    throw new HttpResponseError(400, {
      errors: [{ code: 'BAD_REQUEST', message: 'Could not parse the request body as JSON', arguments: [] }],
    });
  }
}

export type FormValue = string | File;

/**
 * urlencoded and multipart/form-data bodies. Multipart parsing is delegated to the platform's
 * `Request.formData()` (undici inside Node 20), so no hand-written MIME parser is needed.
 */
export async function parseForm(ctx: RequestContext): Promise<Map<string, FormValue[]>> {
  const contentType = ctx.header('content-type') ?? '';
  const out = new Map<string, FormValue[]>();
  const add = (k: string, v: FormValue): void => {
    const list = out.get(k) ?? [];
    list.push(v);
    out.set(k, list);
  };
  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    try {
      const request = new Request('http://local/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(ctx.rawBody),
      });
      const data = await request.formData();
      data.forEach((value, key) => add(key, value as FormValue));
    } catch {
      // An unparseable multipart body is handled like an empty one: required fields go missing.
    }
    return out;
  }
  new URLSearchParams(ctx.rawBody.toString('utf8')).forEach((value, key) => add(key, value));
  return out;
}

export function formString(form: Map<string, FormValue[]>, key: string): string | undefined {
  const v = form.get(key)?.[0];
  return typeof v === 'string' ? v : undefined;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Appends query parameters to a URL that may already carry its own query string or fragment. */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.append(k, v);
  return u.toString();
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
