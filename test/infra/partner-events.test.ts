import { beforeAll, describe, expect, it } from 'vitest';
import { parseStackConfig, StackConfigError } from '../../infra/config.js';
import { streamConsumerByName } from '../../shared/stream-consumers.js';
import {
  actionsOf,
  functionsByName,
  referencedId,
  resourcesOf,
  statementsOfRole,
  synthStack,
  testConfig,
} from './support/stack.js';

/**
 * Partner events and reconciliation in the stack (infra/constructs/events.ts): the bus and its
 * output, the partner-events consumer's mapping from the shared definition, the reconcile
 * schedule, the alarms, and what each of the two functions may do.
 */
describe('partner events and reconciliation', () => {
  let synthesized: ReturnType<typeof synthStack>;
  beforeAll(() => {
    synthesized = synthStack({ alarmEmail: 'ops@bank.example.com', reconcileEvery: '30m' });
  }, 120_000);

  const template = () => synthesized.template;
  const fnOf = (name: string) => {
    const fn = functionsByName(template()).get(name);
    expect(fn, `function ${name}`).toBeDefined();
    return fn!;
  };
  const roleOf = (name: string) => referencedId(fnOf(name).properties.Role)!;
  const busId = () => {
    const ids = Object.keys(resourcesOf(template(), 'AWS::Events::EventBus'));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const alarms = () =>
    Object.values(resourcesOf(template(), 'AWS::CloudWatch::Alarm')).map((a) => a.Properties ?? {});
  const alarmOn = (metricName: string, namespace?: string) =>
    alarms().filter(
      (a) => a.MetricName === metricName && (namespace === undefined || a.Namespace === namespace),
    );

  it('has one bus, named in the EventBusName output and given to the partner-events function only', () => {
    // Act
    const outputs = template().findOutputs('EventBusName');
    const withBus = [...functionsByName(template()).entries()].filter(
      ([, fn]) => fn.env.EVENT_BUS_NAME !== undefined,
    );

    // Assess
    expect(outputs.EventBusName?.Value).toEqual({ Ref: busId() });
    expect(withBus.map(([name]) => name)).toEqual(['partner-events']);
    expect(fnOf('partner-events').env.EVENT_BUS_NAME).toEqual({ Ref: busId() });
  });

  it('lets the partner-events function put events on that bus and nowhere else; no other function may', () => {
    // Act
    const putEvents = (name: string) =>
      statementsOfRole(template(), roleOf(name)).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('events:')),
      );

    // Assess
    expect(putEvents('partner-events')).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [busId(), 'Arn'] },
      }),
    ]);
    for (const name of ['onboarding', 'oauth', 'webhooks', 'kyc-reviews', 'webhook-projection', 'reconcile'])
      expect(putEvents(name), name).toEqual([]);
  });

  it("maps the table's stream to the partner-events function as the shared definition says", () => {
    // Prepare
    const definition = streamConsumerByName('partner-events');
    const fn = fnOf('partner-events');

    // Act
    const mappings = Object.values(resourcesOf(template(), 'AWS::Lambda::EventSourceMapping')).filter(
      (m) => referencedId(m.Properties?.FunctionName) === fn.logicalId,
    );

    // Assess
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!.Properties!;
    expect(mapping).toMatchObject({
      BatchSize: definition.batchSize,
      MaximumRetryAttempts: definition.maxRetries,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
    });
    const patterns = (mapping.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) =>
      JSON.parse(f.Pattern),
    );
    expect(patterns).toEqual(definition.filters);
    expect(patterns.map((p) => JSON.stringify(p.dynamodb.Keys.sk))).toEqual([
      '{"S":["ACCOUNT"]}',
      '{"S":[{"prefix":"PROFILE#"}]}',
      '{"S":[{"prefix":"KYC#"}]}',
      '{"S":[{"prefix":"GRANT#"}]}',
    ]);
    expect(
      (mapping.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
    ).toBeDefined();
  });

  it('gives the partner-events function the customer items it reads and marks, and no secrets', () => {
    // Act
    const statements = statementsOfRole(template(), roleOf('partner-events'));
    const actions = statements.flatMap(actionsOf);

    // Assess
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
    );
    expect(actions.filter((a) => /dynamodb:(PutItem|DeleteItem|Scan|BatchWriteItem)$/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(fnOf('partner-events').env.APP_KEY_ID).toBeUndefined();
  });

  it('runs reconciliation on an EventBridge Scheduler schedule at the `reconcileEvery` rate, one run at a time', () => {
    // Act
    const schedules = Object.values(resourcesOf(template(), 'AWS::Scheduler::Schedule')).map(
      (s) => s.Properties ?? {},
    );
    const reconcile = fnOf('reconcile');

    // Assess
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [reconcile.logicalId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      },
    });
    expect(reconcile.properties.ReservedConcurrentExecutions).toBe(1);
    expect(reconcile.env.WEBHOOK_URL).toBeDefined();
    // The schedule's role may invoke the reconcile function and nothing else.
    const scheduleRole = referencedId((schedules[0]!.Target as { RoleArn: unknown }).RoleArn)!;
    const statements = statementsOfRole(template(), scheduleRole);
    expect(statements.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(statements.map((s) => s.Resource))).toContain(reconcile.logicalId);
  });

  it('is hourly unless `reconcileEvery` says otherwise, and refuses a rate out of bounds', () => {
    // Act / Assess
    expect(parseStackConfig(testConfig).reconcileEveryMinutes).toBe(60);
    expect(parseStackConfig({ ...testConfig, reconcileEvery: '2h' }).reconcileEveryMinutes).toBe(120);
    expect(parseStackConfig({ ...testConfig, reconcileEvery: 15 }).reconcileEveryMinutes).toBe(15);
    expect(() => parseStackConfig({ ...testConfig, reconcileEvery: '1m' })).toThrow(StackConfigError);
    expect(() => parseStackConfig({ ...testConfig, reconcileEvery: 'hourly' })).toThrow(StackConfigError);
  });

  it('gives the reconcile function Wise access (the app key, the credentials) and the due lists index', () => {
    // Act
    const statements = statementsOfRole(template(), roleOf('reconcile'));
    const actions = statements.flatMap(actionsOf);

    // Assess
    expect(actions).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
    expect(
      JSON.stringify(
        statements.filter((s) => actionsOf(s).includes('dynamodb:Query')).map((s) => s.Resource),
      ),
    ).toContain('/index/gsi2');
    expect(fnOf('reconcile').env.WISE_CREDENTIALS_SECRET_ARN).toBeDefined();
    // The app key's grants live in its key policy (infra/constructs/keys.ts); the function is told its id.
    expect(fnOf('reconcile').env.APP_KEY_ID).toBeDefined();
  });

  it("alarms on failed runs, failed reconciliations, missing subscriptions and the consumer's failures, notifying the alarm topic", () => {
    // Act
    const reconcileErrors = alarms().filter(
      (a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions).includes(fnOf('reconcile').logicalId),
    );
    const failures = alarmOn('ReconcileFailures', 'WiseOnboarding');
    const missing = alarmOn('SubscriptionsMissing', 'WiseOnboarding');
    const consumer = alarms().filter(
      (a) =>
        /PartnerEvents/.test(JSON.stringify(a.MetricName ?? '')) ||
        JSON.stringify(a.Dimensions ?? '').includes(fnOf('partner-events').logicalId),
    );

    // Assess
    expect(reconcileErrors.length).toBeGreaterThanOrEqual(1);
    for (const alarm of [...failures, ...missing]) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'service', Value: 'wise-onboarding-reconcile' }],
        Period: 1800,
      });
      expect(alarm.AlarmActions).toHaveLength(1);
    }
    expect(failures).toHaveLength(1);
    expect(missing).toHaveLength(1);
    expect(missing[0]!.Statistic).toBe('Maximum');
    // The consumer's own alarms come from the shared definition (iterator age, record failures, failure queue).
    expect(consumer.length).toBeGreaterThanOrEqual(2);
  });
});
