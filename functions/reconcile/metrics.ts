import { METRICS_NAMESPACE } from '../../shared/metrics/names';

/**
 * Writes CloudWatch embedded-metric-format lines (one JSON object per line on stdout, which Lambda
 * ships to the log group and CloudWatch turns into metrics), with the `service` dimension every
 * metric of the product carries (shared/metrics/names.ts).
 */
export const emitMetrics = (
  service: string,
  values: Readonly<Record<string, number>>,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: number = Date.now(),
): void => {
  const names = Object.keys(values);
  if (names.length === 0) return;
  write(
    JSON.stringify({
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['service']],
            Metrics: names.map((Name) => ({ Name, Unit: 'Count' })),
          },
        ],
      },
      service,
      ...values,
    }),
  );
};
