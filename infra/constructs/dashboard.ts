import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { businessMetrics, METRICS_NAMESPACE, type BusinessMetricKey } from '../../shared/metrics/names.js';
import { routes, type FunctionName } from '../../shared/routes.js';
import { EDGE_REGION } from '../edge-stack.js';

export interface OperationsDashboardProps {
  readonly httpApi: apigw.HttpApi;
  readonly functions: Record<FunctionName, lambda.IFunction>;
  readonly table: dynamodb.ITable;
  /** The edge web ACL's name, when one is attached: its verdicts are shown (from us-east-1). */
  readonly webAclName?: string;
}

const PERIOD = Duration.minutes(5);
const WIDTH = 8;

/**
 * One CloudWatch dashboard for the service: the API per route (4xx, 5xx, latency), each function
 * (errors, throttles, duration), DynamoDB throttles, the business metrics of shared/metrics/names.ts
 * (Metrics Insights queries, grouped by their dimension) and, with a web ACL, the edge's verdicts.
 *
 * @example
 * new OperationsDashboard(this, 'Dashboard', { httpApi, functions, table });
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });

    // Detailed route metrics carry the route's method and path template (API stage: detailedMetricsEnabled).
    const perRoute = (metricName: string, statistic: string) =>
      routes.map(
        (route) =>
          new cloudwatch.Metric({
            namespace: 'AWS/ApiGateway',
            metricName,
            dimensionsMap: {
              ApiId: props.httpApi.apiId,
              Stage: '$default',
              Method: route.method,
              Resource: route.path,
            },
            statistic,
            period: PERIOD,
            label: route.id,
          }),
      );
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '# Partner API, per route', width: 24, height: 1 }),
      graph('4xx per route', perRoute('4xx', 'Sum')),
      graph('5xx per route', perRoute('5xx', 'Sum')),
      graph('Latency p99 per route (ms)', perRoute('Latency', 'p99')),
    );

    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '# Functions and table', width: 24, height: 1 }),
      graph(
        'Function errors',
        functions.map(([name, fn]) => fn.metricErrors({ period: PERIOD, label: name })),
      ),
      graph(
        'Function throttles',
        functions.map(([name, fn]) => fn.metricThrottles({ period: PERIOD, label: name })),
      ),
      graph(
        'Function duration p99 (ms)',
        functions.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name })),
      ),
      graph('DynamoDB throttle events', [
        props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum', label: 'reads' }),
        props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum', label: 'writes' }),
      ]),
    );

    // Every metric of shared/metrics/names.ts gets a graph, so a metric added there shows up here.
    const business = (key: BusinessMetricKey, aggregate: 'SUM' | 'AVG' | 'MAX') => {
      const metric = businessMetrics[key];
      const dimensions: readonly string[] = metric.dimensions;
      const groupBy = dimensions.length > 0 ? ` GROUP BY ${dimensions.join(', ')}` : '';
      return new cloudwatch.MathExpression({
        expression: `SELECT ${aggregate}(${metric.name}) FROM ${METRICS_NAMESPACE}${groupBy}`,
        period: PERIOD,
        label: `${metric.name} (${aggregate.toLowerCase()})`,
      });
    };
    const businessGraphs = (Object.keys(businessMetrics) as BusinessMetricKey[]).map((key) => {
      const { name, unit } = businessMetrics[key];
      return unit === 'Milliseconds'
        ? graph(`${name} (ms)`, [business(key, 'AVG'), business(key, 'MAX')])
        : graph(name, [business(key, 'SUM')]);
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Business (namespace ${METRICS_NAMESPACE})`,
        width: 24,
        height: 1,
      }),
      ...businessGraphs,
    );

    if (props.webAclName !== undefined) {
      const verdicts = (metricName: string) =>
        new cloudwatch.MathExpression({
          expression: `SEARCH('Namespace="AWS/WAFV2" MetricName="${metricName}" WebACL="${props.webAclName}"', 'Sum', 300)`,
          searchRegion: EDGE_REGION,
          period: PERIOD,
          label: metricName,
        });
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: '# Edge (WAF, us-east-1)', width: 24, height: 1 }),
        graph('Blocked requests by rule', [verdicts('BlockedRequests')]),
        graph('Counted requests by rule', [verdicts('CountedRequests')]),
        graph('Allowed requests', [verdicts('AllowedRequests')]),
      );
    }
  }
}

const graph = (title: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget =>
  new cloudwatch.GraphWidget({ title, left, width: WIDTH, height: 6 });
