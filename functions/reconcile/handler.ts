import type { Context } from 'aws-lambda';
import { createLogger } from '../../shared/logging/logger';
import { buildDependencies } from '../../shared/runtime/dependencies';
import { reconcileBucket, reconcileJob, reconcileSettings } from './job';
import type { ReconcileReport } from './reconciler';

const bucket = reconcileBucket();
const run = reconcileJob(
  buildDependencies(createLogger('reconcile'), process.env, { onWiseCall: bucket.spend }),
  bucket,
  reconcileSettings(),
);

/** The reconcile function's entry: EventBridge Scheduler invokes it (hourly by default: `reconcileEvery`). */
export const handler = async (
  _event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<ReconcileReport> => run(context.getRemainingTimeInMillis());
