import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemBody } from '../../shared/http/problem';
import type { LambdaHandler } from '../../shared/http/types';
import { routes, type FunctionName, type Route } from '../../shared/routes';
import type { DevIssuer } from './dev-issuer';
import { lambdaContext, toGatewayEvent } from './events';

/** API Gateway's own payload limit for HTTP APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Function timeouts as deployed (infra): the webhook answers inside Wise's 5 seconds. */
export const functionTimeoutsMs: Record<FunctionName, number> = {
  onboarding: 29_000,
  oauth: 29_000,
  'kyc-reviews': 29_000,
  webhooks: 5_000,
};

export interface ExtraRoute {
  method: string;
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

const compiled = routes.map((route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route: route as Route, regex: new RegExp(`^${pattern}$`), names };
});

export const matchRoute = (method: string, pathname: string) => {
  let pathMatched = false;
  for (const c of compiled) {
    const m = c.regex.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (c.route.method !== method) continue;
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => {
      const raw = m[i + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { route: c.route, params, pathMatched };
  }
  return { route: undefined, params: {}, pathMatched };
};

export const sendJson = (res: ServerResponse, status: number, body: unknown, type = 'application/json'): void => {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
};

const sendProblem = (res: ServerResponse, status: number, code: string, detail: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(problemBody(status, code, detail)));
};

const readBody = (req: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

/**
 * The local stand-in for API Gateway: the same route table, a JWT check on partner routes (against
 * the local dev issuer), and the real handlers invoked with payload-2.0 events.
 */
export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (body === 'too-large') return sendProblem(res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');

    const extra = options.extraRoutes?.find((r) => r.method === method && r.path === url.pathname);
    if (extra) return extra.handle(req, res, body);

    const { route, params, pathMatched } = matchRoute(method, url.pathname);
    if (!route) {
      if (method === 'GET' && options.fallback && (await options.fallback(req, res, url))) return;
      return pathMatched
        ? sendProblem(res, 405, 'METHOD_NOT_ALLOWED', 'This method is not allowed on this path.')
        : sendProblem(res, 404, 'ROUTE_NOT_FOUND', 'No such route.');
    }

    let claims;
    if (route.auth === 'partner') {
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      if (!token) {
        return sendProblem(res, 401, 'UNAUTHORIZED', 'A bearer token is required.', { 'WWW-Authenticate': 'Bearer' });
      }
      try {
        claims = await options.issuer.verify(token);
      } catch {
        return sendProblem(res, 401, 'UNAUTHORIZED', 'The bearer token is not valid.', { 'WWW-Authenticate': 'Bearer' });
      }
    }

    const event = toGatewayEvent(req, url, route, params, body, claims);
    const timeout = functionTimeoutsMs[route.function];
    const context = lambdaContext(`wise-onboarding-${route.function}`, timeout);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        options.handlers[route.function](event, context),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeout + 500);
        }),
      ]);
      if (result === 'timeout') return sendProblem(res, 504, 'GATEWAY_TIMEOUT', 'The function did not answer in time.');
      // Lambda's JSON serialisation drops undefined header values; Node's writeHead would throw on them.
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(result.headers ?? {})) if (v !== undefined && v !== null && v !== '') headers[k] = String(v);
      if (result.cookies?.length) headers['Set-Cookie'] = result.cookies;
      res.writeHead(result.statusCode, headers);
      res.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
    } catch {
      // What API Gateway answers when the function itself fails.
      sendProblem(res, 500, 'INTERNAL_ERROR', 'Internal Server Error');
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendProblem(res, 500, 'INTERNAL_ERROR', 'Internal Server Error');
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  // A port taken meanwhile must fail the start, not leave it waiting forever.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
