import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { routeKey, routesOf, type FunctionName, type RouteId } from '../routes';
import { assertMayActOn, callerOf, type Caller } from './caller';
import { IdempotencyRecords } from './idempotency';
import { header, parseJsonBody, parseWith, rawBody } from './parse';
import { notImplemented, ProblemError, problemBody, validationFailed, wiseUnavailable } from './problem';
import { WiseApiError, WiseContractError, WiseUnavailableError } from '../wise/errors';
import type { GatewayEvent, GatewayResult, HttpResult, LambdaHandler } from './types';

export interface RouteSpec<P, Q, B> {
  /** `customer`: partner JWT required and the customer guard applied to params.customerId. */
  auth: 'customer' | 'public';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  maxBodyBytes?: number;
  /** Accept an `Idempotency-Key` header (partner POSTs). */
  idempotent?: boolean;
}

export interface RouteRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller?: Caller;
  event: GatewayEvent;
  requestId: string;
  /** Milliseconds left before the function times out, so calls to Wise can fit their retries inside. */
  remainingMs(): number;
}

export interface RouteServices {
  logger: Logger;
  idempotency?: IdempotencyRecords;
}

export type RouteImpl = (event: GatewayEvent, context: Context, services: RouteServices) => Promise<HttpResult>;

const JSON_TYPE = 'application/json';
const PROBLEM_TYPE = 'application/problem+json';

/** The partner's own customer id (PARTNER-API.md conventions). */
export const customerIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must match ^[A-Za-z0-9_.-]{1,64}$');

/** Authenticated caller, well-formed customerId, and the caller may act on it: else 401 / 400 / 403. */
const guardCustomer = (event: GatewayEvent): void => {
  const caller = callerOf(event);
  const customerId = event.pathParameters?.customerId;
  if (customerId === undefined) return;
  const parsed = customerIdSchema.safeParse(customerId);
  if (!parsed.success) throw validationFailed([{ path: 'customerId', message: 'must match ^[A-Za-z0-9_.-]{1,64}$' }]);
  assertMayActOn(caller, customerId);
};

/** Binds a use case to HTTP: parse and bound every input, guard the customer, then run. */
export const defineRoute =
  <P = Record<string, never>, Q = Record<string, never>, B = undefined>(
    spec: RouteSpec<P, Q, B>,
    run: (request: RouteRequest<P, Q, B>) => Promise<HttpResult>,
  ): RouteImpl =>
  async (event, context, services) => {
    const caller = spec.auth === 'customer' ? callerOf(event) : undefined;
    const params = spec.params ? parseWith(spec.params, event.pathParameters ?? {}) : ({} as P);
    if (caller) {
      const customerId = (params as { customerId?: string }).customerId;
      if (typeof customerId !== 'string') throw new Error('customer routes need a customerId path parameter');
      assertMayActOn(caller, customerId);
    }
    const query = spec.query ? parseWith(spec.query, event.queryStringParameters ?? {}) : ({} as Q);
    const body = spec.body ? parseJsonBody(event, spec.body, spec.maxBodyBytes) : (undefined as B);
    const request: RouteRequest<P, Q, B> = {
      params,
      query,
      body,
      caller,
      event,
      requestId: event.requestContext.requestId,
      remainingMs: () => context.getRemainingTimeInMillis(),
    };

    const key = spec.idempotent ? header(event, 'idempotency-key') : undefined;
    if (key === undefined || !services.idempotency) return run(request);

    IdempotencyRecords.validateKey(key);
    const scope = `${(params as { customerId?: string }).customerId ?? 'public'}#${event.routeKey}`;
    const hash = IdempotencyRecords.hash([event.routeKey, event.rawPath, rawBody(event).toString('utf8')]);
    const outcome = await services.idempotency.begin(scope, key, hash);
    if (outcome.kind === 'replay') return outcome.result;
    try {
      const result = await run(request);
      await services.idempotency.complete(scope, key, result);
      return result;
    } catch (err) {
      if (err instanceof ProblemError && err.status < 500) {
        await services.idempotency.complete(scope, key, { status: err.status, body: err.toBody(), headers: err.headers });
      } else {
        await services.idempotency.release(scope, key).catch(() => undefined);
      }
      throw err;
    }
  };

