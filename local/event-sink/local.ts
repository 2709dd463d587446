import type { ExtraRoute } from '../gateway/server';
import { sendJson } from '../gateway/server';
import { createLogger } from '../../shared/logging/logger';
import {
  buildDependencies,
  type Dependencies,
  type DependencyOverrides,
} from '../../shared/runtime/dependencies';
import { reconcileBucket, reconcileJob, type ReconcileRun } from '../../functions/reconcile/job';
import type { ReconcileReport } from '../../functions/reconcile/reconciler';
import { functionProfiles } from '../../shared/runtime/function-profiles';
import { LocalEventSink, serveEvents } from './sink';

export interface LocalPartnerEvents {
  /** Where the partner-events consumer publishes (what AWS would put on the bus). */
  readonly sink: LocalEventSink;
  /** `GET /local/events?after=` and `POST /local/reconcile` (the quickstart's "Reconcile now", `npm run reconcile`). */
  readonly routes: ExtraRoute[];
  /** Gives the reconcile function its dependencies once the stack has built them. */
  attach(run: ReconcileRun): void;
  /** One reconciliation run, as the schedule would start it. */
  reconcile(): Promise<ReconcileReport>;
}

/**
 * The local stack's partner-event surface: the sink behind `/local/events` and the reconcile
 * function behind `/local/reconcile`. The gateway binds before the functions are built, so the
 * route runs the reconcile function given later to {@link LocalPartnerEvents.attach}.
 */
export const localPartnerEvents = (file?: string): LocalPartnerEvents => {
  const sink = new LocalEventSink(file);
  let run: ReconcileRun | undefined;
  // One run at a time, as the schedule's single target would (a second click waits for the first).
  let running: Promise<ReconcileReport> | undefined;
  const reconcile = () => {
    if (!run) return Promise.reject(new Error('the reconcile function is not built yet'));
    const start = run;
    running ??= start(functionProfiles.reconcile.timeoutSeconds * 1000).finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    sink,
    routes: [
      {
        method: 'GET',
        path: '/local/events',
        handle: (req, res) => serveEvents(sink, new URL(req.url ?? '/', 'http://gateway.local'), res),
      },
      {
        method: 'POST',
        path: '/local/reconcile',
        handle: async (_req, res) => {
          try {
            sendJson(res, 200, await reconcile());
          } catch (err) {
            sendJson(
              res,
              503,
              {
                type: 'about:blank',
                title: 'Service Unavailable',
                status: 503,
                code: 'INTERNAL_ERROR',
                detail: (err as Error).message,
              },
              'application/problem+json',
            );
          }
        },
      },
    ],
    attach: (r) => {
      run = r;
    },
    reconcile,
  };
};

/**
 * The reconcile function as the local stack runs it: its own dependencies (its transport spends
 * from the token bucket, as in AWS), the stack's table client and cipher.
 */
export const localReconcile = (
  env: NodeJS.ProcessEnv,
  overrides: DependencyOverrides,
  webhookUrl: string,
): { deps: Dependencies; run: ReconcileRun } => {
  const bucket = reconcileBucket();
  const deps = buildDependencies(createLogger('reconcile'), env, {
    ...overrides,
    onWiseCall: (path) => {
      bucket.spend();
      overrides.onWiseCall?.(path);
    },
  });
  // Locally the metric lines would only clutter the terminal: the answer carries the same figures.
  return { deps, run: reconcileJob(deps, bucket, { webhookUrl }, () => undefined) };
};
