import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from '../zod';
import { DomainError, ValidationError } from '../errors/domain-error';
import { isDependencyOutage } from '../errors/dependency-outage';
import { routeKey, routesOf, type FunctionName, type Route, type RouteId } from '../routes';
import { deadlineFrom } from '../runtime/deadline';
import { WiseApiError, WiseContractError, WiseUnavailableError } from '../wise/errors';
import { assertMayCall, callerOf, type Caller } from './caller';
import type { ReplayedAnswers } from './idempotency';
import { routeOutcomeMetrics } from '../metrics/route-outcomes';
import type { Metrics } from '../ports/metrics';
import type { Answer, Operation, OperationRequest } from './operation';
import { header, parseJsonBody, parseWith, rawBody } from './parse';
import { problemAnswer, problemBody } from './problem';
import type { GatewayEvent, GatewayResult, HttpResult, LambdaHandler } from './types';

const JSON_TYPE = 'application/json';
const PROBLEM_TYPE = 'application/problem+json';

/** The partner's own customer id (PARTNER-API.md conventions). */
export const customerIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must match ^[A-Za-z0-9_.-]{1,64}$'));

/**
 * The caller guard, from the route table alone, before anything is parsed or read: an
 * authenticated caller (401), a well-formed customerId (400), a caller kind the route admits (403).
 * Runs for every route with callers, so no operation can forget it.
 */
const guard = (route: Route, event: GatewayEvent): Caller | undefined => {
  if (route.callers.length === 0) return undefined;
  const caller = callerOf(event);
  const customerId = event.pathParameters?.customerId;
  if (customerId !== undefined && !customerIdSchema.safeParse(customerId).success) {
    throw new ValidationError([{ path: 'customerId', message: 'must match ^[A-Za-z0-9_.-]{1,64}$' }]);
  }
  assertMayCall(caller, route.callers, customerId);
  return caller;
};

/** Wise failures that no use case handled: an outage is 503 with Retry-After, anything else 502. */
export const fromWiseError = (err: unknown): DomainError | undefined => {
  if (err instanceof WiseUnavailableError)
    return new DomainError('WISE_UNAVAILABLE', { retryAfterSeconds: err.retryAfterSeconds });
  if (err instanceof WiseApiError)
    return new DomainError('WISE_REJECTED', { detail: `Wise refused the request (HTTP ${err.status}).` });
  if (err instanceof WiseContractError) return new DomainError('WISE_BAD_RESPONSE');
  return undefined;
};

/**
 * The product's own dependencies throttling or failing (DynamoDB, KMS, Secrets Manager): 503 with
 * Retry-After, as for Wise. The flows are resumable, so the partner's retry completes.
 */
export const fromDependencyOutage = (err: unknown): DomainError | undefined =>
  isDependencyOutage(err)
    ? new DomainError('SERVICE_UNAVAILABLE', { retryAfterSeconds: 1, cause: err })
    : undefined;

/** Any error as the domain error it stands for; undefined for an unknown error (a bare 500). */
export const asDomainError = (err: unknown): DomainError | undefined =>
  err instanceof DomainError ? err : (fromWiseError(err) ?? fromDependencyOutage(err));

