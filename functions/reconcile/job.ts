import { DynamoDueLists } from '../../shared/adapters/dynamodb/due-lists';
import { businessMetrics } from '../../shared/metrics/names';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { WiseStateProjection } from '../../shared/webhooks/wise-state-projection';
import { emitMetrics } from './metrics';
import { Reconciler, type ReconcileReport } from './reconciler';
import { TokenBucket } from './token-bucket';

/** Wise calls per second at most (issue 17: reconciliation must not crowd the partner API's own calls). */
export const WISE_CALLS_PER_SECOND = 10;

/** What the run leaves of its function's time for the subscription check and the answer. */
const RUN_MARGIN_MS = 30_000;

export interface ReconcileSettings {
  webhookUrl: string;
  maxItemsPerList?: number;
}

/** The reconcile function's settings from its environment (the stack sets them). */
export const reconcileSettings = (env: NodeJS.ProcessEnv = process.env): ReconcileSettings => {
  const webhookUrl = env.WEBHOOK_URL;
  if (!webhookUrl) throw new Error('Invalid configuration: WEBHOOK_URL');
  const max = env.RECONCILE_MAX_ITEMS ? Number(env.RECONCILE_MAX_ITEMS) : undefined;
  if (max !== undefined && !(Number.isInteger(max) && max > 0))
    throw new Error('Invalid configuration: RECONCILE_MAX_ITEMS');
  return { webhookUrl, ...(max !== undefined && { maxItemsPerList: max }) };
};

/** The bucket every Wise call of the function spends from: hand `bucket.spend` to the transport's `onWiseCall`. */
export const reconcileBucket = (): TokenBucket =>
  new TokenBucket({ ratePerSecond: WISE_CALLS_PER_SECOND, capacity: WISE_CALLS_PER_SECOND });

/** Powertools' `service` dimension of the function (POWERTOOLS_SERVICE_NAME, set by the stack). */
export const METRIC_SERVICE = 'wise-onboarding-reconcile';

/** The metrics a run emits (shared/metrics/names.ts; the stack's alarms read them: infra/constructs/events.ts). */
const reconcileMetrics = {
  failures: businessMetrics.reconcileFailures.name,
  applied: businessMetrics.reconcileApplied.name,
  subscriptionsMissing: businessMetrics.subscriptionsMissing.name,
} as const;

export type ReconcileRun = (remainingMs: number) => Promise<ReconcileReport>;

/**
 * One reconciliation run over a function's dependencies, whose transport spends from `bucket`.
 * Emits the run's metrics: failures (items, or the subscription listing) and missing subscriptions.
 */
export const reconcileJob = (
  deps: Dependencies,
  bucket: TokenBucket,
  settings: ReconcileSettings,
  write?: (line: string) => void,
): ReconcileRun => {
  const reconciler = new Reconciler({
    dueLists: new DynamoDueLists(deps.table),
    projection: new WiseStateProjection(deps.table, deps.clock),
    wiseAs: deps.wiseAs,
    listSubscriptions: async ({ deadline }) => {
      const [token, credentials] = await Promise.all([
        deps.clientToken.get({ deadline }),
        deps.credentials.get(),
      ]);
      return deps.wise.listApplicationSubscriptions(token, credentials.clientKey, { deadline });
    },
    bucket,
    clock: deps.clock,
    logger: deps.logger,
  });
  return async (remainingMs) => {
    const report = await reconciler.run({
      webhookUrl: settings.webhookUrl,
      deadline: Date.now() + Math.max(0, remainingMs - RUN_MARGIN_MS),
      ...(settings.maxItemsPerList !== undefined && { maxItemsPerList: settings.maxItemsPerList }),
    });
    emitMetrics(
      process.env.POWERTOOLS_SERVICE_NAME ?? METRIC_SERVICE,
      {
        [reconcileMetrics.failures]:
          report.verification.failed + report.kyc.failed + (report.subscriptions.checked ? 0 : 1),
        [reconcileMetrics.applied]: report.verification.applied + report.kyc.applied,
        ...(report.subscriptions.checked && {
          [reconcileMetrics.subscriptionsMissing]: report.subscriptions.missing.length,
        }),
      },
      write,
    );
    return report;
  };
};
