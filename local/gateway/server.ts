import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProblemCode } from '../../shared/errors/catalogue';
import { problemBody } from '../../shared/http/problem';
import type { LambdaHandler } from '../../shared/http/types';
import { routes, type FunctionName, type Route } from '../../shared/routes';
import {
  API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS,
  functionProfiles,
} from '../../shared/runtime/function-profiles';
import { BodyTooLargeError, listen, localUrl, readBody, Router, stop } from '../http-kit';
import type { DevIssuer } from './dev-issuer';
import { lambdaContext, toGatewayEvent } from './events';

/** API Gateway's own payload limit for HTTP APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** How long after the function's own timeout the gateway gives up on it with a 504 (at most API Gateway's 30 s). */
const TIMEOUT_GRACE_MS = 500;

export interface ExtraRoute {
  method: string;
  /** A plain path, matched before the route table. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> | void;
}

export interface GatewayOptions {
  port?: number;
  host?: string;
  handlers: Record<FunctionName, LambdaHandler>;
  issuer: DevIssuer;
  /** Local-only routes (health, dev tokens, the quickstart page). */
  extraRoutes?: ExtraRoute[];
  /** Serves GET requests for paths no route matched (static quickstart assets). */
  fallback?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

// As API Gateway matches: a trailing slash is another path, an undecodable capture is passed on raw.
const table = new Router<Route>();
for (const route of routes) table.on(route.method, route.path, route);

export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
): void => {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
};

const sendProblem = (
  res: ServerResponse,
  code: ProblemCode,
  detail?: string,
  headers: Record<string, string> = {},
) => {
  const body = problemBody(code, detail);
  res.writeHead(body.status, {
    'Content-Type': 'application/problem+json',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
};

/**
 * The local stand-in for API Gateway: the same route table, a JWT check on partner routes (against
 * the local dev issuer), and the real handlers invoked with payload-2.0 events.
 */
export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  // Local-only routes come first and are plain paths; one of them on another method is not a 405.
  const extras = new Router<ExtraRoute>();
  for (const extra of options.extraRoutes ?? []) extras.on(extra.method, extra.path, extra);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const method = (req.method ?? 'GET').toUpperCase();
    let body: Buffer;
    try {
      // Drained to its end, so the 413 goes out on a connection that stays usable.
      body = await readBody(req, { limitBytes: MAX_BODY_BYTES, drain: true });
    } catch (e) {
      if (e instanceof BodyTooLargeError)
        return sendProblem(res, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
      throw e;
    }

    const extra = extras.match(method, url.pathname);
    if (typeof extra === 'object') return extra.handler.handle(req, res, body);

    const match = table.match(method, url.pathname);
    if (match === undefined || match === 'method-not-allowed') {
      if (method === 'GET' && options.fallback && (await options.fallback(req, res, url))) return;
      return match === 'method-not-allowed'
        ? sendProblem(res, 'METHOD_NOT_ALLOWED', 'This method is not allowed on this path.')
        : sendProblem(res, 'ROUTE_NOT_FOUND', 'No such route.');
    }
    const { handler: route, params } = match;

    let claims;
    if (route.auth === 'token') {
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      if (!token) {
        return sendProblem(res, 'UNAUTHORIZED', 'A bearer token is required.', {
          'WWW-Authenticate': 'Bearer',
        });
      }
      try {
        claims = await options.issuer.verify(token);
      } catch {
        return sendProblem(res, 'UNAUTHORIZED', 'The bearer token is not valid.', {
          'WWW-Authenticate': 'Bearer',
        });
      }
    }

    const event = toGatewayEvent(req, url, route, params, body, claims);
    // Each invocation gets its function's deployed timeout and memory, as Lambda gives them.
    const profile = functionProfiles[route.function];
    const timeout = profile.timeoutSeconds * 1000;
    const context = lambdaContext(`wise-onboarding-${route.function}`, timeout, profile.memoryMb);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        options.handlers[route.function](event, context),
        new Promise<'timeout'>((resolve) => {
          const waitMs = Math.min(timeout + TIMEOUT_GRACE_MS, API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS * 1000);
          timer = setTimeout(() => resolve('timeout'), waitMs);
        }),
      ]);
      if (result === 'timeout')
        return sendProblem(res, 'GATEWAY_TIMEOUT', 'The function did not answer in time.');
      // Lambda's JSON serialisation drops undefined header values; Node's writeHead would throw on them.
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(result.headers ?? {}))
        if (v !== undefined && v !== null && v !== '') headers[k] = String(v);
      if (result.cookies?.length) headers['Set-Cookie'] = result.cookies;
      res.writeHead(result.statusCode, headers);
      res.end(
        result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''),
      );
    } catch {
      // What API Gateway answers when the function itself fails.
      sendProblem(res, 'INTERNAL_ERROR');
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendProblem(res, 'INTERNAL_ERROR');
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  const port = await listen(server, { port: options.port, host: options.host });
  return { url: localUrl(options.host, port), port, close: () => stop(server) };
};
