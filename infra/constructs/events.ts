import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '../../shared/routes.js';
import { streamConsumers, type StreamConsumer } from '../../shared/stream-consumers.js';
import type { OnboardingData } from './data.js';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as iam from 'aws-cdk-lib/aws-iam';
import { businessMetrics, METRICS_NAMESPACE } from '../../shared/metrics/names.js';

export interface TableStreamConsumersProps {
  /** The stack's functions; each consumer's function is taken from here. */
  readonly functions: Record<FunctionName, lambda.Function>;
  readonly data: OnboardingData;
  /** When set, the consumers' alarms notify it (the stack's alarm topic). */
  readonly alarmTopic?: sns.ITopic;
}

const PERIOD = Duration.minutes(5);
/** The metric namespace of the consumers' own figures (from their log lines). */
export const STREAM_METRICS_NAMESPACE = 'wise-onboarding/streams';
/** A consumer further behind than this is not keeping up: Wise's news waits that long to show. */
export const ITERATOR_AGE_ALARM_MS = 60_000;
/** Record failures in five minutes before a human looks: a few retried ones are the stream doing its job. */
export const RECORD_FAILURES_ALARM = 10;
/** Messages of a failure queue are kept for SQS's longest retention: the operator replays within that time. */
const FAILURE_RETENTION = Duration.days(14);

/**
 * The table stream's consumers, one Lambda event source mapping each, built from the one definition
 * the local stream runner also reads (shared/stream-consumers.ts): filters, batch size, batching
 * window, bounded retries, bisection on error, partial batch responses, and an on-failure SQS queue
 * (encrypted, TLS only) that receives the coordinates of a batch given up on. Alarms per consumer:
 * its iterator age (falling behind), its record failures (from the consumer's "stream record
 * failed" log lines: partial failures are not Lambda errors) and its failure queue's depth (a batch
 * given up on: `npm run webhooks:replay` once fixed). Lambda errors and throttles of every function
 * are alarms of OperationalAlarms.
 *
 * @example
 * new TableStreamConsumers(this, 'Events', { functions: fns.byName, data, alarmTopic: alarms.topic });
 */
export class TableStreamConsumers extends Construct {
  readonly failureQueues = new Map<string, sqs.Queue>();
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: TableStreamConsumersProps) {
    super(scope, id);
    for (const consumer of streamConsumers as readonly StreamConsumer[]) this.addConsumer(consumer, props);
  }

  private addConsumer(
    consumer: StreamConsumer,
    { functions, data, alarmTopic }: TableStreamConsumersProps,
  ): void {
    const fn = functions[consumer.function];
    if (fn === undefined)
      throw new Error(`stream consumer ${consumer.name}: no function ${consumer.function} in the stack`);
    const id = pascalCase(consumer.name);

    // The messages name a shard and sequence numbers, no item data: SQS-managed encryption suffices
    // and needs no key grant for Lambda to send.
    const queue = new sqs.Queue(this, `${id}FailureQueue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FAILURE_RETENTION,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        `This queue is the ${consumer.name} event source mapping's on-failure destination: a dead-letter queue itself, ` +
        'read by an operator (its depth is an alarm), so it has no dead-letter queue of its own.',
    });
    this.failureQueues.set(consumer.name, queue);

    fn.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: lambda.StartingPosition[consumer.startingPosition],
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        retryAttempts: consumer.maxRetries,
        bisectBatchOnError: consumer.bisectOnError,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(queue),
        filters: consumer.filters.map((pattern) =>
          lambda.FilterCriteria.filter(pattern as Record<string, unknown>),
        ),
      }),
    );
    // The stream and the table key it is encrypted under (the key's policy names the role).
    data.grantStreamRead(fn.role!);

    const recordFailures = new logs.MetricFilter(this, `${id}RecordFailures`, {
      logGroup: fn.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'stream record failed'),
      metricNamespace: STREAM_METRICS_NAMESPACE,
      metricName: `${id}RecordFailures`,
      metricValue: '1',
    });

    this.alarm(`${id}IteratorAge`, alarmTopic, {
      metric: fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
      threshold: ITERATOR_AGE_ALARM_MS,
      description: `The ${consumer.name} stream consumer is more than ${ITERATOR_AGE_ALARM_MS / 1000} s behind the table's stream.`,
    });
    this.alarm(`${id}RecordFailuresAlarm`, alarmTopic, {
      metric: recordFailures.metric({ period: PERIOD, statistic: 'Sum' }),
      threshold: RECORD_FAILURES_ALARM,
      description: `The ${consumer.name} stream consumer failed at least ${RECORD_FAILURES_ALARM} records in 5 minutes (they are retried).`,
    });
    this.alarm(`${id}FailureQueueDepth`, alarmTopic, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      threshold: 1,
      description:
        `The ${consumer.name} stream consumer gave up on a batch after ${consumer.maxRetries} retries: fix the cause, then ` +
        '`npm run webhooks:replay -- --since <the batch time>` (the records are still in the table).',
    });
  }

  private alarm(
    id: string,
    topic: sns.ITopic | undefined,
    {
      metric,
      threshold,
      description,
    }: { metric: cloudwatch.IMetric; threshold: number; description: string },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `wise-onboarding: ${description}`,
    });
    if (topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
    this.alarms.push(alarm);
  }
}

