import type { BusinessMetricKey, MetricDimension } from '../metrics/names';

/** A metric's dimension values, by the dimension names shared/metrics/names.ts declares for it. */
export type MetricDimensions = Partial<Record<MetricDimension, string>>;

/**
 * The business and health metrics (shared/metrics/names.ts): in AWS CloudWatch metrics in the
 * embedded metric format (Powertools), which the stack's dashboard and alarms read; locally and
 * in tests an in-memory record. Emitting never fails the work it measures.
 *
 * @example metrics.emit('wiseLatency', 182, { operation: 'GET /v2/profiles/{profileId}' });
 */
export interface Metrics {
  /** One observation: a count (usually 1) or a duration in milliseconds, as the metric's unit says. */
  emit(metric: BusinessMetricKey, value: number, dimensions?: MetricDimensions): void;
}
