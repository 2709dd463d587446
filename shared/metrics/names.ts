import type { FunctionName } from '../routes';

/**
 * The business and health metrics, named once: the functions emit them (Powertools metrics, EMF)
 * and the CDK stack's dashboard and alarms read them (infra/constructs/operations.ts).
 *
 * Every metric goes to {@link METRICS_NAMESPACE} with Powertools' `service` dimension
 * (POWERTOOLS_SERVICE_NAME, `wise-onboarding-<function>`) plus the dimensions listed here and no
 * others: the dashboard groups by them and the alarms sum over every dimension set with a Metrics
 * Insights query, so a new dimension value needs no stack change but a new dimension name does.
 *
 * @example
 * metrics.addDimension(metricDimensions.operation, 'POST /v1/profiles');
 * metrics.addMetric(businessMetrics.wiseErrors.name, MetricUnit.Count, 1);
 */
export const METRICS_NAMESPACE = 'WiseOnboarding';

/** Dimension names (besides `service`). */
export const metricDimensions = {
  /** A Wise API operation: method and path template, e.g. `GET /v1/profiles/{profileId}`. */
  operation: 'operation',
  /** A webhook delivery's outcome, one of {@link webhookResults}. */
  result: 'result',
  /** How a link was completed: `oauth_callback`, `code` or `email_fallback`. */
  method: 'method',
} as const;

export type MetricDimension = (typeof metricDimensions)[keyof typeof metricDimensions];

/** What became of one webhook delivery (the `result` dimension of `WebhookResults`). */
export const webhookResults = ['STORED', 'DUPLICATE', 'APPLIED', 'STALE', 'UNMATCHED', 'REJECTED'] as const;
export type WebhookResult = (typeof webhookResults)[number];

export interface BusinessMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Milliseconds';
  /** Dimensions besides `service`. */
  readonly dimensions: readonly MetricDimension[];
  /** The functions expected to emit it (for the dashboard's per-function views). */
  readonly emittedBy: readonly FunctionName[];
  readonly description: string;
}

const wiseFacing: readonly FunctionName[] = ['onboarding', 'oauth', 'kyc-reviews'];

export const businessMetrics = {
  signups: {
    name: 'Signups',
    unit: 'Count',
    dimensions: [],
    emittedBy: ['onboarding'],
    description: 'A customer was signed up at Wise (route 1 answered 201).',
  },
  links: {
    name: 'Links',
    unit: 'Count',
    dimensions: [metricDimensions.method],
    emittedBy: ['oauth'],
    description: "A customer's existing Wise account was linked for the first time.",
  },
  relinks: {
    name: 'Relinks',
    unit: 'Count',
    dimensions: [metricDimensions.method],
    emittedBy: ['oauth'],
    description: 'A customer whose grant had been refused linked again.',
  },
  webhookResults: {
    name: 'WebhookResults',
    unit: 'Count',
    dimensions: [metricDimensions.result],
    emittedBy: ['webhooks'],
    description: 'One webhook delivery, by outcome.',
  },
  webhookSignatureRejected: {
    name: 'WebhookSignatureRejected',
    unit: 'Count',
    dimensions: [],
    emittedBy: ['webhooks'],
    description: 'A delivery whose signature verified with none of the configured Wise keys.',
  },
  webhookLag: {
    name: 'WebhookLag',
    unit: 'Milliseconds',
    dimensions: [],
    emittedBy: ['webhooks'],
    description: "From the event's occurrence at Wise to its receipt here.",
  },
  wiseLatency: {
    name: 'WiseLatency',
    unit: 'Milliseconds',
    dimensions: [metricDimensions.operation],
    emittedBy: wiseFacing,
    description: 'One Wise API call (each attempt), by operation.',
  },
  wiseErrors: {
    name: 'WiseErrors',
    unit: 'Count',
    dimensions: [metricDimensions.operation],
    emittedBy: wiseFacing,
    description: 'A Wise API call that failed (5xx, timeout, network), by operation.',
  },
  refreshFailures: {
    name: 'RefreshFailures',
    unit: 'Count',
    dimensions: [],
    emittedBy: wiseFacing,
    description: 'A user-token refresh that failed (Wise refused the grant or was unreachable).',
  },
  reconcileFailures: {
    name: 'ReconcileFailures',
    unit: 'Count',
    dimensions: [],
    emittedBy: ['reconcile'],
    description:
      'States a reconciliation run could not read or apply (read again next run), plus 1 when the subscriptions could not be listed.',
  },
  reconcileApplied: {
    name: 'ReconcileApplied',
    unit: 'Count',
    dimensions: [],
    emittedBy: ['reconcile'],
    description: 'States a reconciliation run found changed at Wise and applied (a webhook was missed).',
  },
  subscriptionsMissing: {
    name: 'SubscriptionsMissing',
    unit: 'Count',
    dimensions: [],
    emittedBy: ['reconcile'],
    description: 'Application webhook subscriptions missing at Wise, or only at another schema version.',
  },
} as const satisfies Record<string, BusinessMetric>;

export type BusinessMetricKey = keyof typeof businessMetrics;
