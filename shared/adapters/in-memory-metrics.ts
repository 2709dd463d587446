import { businessMetrics, type BusinessMetricKey } from '../metrics/names';
import type { MetricDimensions, Metrics } from '../ports/metrics';

export interface Observation {
  readonly metric: BusinessMetricKey;
  /** The CloudWatch metric name (names.ts). */
  readonly name: string;
  readonly value: number;
  readonly dimensions: MetricDimensions;
}

/**
 * The {@link Metrics} port in memory: the local stack's (there is no CloudWatch to read EMF) and
 * the tests'. Keeps the last {@link InMemoryMetrics.limit} observations, so a long `npm start` or
 * load run does not grow without bound.
 */
export class InMemoryMetrics implements Metrics {
  private readonly kept: Observation[] = [];

  constructor(readonly limit = 50_000) {}

  emit(metric: BusinessMetricKey, value: number, dimensions: MetricDimensions = {}): void {
    const spec = businessMetrics[metric];
    // As in CloudWatch: only the dimensions the metric declares.
    const declared: MetricDimensions = {};
    for (const name of spec.dimensions) if (dimensions[name] !== undefined) declared[name] = dimensions[name];
    this.kept.push({ metric, name: spec.name, value, dimensions: declared });
    if (this.kept.length > this.limit) this.kept.splice(0, this.kept.length - this.limit);
  }

  get observations(): readonly Observation[] {
    return this.kept;
  }

  /** Every observation of a metric, optionally only those with these dimension values. */
  of(metric: BusinessMetricKey, dimensions: MetricDimensions = {}): Observation[] {
    return this.kept.filter(
      (o) =>
        o.metric === metric &&
        Object.entries(dimensions).every(([k, v]) => o.dimensions[k as keyof MetricDimensions] === v),
    );
  }

  /** The sum of a metric's values (a count's total). */
  sum(metric: BusinessMetricKey, dimensions: MetricDimensions = {}): number {
    return this.of(metric, dimensions).reduce((n, o) => n + o.value, 0);
  }

  clear(): void {
    this.kept.length = 0;
  }
}