const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

// --- Partner events and reconciliation (issue 17, items 3 and 6) ---

export interface PartnerEventsProps {
  /** The stack's functions: `partner-events` publishes to the bus, `reconcile` runs on the schedule. */
  readonly functions: Record<FunctionName, lambda.Function>;
  /** How often reconciliation runs (CDK context `reconcileEvery`, hourly by default). */
  readonly reconcileEveryMinutes: number;
  /** The webhook URL the application subscriptions must point at (reconciliation checks them). */
  readonly webhookUrl: string;
  readonly alarmTopic?: sns.ITopic;
}

/** The metric namespace and service dimension (POWERTOOLS_SERVICE_NAME) of the reconcile function's metric lines. */
const RECONCILE_METRICS = {
  namespace: METRICS_NAMESPACE,
  dimensionsMap: { service: 'wise-onboarding-reconcile' },
} as const;

/**
 * The partner events' bus and the reconciliation schedule. The partner-events consumer's mapping,
 * failure queue and consumer alarms come from the shared definition with the other consumers
 * ({@link TableStreamConsumers}); here: the bus (`events:PutEvents` for that function only), the
 * EventBridge Scheduler schedule that starts reconciliation (one run at a time: reserved
 * concurrency 1, which also keeps the 10 Wise calls/s bound global), and its alarms — a run that
 * failed (Lambda errors, or items and subscription listings that failed) and application
 * subscriptions missing at Wise.
 *
 * @example
 * const partnerEvents = new PartnerEvents(this, 'PartnerEvents', { functions, reconcileEveryMinutes: 60, webhookUrl });
 * partnerEvents.bus.eventBusName;
 */
export class PartnerEvents extends Construct {
  readonly bus: events.EventBus;
  readonly schedule: scheduler.Schedule;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PartnerEventsProps) {
    super(scope, id);
    const publisher = props.functions['partner-events'];
    const reconcile = props.functions.reconcile;

    this.bus = new events.EventBus(this, 'Bus', {
      description: 'wise-onboarding partner events (PARTNER-API.md, "Partner events")',
    });
    this.bus.grantPutEventsTo(publisher);
    publisher.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);

    reconcile.addEnvironment('WEBHOOK_URL', props.webhookUrl);
    (reconcile.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
    // The schedule's own role may invoke this function's unqualified ARN and nothing else (the
    // library's LambdaInvoke target grants `<arn>:*` too, every version and alias).
    const role = new iam.Role(this, 'ReconcileScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'wise-onboarding reconciliation schedule',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [reconcile.functionArn] }),
    );
    this.schedule = new scheduler.Schedule(this, 'ReconcileSchedule', {
      description: `wise-onboarding: reconciliation every ${props.reconcileEveryMinutes} minutes`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(props.reconcileEveryMinutes)),
      target: {
        bind: () => ({
          arn: reconcile.functionArn,
          role,
          input: scheduler.ScheduleTargetInput.fromObject({ source: 'wise-onboarding.reconcile-schedule' }),
          // A missed run is not retried: the next one reads everything still due.
          retryPolicy: { maximumRetryAttempts: 0 },
        }),
      },
    });

    const period = Duration.minutes(Math.max(5, props.reconcileEveryMinutes));
    this.alarm('ReconcileErrors', props.alarmTopic, {
      metric: reconcile.metricErrors({ period, statistic: 'Sum' }),
      description: 'A reconciliation run failed (the reconcile function errored).',
    });
    this.alarm('ReconcileFailures', props.alarmTopic, {
      metric: new cloudwatch.Metric({
        ...RECONCILE_METRICS,
        metricName: businessMetrics.reconcileFailures.name,
        period,
        statistic: 'Sum',
      }),
      description:
        'Reconciliation could not read or apply some states (Wise or the table failing); they are read again next run.',
    });
    this.alarm('SubscriptionsMissing', props.alarmTopic, {
      metric: new cloudwatch.Metric({
        ...RECONCILE_METRICS,
        metricName: businessMetrics.subscriptionsMissing.name,
        period,
        statistic: 'Maximum',
      }),
      description:
        'Application webhook subscriptions are missing at Wise or at another schema version: Wise sends nothing for those events ' +
        '(`npm run wise:subscribe` creates them).',
    });
  }

  private alarm(
    id: string,
    topic: sns.ITopic | undefined,
    { metric, description }: { metric: cloudwatch.IMetric; description: string },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `wise-onboarding: ${description}`,
    });
    if (topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
    this.alarms.push(alarm);
  }
}