/** The HTTP answer of an error: the catalogue's, or a bare 500 with no message, stack or secret. */
export const answerOfError = (err: unknown): HttpResult => {
  const domain = asDomainError(err);
  if (domain) return problemAnswer(domain);
  return { status: 500, body: problemBody('INTERNAL_ERROR') };
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

/** Parse and bound every input of an operation, then build its request. */
const requestFor = (
  operation: Operation,
  event: GatewayEvent,
  context: Context,
  caller: Caller | undefined,
): OperationRequest<any, any, any> => ({
  params: operation.params ? parseWith(operation.params, event.pathParameters ?? {}) : {},
  query: operation.query ? parseWith(operation.query, event.queryStringParameters ?? {}) : {},
  body: operation.body ? parseJsonBody(event, operation.body.schema, operation.maxBodyBytes) : undefined,
  caller,
  event,
  requestId: event.requestContext.requestId,
  deadline: deadlineFrom(context.getRemainingTimeInMillis()),
  header: (name) => header(event, name),
});

/**
 * `replayed` operations store their first answer per Idempotency-Key and request (keyed digests,
 * the answer sealed: shared/http/idempotency.ts). Refusals (4xx) are stored too, so that a retry
 * hears the same answer; answers that say "retry" (5xx, 429, 409 IN_PROGRESS and anything with
 * Retry-After) and unknown failures leave no record. Only customer routes replay: a stored answer
 * is sealed under its customer's encryption context.
 */
const withIdempotency = async (
  replays: ReplayedAnswers | undefined,
  operation: Operation,
  event: GatewayEvent,
  customerId: string | undefined,
  run: () => Promise<Answer>,
): Promise<Answer> => {
  const key = operation.idempotencyKey === 'replayed' ? header(event, 'idempotency-key') : undefined;
  if (key === undefined || !replays || customerId === undefined) return run();
  const replay = await replays.begin({
    customerId,
    routeKey: event.routeKey,
    path: event.rawPath,
    body: rawBody(event),
    idempotencyKey: key,
  });
  if (replay.kind === 'replay') return replay.answer;
  let answer: Answer;
  try {
    answer = await run();
  } catch (err) {
    const domain = asDomainError(err);
    await replay.finish(domain ? problemAnswer(domain) : undefined);
    throw err;
  }
  await replay.finish(answer);
  return answer;
};

/** Any error → problem+json, logged once without its message (which may quote an input). */
const problemErrorHandler = (logger: Logger): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  onError: async (request) => {
    const err = request.error;
    const domain = asDomainError(err);
    if (domain && domain.status >= 500)
      logger.warn('request failed', {
        problemCode: domain.code,
        status: domain.status,
        // Which dependency failed, by error name only (a message may quote an input).
        ...(domain.cause instanceof Error ? { causeName: domain.cause.name } : {}),
      });
    if (!domain)
      logger.error('unhandled error', { errorName: (err as Error | undefined)?.name ?? 'unknown' });
    request.response = toGatewayResult(answerOfError(err));
  },
});

const correlationId = (logger: Logger): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: async (request) => {
    logger.setCorrelationId(request.event.requestContext?.requestId);
  },
});

export interface FunctionHandlerOptions<S> {
  fn: FunctionName;
  logger: Logger;
  services: S;
  operations: Readonly<Record<string, Operation<S>>>;
  /** Idempotency-Key replay of `replayed` operations (the Wise-facing functions' dependencies always have it). */
  idempotency?: ReplayedAnswers;
  /** Business metrics a route's answer says happened (shared/metrics/route-outcomes.ts). */
  metrics?: Metrics;
}

/**
 * The one Lambda handler of a function: the shared middy chain around a dispatch on API
 * Gateway's route key to the route's operation.
 */
export const createFunctionHandler = <S>(options: FunctionHandlerOptions<S>): LambdaHandler => {
  const byKey = new Map<string, { route: Route; operation: Operation<S> }>();
  for (const route of routesOf(options.fn)) {
    const operation = options.operations[route.id];
    if (!operation || operation.route !== route.id) throw new Error(`No operation for route ${route.id}`);
    byKey.set(routeKey(route), { route, operation });
  }

  const dispatch = async (event: GatewayEvent, context: Context): Promise<GatewayResult> => {
    const started = Date.now();
    const entry = byKey.get(event.routeKey);
    if (!entry) throw new DomainError('ROUTE_NOT_FOUND');
    const { route, operation } = entry;
    try {
      const caller = guard(route, event);
      const request = requestFor(operation, event, context, caller);
      const customerId = (request.params as { customerId?: string }).customerId;
      const result = await withIdempotency(options.idempotency, operation, event, customerId, () =>
        operation.handle(request, options.services),
      );
      const outcome = routeOutcomeMetrics[route.id as RouteId]?.[result.status];
      if (outcome) options.metrics?.emit(outcome.metric, 1, outcome.dimensions);
      options.logger.info('request', {
        route: route.id,
        status: result.status,
        latencyMs: Date.now() - started,
      });
      return toGatewayResult(result);
    } catch (err) {
      options.logger.info('request', {
        route: route.id,
        status: answerOfError(err).status,
        latencyMs: Date.now() - started,
      });
      throw err;
    }
  };

  return middy<GatewayEvent, GatewayResult>(dispatch)
    .use(
      httpSecurityHeaders({
        contentSecurityPolicy: { 'default-src': "'none'", 'frame-ancestors': "'none'" },
      }),
    )
    .use(problemErrorHandler(options.logger))
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .use(correlationId(options.logger)) as unknown as LambdaHandler;
};
