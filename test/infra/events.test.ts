import { beforeAll, describe, expect, it } from 'vitest';
import { ITERATOR_AGE_ALARM_MS } from '../../infra/constructs/events.js';
import { streamConsumers } from '../../shared/stream-consumers.js';
import { tableDefinition } from '../../shared/table.js';
import {
  actionsOf,
  functionsByName,
  referencedId,
  resourcesOf,
  statementsOfRole,
  synthStack,
  type PolicyStatement,
} from './support/stack.js';

/**
 * The table's stream and its consumers, as infra/constructs/events.ts builds them from the one
 * definition (shared/stream-consumers.ts) that the local stream runner also reads.
 */
describe('the table stream and its consumers', () => {
  let synthesized: ReturnType<typeof synthStack>;
  beforeAll(() => {
    synthesized = synthStack({ alarmEmail: 'ops@bank.example.com' });
  }, 120_000);

  const template = () => synthesized.template;
  const mappings = () => Object.values(resourcesOf(template(), 'AWS::Lambda::EventSourceMapping'));
  const tableId = () => Object.keys(resourcesOf(template(), 'AWS::DynamoDB::Table'))[0]!;
  const fnOf = (name: string) => {
    const fn = functionsByName(template()).get(name);
    expect(fn, `function ${name}`).toBeDefined();
    return fn!;
  };
  const roleOf = (name: string) => referencedId(fnOf(name).properties.Role)!;
  const mappingOf = (name: string) => {
    const fn = fnOf(name);
    const found = mappings().filter((m) => referencedId(m.Properties?.FunctionName) === fn.logicalId);
    expect(found).toHaveLength(1);
    return found[0]!.Properties!;
  };
  const queueIdOf = (mapping: Record<string, unknown>) =>
    referencedId(
      (mapping.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
    )!;

  it('turns on the stream with new and old images, as the table definition says', () => {
    // Act
    const table = resourcesOf(template(), 'AWS::DynamoDB::Table')[tableId()]!;

    // Assess
    expect(tableDefinition.stream.viewType).toBe('NEW_AND_OLD_IMAGES');
    expect(table.Properties?.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it.each(streamConsumers.map((c) => [c.name, c] as const))(
    'maps %s with the definition: filters, batch, bounded retries, bisection, partial batch responses, failure queue',
    (_name, consumer) => {
      // Act
      const mapping = mappingOf(consumer.function);

      // Assess
      expect(referencedId(mapping.EventSourceArn)).toBe(tableId());
      expect(JSON.stringify(mapping.EventSourceArn)).toContain('StreamArn');
      expect(mapping).toMatchObject({
        StartingPosition: consumer.startingPosition,
        BatchSize: consumer.batchSize,
        MaximumRetryAttempts: consumer.maxRetries,
        BisectBatchOnFunctionError: consumer.bisectOnError,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping.MaximumBatchingWindowInSeconds ?? 0).toBe(consumer.maxBatchingWindowSeconds);
      const patterns = (mapping.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) =>
        JSON.parse(f.Pattern),
      );
      expect(patterns).toEqual(consumer.filters);
      expect(resourcesOf(template(), 'AWS::SQS::Queue')[queueIdOf(mapping)]).toBeDefined();
    },
  );

  it('selects, for the projection, new event records and the items that make pending events applicable', () => {
    // Act
    const patterns = (
      mappingOf('webhook-projection').FilterCriteria as { Filters: { Pattern: string }[] }
    ).Filters.map((f) => JSON.parse(f.Pattern));

    // Assess: DynamoDB mappings filter on the dynamodb key only.
    expect(patterns.every((p) => Object.keys(p).join() === 'dynamodb')).toBe(true);
    expect(patterns).toContainEqual({
      dynamodb: {
        Keys: { pk: { S: [{ prefix: 'WEBHOOK#' }] }, sk: { S: ['EVENT'] } },
        NewImage: { status: { S: ['RECEIVED'] } },
      },
    });
    expect(patterns).toContainEqual(
      expect.objectContaining({
        dynamodb: expect.objectContaining({
          Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: [{ prefix: 'PROFILE#' }] } },
        }),
      }),
    );
  });

  it('encrypts each failure queue and refuses it over plain HTTP', () => {
    for (const consumer of streamConsumers) {
      // Act
      const queueId = queueIdOf(mappingOf(consumer.function));
      const queue = resourcesOf(template(), 'AWS::SQS::Queue')[queueId]!;
      const policies = Object.values(resourcesOf(template(), 'AWS::SQS::QueuePolicy')).filter((p) =>
        JSON.stringify(p.Properties?.Queues).includes(queueId),
      );

      // Assess
      expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
      const statements = policies.flatMap(
        (p) => (p.Properties?.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('lets the projection read the stream and send to its own failure queue, and use neither the app key nor the secret', () => {
    // Act
    const statements = statementsOfRole(template(), roleOf('webhook-projection'));
    const queueId = queueIdOf(mappingOf('webhook-projection'));
    const actions = statements.flatMap(actionsOf);

    // Assess
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']),
    );
    const stream = statements.find((s) => actionsOf(s).includes('dynamodb:GetRecords'))!;
    expect(JSON.stringify(stream.Resource)).toContain('StreamArn');
    const send = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(send.length).toBeGreaterThan(0);
    for (const s of send) {
      expect(
        actionsOf(s).every((a) =>
          ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].includes(a),
        ),
      ).toBe(true);
      expect(referencedId(s.Resource)).toBe(queueId);
    }
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.startsWith('dynamodb:Batch'))).toEqual([]);
    expect(fnOf('webhook-projection').env).not.toHaveProperty('APP_KEY_ID');
    expect(fnOf('webhook-projection').env).not.toHaveProperty('WISE_CREDENTIALS_SECRET_ARN');
  });

  it('lets the receiver only put and read event records: no stream, no customer items', () => {
    // Act
    const statements = statementsOfRole(template(), roleOf('webhooks'));
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    // Assess
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(JSON.stringify(dynamo)).toContain('WEBHOOK#');
    expect(JSON.stringify(dynamo)).not.toContain('CUSTOMER#');
  });

  it('alarms on each consumer falling behind, failing records and giving up on a batch, and notifies the alarm topic', () => {
    // Act
    const alarms = Object.values(resourcesOf(template(), 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const topics = Object.keys(resourcesOf(template(), 'AWS::SNS::Topic'));

    // Assess
    for (const consumer of streamConsumers) {
      const fn = fnOf(consumer.function);
      const onFunction = (metric: string) =>
        alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(fn.logicalId));
      expect(onFunction('IteratorAge')).toEqual([
        expect.objectContaining({
          Statistic: 'Maximum',
          Threshold: ITERATOR_AGE_ALARM_MS,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
      expect(onFunction('Errors').length).toBeGreaterThanOrEqual(1);
      const queueId = queueIdOf(mappingOf(consumer.function));
      const depth = alarms.filter(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions).includes(queueId),
      );
      expect(depth).toEqual([expect.objectContaining({ Threshold: 1 })]);
      expect(
        alarms.filter(
          (a) =>
            String(a.MetricName).endsWith('RecordFailures') &&
            String(a.MetricName).includes(pascal(consumer.name)),
        ),
      ).toHaveLength(1);
      for (const alarm of [...onFunction('IteratorAge'), ...depth]) {
        expect(topics.map((t) => ({ Ref: t }))).toContainEqual((alarm.AlarmActions as unknown[])[0]);
      }
    }
  });

  it("counts the consumers' failed records from their own log lines", () => {
    // Act
    const filters = Object.values(resourcesOf(template(), 'AWS::Logs::MetricFilter')).map(
      (f) => f.Properties!,
    );

    // Assess
    for (const consumer of streamConsumers) {
      const logGroup = referencedId(
        fnOf(consumer.function).properties.LoggingConfig &&
          (fnOf(consumer.function).properties.LoggingConfig as { LogGroup: unknown }).LogGroup,
      );
      const mine = filters.filter(
        (f) =>
          referencedId(f.LogGroupName) === logGroup &&
          String(f.FilterPattern).includes('stream record failed'),
      );
      expect(mine).toHaveLength(1);
    }
  });
});

const pascal = (name: string) =>
  name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
