import { Metrics as PowertoolsMetricsClient, MetricUnit } from '@aws-lambda-powertools/metrics';
import { businessMetrics, METRICS_NAMESPACE, type BusinessMetricKey } from '../metrics/names';
import type { MetricDimensions, Metrics } from '../ports/metrics';

/**
 * The {@link Metrics} port as CloudWatch EMF lines on stdout (Powertools metrics), namespace
 * `WiseOnboarding`, with Powertools' `service` dimension (POWERTOOLS_SERVICE_NAME) and only the
 * dimensions names.ts declares for the metric. Each observation is its own EMF document, flushed at
 * once: metrics with different dimensions cannot share one, and nothing waits for the end of an
 * invocation that may never come (a timeout, a crash).
 */
export class PowertoolsMetrics implements Metrics {
  private readonly client: PowertoolsMetricsClient;

  constructor(
    client: PowertoolsMetricsClient = new PowertoolsMetricsClient({ namespace: METRICS_NAMESPACE }),
  ) {
    this.client = client;
  }

  emit(metric: BusinessMetricKey, value: number, dimensions: MetricDimensions = {}): void {
    const spec = businessMetrics[metric];
    try {
      const single = this.client.singleMetric();
      for (const name of spec.dimensions) {
        const dimension = dimensions[name];
        if (dimension !== undefined) single.addDimension(name, dimension.slice(0, 250));
      }
      single.addMetric(spec.name, spec.unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
    } catch {
      // A metric that cannot be written is lost; the work it measured is not.
    }
  }
}
