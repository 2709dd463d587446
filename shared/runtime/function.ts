import { createFunctionHandler, type RouteImpl } from '../http/handler-stack';
import type { LambdaHandler } from '../http/types';
import { createLogger } from '../logging/logger';
import type { FunctionName, RouteId } from '../routes';
import { buildDependencies, type Dependencies } from './dependencies';

export type RouteTable = Partial<Record<RouteId, RouteImpl>>;

/** A function's handler from its route implementations, with explicit dependencies (tests, gateway). */
export const handlerWith = (fn: FunctionName, deps: Dependencies, routes: (deps: Dependencies) => RouteTable): LambdaHandler =>
  createFunctionHandler({ fn, logger: deps.logger, idempotency: deps.idempotency, routes: routes(deps) });

/** The Lambda entry: dependencies built once per container from the environment. */
export const lambdaHandler = (fn: FunctionName, routes: (deps: Dependencies) => RouteTable): LambdaHandler =>
  handlerWith(fn, buildDependencies(createLogger(fn)), routes);

/** The deadline for calls to Wise: the Lambda's remaining time less a margin to record the outcome. */
export const deadlineFrom = (remainingMs: number, marginMs = 1500): number => Date.now() + Math.max(0, remainingMs - marginMs);
