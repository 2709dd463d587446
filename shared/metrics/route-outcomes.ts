import type { RouteId } from '../routes';
import type { MetricDimensions } from '../ports/metrics';
import type { BusinessMetricKey } from './names';

/**
 * Business metrics that a route's answer alone says happened, emitted by the handler stack once the
 * answer is final (so a refused or failed request never counts). Metrics that need the use case's
 * knowledge (a relink, a webhook's projection) are emitted where that knowledge is.
 */
export const routeOutcomeMetrics: Partial<
  Record<
    RouteId,
    Readonly<Partial<Record<number, { metric: BusinessMetricKey; dimensions?: MetricDimensions }>>>
  >
> = {
  // 201: this call finished the signup (200 is a repeat after success).
  createAccount: { 201: { metric: 'signups' } },
};
