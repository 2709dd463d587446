import { randomUUID } from 'node:crypto';
import type { GatewayEvent } from '../shared/http/types';
import { routeKey, routes, type RouteId } from '../shared/routes';

export interface EventInit {
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  /** The JWT `sub` the authorizer would have verified; absent on public routes. */
  sub?: string;
}

/** The HTTP API (payload 2.0) event API Gateway would hand the function for one route. */
export const gatewayEvent = (id: RouteId, init: EventInit = {}): GatewayEvent => {
  const route = routes.find((r) => r.id === id);
  if (!route) throw new Error(`unknown route ${id}`);
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => init.pathParameters?.[name] ?? '');
  const rawQueryString = new URLSearchParams(init.query ?? {}).toString();
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString,
    headers: {
      host: 'bench.local',
      'user-agent': 'bench',
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    queryStringParameters: init.query,
    pathParameters: init.pathParameters,
    body: init.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(init.sub ? { authorizer: { jwt: { claims: { sub: init.sub, scope: '' }, scopes: null } } } : {}),
    },
  } as GatewayEvent;
};
