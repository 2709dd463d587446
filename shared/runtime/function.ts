import { createFunctionHandler, type RouteImpl } from '../http/handler-stack';
import type { LambdaHandler } from '../http/types';
import { createLogger } from '../logging/logger';
import type { FunctionName, RouteId } from '../routes';
import type { StoreDependencies } from './store-dependencies';

export type RouteTable = Partial<Record<RouteId, RouteImpl>>;

/** A function's handler from its route implementations, with explicit dependencies (tests, gateway). */
export const handlerWith = <D extends StoreDependencies>(fn: FunctionName, deps: D, routes: (deps: D) => RouteTable): LambdaHandler =>
  createFunctionHandler({ fn, logger: deps.logger, idempotency: deps.idempotency, routes: routes(deps) });

/**
 * The Lambda entry: dependencies built once per container from the environment, by the builder the
 * function names — `buildDependencies` (Wise, KMS, Secrets Manager) or `buildStoreDependencies`
 * (the table only), so a bundle carries only the clients its function uses.
 */
export const lambdaHandler = <D extends StoreDependencies>(
  fn: FunctionName,
  build: (logger: ReturnType<typeof createLogger>) => D,
  routes: (deps: D) => RouteTable,
): LambdaHandler => handlerWith(fn, build(createLogger(fn)), routes);

/** The deadline for calls to Wise: the Lambda's remaining time less a margin to record the outcome. */
export const deadlineFrom = (remainingMs: number, marginMs = 1500): number => Date.now() + Math.max(0, remainingMs - marginMs);
