import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { businessMetrics, METRICS_NAMESPACE, type BusinessMetricKey } from '../../shared/metrics/names.js';
import type { FunctionName } from '../../shared/routes.js';

export interface OperationalAlarmsProps {
  readonly httpApi: apigw.HttpApi;
  readonly functions: Record<FunctionName, lambda.IFunction>;
  readonly table: dynamodb.ITable;
  /** When set, alarms notify this address through an SNS topic. */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * What a human does when an alarm fires, one line each; README.md's "Runbook" table carries the
 * same lines (an infra test keeps the two in step).
 */
export const RUNBOOK = {
  Api5xx:
    'Open the dashboard: if WiseErrors rose too, Wise is failing (check status.wise.com, nothing to do but wait); ' +
    "otherwise read the failing function's logs by requestId from the API access logs.",
  ApiLatency:
    'Find the slow routes on the dashboard; a Wise operation with high WiseLatency explains it, else look ' +
    'for DynamoDB or KMS throttling and the function duration p99.',
  FunctionErrors:
    "Read the function's log group for the error (unhandled error or timeout); roll back the last deploy if it started there.",
  FunctionThrottles:
    'Concurrency ran out: for webhooks raise webhookReservedConcurrency; for the others ask AWS for a higher ' +
    'account concurrency limit. Wise retries refused webhooks; partners retry 429s.',
  TableThrottles:
    'On-demand tables throttle on a hot partition or above the table maximums: find the key in CloudWatch ' +
    'Contributor Insights and the caller in the function logs.',
  WebhookSignatureRejected:
    "Wise may have rotated its webhook key: compare the logged key fingerprints with Wise's published key and " +
    'add the new one with wiseWebhookPublicKeys (beside the pinned key). Otherwise someone is sending forged deliveries.',
  WebhookLag:
    'Deliveries arrive long after the event: Wise is retrying (look for webhook 5xx or throttles) or delaying; ' +
    'nothing is lost, Wise retries for two weeks.',
  WiseErrors:
    'Wise is failing or unreachable for one operation (dashboard: Wise errors by operation); check status.wise.com ' +
    'and, for mTLS, that the client certificate in the credentials secret has not expired.',
  RefreshFailures:
    'Customers are losing their Wise access: a spike after a Wise incident recovers by itself; a steady rate means ' +
    'grants were revoked (the customers are told RELINK_REQUIRED) or the client credentials changed.',
} as const;

export type RunbookId = keyof typeof RUNBOOK;

/** A Metrics Insights query over every dimension set of one business metric. */
const businessMetric = (key: BusinessMetricKey, aggregate: 'SUM' | 'AVG' | 'MAX'): cloudwatch.IMetric =>
  new cloudwatch.MathExpression({
    expression: `SELECT ${aggregate}(${businessMetrics[key].name}) FROM ${METRICS_NAMESPACE}`,
    period: PERIOD,
    label: businessMetrics[key].name,
  });

/**
 * The alarms that need a human: the API answering 5xx or slowly, a function failing or being
 * throttled, DynamoDB throttling, and the business signals (forged or unverifiable webhooks, webhook
 * lag, Wise failing, customers losing their grants). Missing data means no traffic, which is not an
 * alarm. Each alarm names its runbook line ({@link RUNBOOK}).
 *
 * @example
 * new OperationalAlarms(this, 'Alarms', { httpApi, functions, table, alarmEmail: 'ops@example.com' });
 */
export class OperationalAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Which runbook line each alarm (by construct id) points at. */
  readonly runbookOf = new Map<string, RunbookId>();
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);

    if (props.alarmEmail !== undefined) {
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'wise-onboarding alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    // A few 5xx can be Wise outages already answered with 503 WISE_UNAVAILABLE; a burst is not.
    this.add('Api5xx', 'Api5xx', props.httpApi.metricServerError({ period: PERIOD, statistic: 'Sum' }), {
      threshold: 5,
      description: 'The partner API answered 5xx at least 5 times in 5 minutes.',
    });
    // API Gateway cuts an integration at 30 s; a p99 of 20 s for 15 minutes is close to answering 504s.
    this.add('ApiLatency', 'ApiLatency', props.httpApi.metricLatency({ period: PERIOD, statistic: 'p99' }), {
      threshold: 20_000,
      evaluationPeriods: 3,
      description: 'The partner API took 20 s or more (p99) for 15 minutes.',
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}-Errors`, 'FunctionErrors', fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), {
        threshold: 1,
        description: `The ${name} function failed (unhandled error or timeout).`,
      });
      this.add(
        `${name}-Throttles`,
        'FunctionThrottles',
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        {
          threshold: 1,
          description: `The ${name} function was throttled: requests were rejected for lack of concurrency.`,
        },
      );
    }

    const tableThrottles = new cloudwatch.MathExpression({
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
      usingMetrics: {
        reads: props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
        writes: props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
      },
      period: PERIOD,
      label: 'Table throttle events',
    });
    this.add('TableThrottles', 'TableThrottles', tableThrottles, {
      threshold: 1,
      description: 'DynamoDB throttled reads or writes on the application table.',
    });

    this.add(
      'WebhookSignatureRejected',
      'WebhookSignatureRejected',
      businessMetric('webhookSignatureRejected', 'SUM'),
      {
        threshold: 5,
        description: 'At least 5 webhook deliveries in 5 minutes failed signature verification.',
      },
    );
    this.add('WebhookLag', 'WebhookLag', businessMetric('webhookLag', 'AVG'), {
      threshold: 10 * 60_000,
      evaluationPeriods: 3,
      description:
        'Webhook deliveries arrived 10 minutes or more (average) after their event, for 15 minutes.',
    });
    this.add('WiseErrors', 'WiseErrors', businessMetric('wiseErrors', 'SUM'), {
      threshold: 20,
      evaluationPeriods: 2,
      description: 'Wise API calls failed at least 20 times in each of two 5-minute periods.',
    });
    this.add('RefreshFailures', 'RefreshFailures', businessMetric('refreshFailures', 'SUM'), {
      threshold: 5,
      description: 'At least 5 user-token refreshes failed in 5 minutes.',
    });
  }

  /**
   * Adds an alarm with its runbook line (README.md "Runbook"). Breaching at or above `threshold` in
   * `evaluationPeriods` consecutive periods (default 1).
   */
  add(
    id: string,
    runbook: RunbookId,
    metric: cloudwatch.IMetric,
    options: { threshold: number; description: string; evaluationPeriods?: number },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `wise-onboarding: ${options.description} Runbook: README.md#runbook (${runbook}).`,
    });
    if (this.topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
    }
    this.alarms.push(alarm);
    this.runbookOf.set(id, runbook);
    return alarm;
  }
}
