import { createFunctionHandler } from '../http/handler-stack';
import type { LambdaHandler } from '../http/types';
import type { Operation, OperationsOf } from '../http/operation';
import { createLogger } from '../logging/logger';
import type { FunctionName } from '../routes';
import type { StoreDependencies } from './store-dependencies';

export { deadlineFrom } from './deadline';

/** A function's operations bound to the services they run with, built once per container. */
export interface BoundOperations<S = any> {
  services: S;
  operations: Readonly<Record<string, Operation<S>>>;
}

/** How a function turns its dependencies into bound operations (see {@link functionRoutes}). */
export type RouteTable<D = any> = (deps: D) => BoundOperations;

/**
 * A function's route table: its operations (every route of the function, by type) and how their
 * services are built from the container's dependencies.
 *
 * @example export const routes = functionRoutes<'oauth', Dependencies, OauthServices>(oauthServices, operations);
 */
export const functionRoutes =
  <F extends FunctionName, D, S>(services: (deps: D) => S, operations: OperationsOf<F, S>): RouteTable<D> =>
  (deps) => ({ services: services(deps), operations: operations as unknown as Record<string, Operation<S>> });

/** A function's handler from its route table, with explicit dependencies (tests, gateway). */
export const handlerWith = <D extends StoreDependencies>(
  fn: FunctionName,
  deps: D,
  routes: RouteTable<D>,
): LambdaHandler => {
  const bound = routes(deps);
  return createFunctionHandler({
    fn,
    logger: deps.logger,
    idempotency: deps.idempotency,
    metrics: deps.metrics,
    ...bound,
  });
};

/**
 * The Lambda entry: dependencies built once per container from the environment, by the builder the
 * function names — `buildDependencies` (Wise, KMS, Secrets Manager) or `buildStoreDependencies`
 * (the table only), so a bundle carries only the clients its function uses.
 */
export const lambdaHandler = <D extends StoreDependencies>(
  fn: FunctionName,
  build: (logger: ReturnType<typeof createLogger>) => D,
  routes: RouteTable<D>,
): LambdaHandler => handlerWith(fn, build(createLogger(fn)), routes);