const toGatewayResult = (result: HttpResult): GatewayResult => {
  const isProblem = result.status >= 400;
  const headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    ...(result.rawBody === undefined && result.body !== undefined
      ? { 'Content-Type': isProblem ? PROBLEM_TYPE : JSON_TYPE }
      : {}),
    ...result.headers,
  };
  const body = result.rawBody ?? (result.body === undefined ? '' : JSON.stringify(result.body));
  return { statusCode: result.status, headers, body };
};

/** Wise failures that no use case handled: an outage is 503 with Retry-After, anything else 502. */
export const fromWiseError = (err: unknown): ProblemError | undefined => {
  if (err instanceof WiseUnavailableError) return wiseUnavailable(err.retryAfterSeconds);
  if (err instanceof WiseApiError) {
    return new ProblemError(502, 'WISE_REJECTED', `Wise refused the request (HTTP ${err.status}).`);
  }
  if (err instanceof WiseContractError) return new ProblemError(502, 'WISE_BAD_RESPONSE', 'Wise answered in an unexpected shape.');
  return undefined;
};

/** Any error → problem+json. Unknown errors become a bare 500: no message, no stack, no secret. */
const problemErrorHandler = (logger: Logger): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  onError: async (request) => {
    const err = request.error;
    if (err instanceof ProblemError) {
      if (err.status >= 500) logger.warn('request failed', { problemCode: err.code, status: err.status });
      request.response = toGatewayResult({ status: err.status, body: err.toBody(), headers: err.headers });
      return;
    }
    const mapped = fromWiseError(err);
    if (mapped) {
      logger.warn('wise call failed', { problemCode: mapped.code, status: mapped.status });
      request.response = toGatewayResult({ status: mapped.status, body: mapped.toBody(), headers: mapped.headers });
      return;
    }
    logger.error('unhandled error', { errorName: (err as Error | undefined)?.name ?? 'unknown' });
    request.response = toGatewayResult({
      status: 500,
      body: problemBody(500, 'INTERNAL_ERROR', 'Something went wrong on our side; the request can be retried.'),
    });
  },
});

const correlationId = (logger: Logger): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: async (request) => {
    logger.setCorrelationId(request.event.requestContext?.requestId);
  },
});

export interface FunctionHandlerOptions {
  fn: FunctionName;
  logger: Logger;
  routes: Partial<Record<RouteId, RouteImpl>>;
  idempotency?: IdempotencyRecords;
}

/**
 * The one Lambda handler of a function: the shared middy chain around a dispatch on API
 * Gateway's route key. Routes of this function without an implementation answer 501.
 */
export const createFunctionHandler = (options: FunctionHandlerOptions): LambdaHandler => {
  const byKey = new Map<string, { id: RouteId; auth: 'partner' | 'public'; impl?: RouteImpl }>();
  for (const route of routesOf(options.fn)) {
    byKey.set(routeKey(route), { id: route.id as RouteId, auth: route.auth, impl: options.routes[route.id as RouteId] });
  }
  const services: RouteServices = { logger: options.logger, idempotency: options.idempotency };

  const dispatch = async (event: GatewayEvent, context: Context): Promise<GatewayResult> => {
    const started = Date.now();
    const entry = byKey.get(event.routeKey);
    if (!entry) throw new ProblemError(404, 'ROUTE_NOT_FOUND', 'No such route.');
    // Every partner route is guarded here, built or not, so no route can forget the guard.
    if (entry.auth === 'partner') guardCustomer(event);
    if (!entry.impl) throw notImplemented();
    try {
      const result = await entry.impl(event, context, services);
      options.logger.info('request', { route: entry.id, status: result.status, latencyMs: Date.now() - started });
      return toGatewayResult(result);
    } catch (err) {
      const status = err instanceof ProblemError ? err.status : (fromWiseError(err)?.status ?? 500);
      options.logger.info('request', { route: entry.id, status, latencyMs: Date.now() - started });
      throw err;
    }
  };

  return middy<GatewayEvent, GatewayResult>(dispatch)
    .use(httpSecurityHeaders({ contentSecurityPolicy: { 'default-src': "'none'", 'frame-ancestors': "'none'" } }))
    .use(problemErrorHandler(options.logger))
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .use(correlationId(options.logger)) as unknown as LambdaHandler;
};
