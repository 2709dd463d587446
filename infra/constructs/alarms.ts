import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
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
 * The alarms an operator needs first: the API answering 5xx, a function failing or being
 * throttled, and DynamoDB throttling. Missing data means no traffic, which is not an alarm.
 *
 * @example
 * new OperationalAlarms(this, 'Alarms', { httpApi, functions, table, alarmEmail: 'ops@example.com' });
 */
export class OperationalAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);

    if (props.alarmEmail !== undefined) {
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'wise-onboarding alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    // A few 5xx can be Wise outages already answered with 503 WISE_UNAVAILABLE; a burst is not.
    this.add(
      'Api5xx',
      props.httpApi.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      5,
      'The partner API answered 5xx at least 5 times in 5 minutes.',
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(
        `${name}-Errors`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        1,
        `The ${name} function failed (unhandled error or timeout).`,
      );
      this.add(
        `${name}-Throttles`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        1,
        `The ${name} function was throttled: requests were rejected for lack of concurrency.`,
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
    this.add(
      'TableThrottles',
      tableThrottles,
      1,
      'DynamoDB throttled reads or writes on the application table.',
    );
  }

  private add(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `wise-onboarding: ${description}`,
    });
    if (this.topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
    }
    this.alarms.push(alarm);
  }
}
