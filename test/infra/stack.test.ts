import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_PROFILES } from '../../infra/constructs/functions.js';
import { functionNames, routeKey, routes, type FunctionName } from '../../shared/routes.js';
import { tableDefinition } from '../../shared/table.js';
import {
  actionsOf,
  functionsByName,
  keyPolicyOf,
  logicalIdOf,
  productionConfig,
  referencedId,
  resourcesOf,
  statementsOfRole,
  synthStack,
  testConfig,
} from './support/stack.js';

/** The environment variable names the function code reads. */
const REQUIRED_ENV = [
  'TABLE_NAME',
  'WISE_ENVIRONMENT',
  'ALLOWED_RETURN_URLS',
  'OAUTH_CALLBACK_URL',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
];

describe('WiseOnboardingStack with the default options', () => {
  let synthesized: ReturnType<typeof synthStack>;
  beforeAll(() => {
    synthesized = synthStack();
  }, 60_000);

  const appKeyId = () => logicalIdOf(synthesized.template, 'AWS::KMS::Key', 'AppSecretsKey');
  const secretId = () => Object.keys(resourcesOf(synthesized.template, 'AWS::SecretsManager::Secret'))[0]!;

  describe('functions', () => {
    it('creates one function per function name, on a Node.js 22+ runtime and arm64, with active tracing', () => {
      // Act
      const functions = functionsByName(synthesized.template);

      // Assess
      expect([...functions.keys()].sort()).toEqual([...functionNames].sort());
      for (const { properties } of functions.values()) {
        const runtime = String(properties.Runtime);
        expect(runtime).toMatch(/^nodejs\d+\.x$/);
        expect(Number(/\d+/.exec(runtime)?.[0])).toBeGreaterThanOrEqual(22);
        expect(properties.Architectures).toEqual(['arm64']);
        expect(properties.Handler).toBe('index.handler');
        expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
        expect(properties.MemorySize).toBeGreaterThanOrEqual(512);
        expect(properties.MemorySize).toBeLessThanOrEqual(1024);
      }
    });

    it('gives every function the environment variable names the code reads', () => {
      // Act
      const functions = functionsByName(synthesized.template);

      // Assess
      for (const [name, { env }] of functions) {
        expect(Object.keys(env)).toEqual(expect.arrayContaining(REQUIRED_ENV));
        expect(env.POWERTOOLS_SERVICE_NAME).toBe(`wise-onboarding-${name}`);
        expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
        expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
        expect(env.WISE_ENVIRONMENT).toBe('sandbox');
        expect(env.ALLOWED_RETURN_URLS).toBe(testConfig.allowedReturnUrls);
        expect(env).not.toHaveProperty('WISE_WEBHOOK_PUBLIC_KEYS');
      }
    });

    it('passes only identifiers of the key, secret and table, never a secret value', () => {
      // Act
      const functions = functionsByName(synthesized.template);

      // Assess
      for (const [name, { env }] of functions) {
        if (!FUNCTION_PROFILES[name as FunctionName].appSecrets) {
          // The webhook receiver (and the stream consumers) never encrypt and never call Wise: they are not even told the names.
          expect(env).not.toHaveProperty('APP_KEY_ID');
          expect(env).not.toHaveProperty('WISE_CREDENTIALS_SECRET_ARN');
        } else {
          expect(env.APP_KEY_ID).toEqual({ 'Fn::GetAtt': [appKeyId(), 'Arn'] });
          expect(env.WISE_CREDENTIALS_SECRET_ARN).toEqual({ Ref: secretId() });
        }
        expect(referencedId(env.TABLE_NAME)).toBeDefined();
        // A dynamic reference would make CloudFormation resolve the secret's value into the function.
        expect(JSON.stringify(env)).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure|SecretString/);
      }
    });

    it('builds the OAuth callback URL from the CloudFront distribution, the only public entry', () => {
      // Act
      const { onboarding } = Object.fromEntries(functionsByName(synthesized.template));

      // Assess
      const distributionId = Object.keys(
        resourcesOf(synthesized.template, 'AWS::CloudFront::Distribution'),
      )[0];
      expect(onboarding?.env.OAUTH_CALLBACK_URL).toEqual({
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/v1/oauth/callback'],
        ],
      });
    });

    it('stops the webhook receiver within Wise’s 5-second delivery limit and the others within the API’s 30 seconds', () => {
      // Act
      const functions = Object.fromEntries(functionsByName(synthesized.template));

      // Assess
      expect(functions.webhooks?.properties.Timeout).toBe(5);
      for (const name of ['onboarding', 'oauth', 'kyc-reviews']) {
        expect(functions[name]?.properties.Timeout).toBeGreaterThanOrEqual(15);
        expect(functions[name]?.properties.Timeout).toBeLessThan(30);
      }
    });

    it('writes each function’s logs to its own log group with the default 90-day retention', () => {
      // Act
      const functions = functionsByName(synthesized.template);
      const logGroups = resourcesOf(synthesized.template, 'AWS::Logs::LogGroup');

      // Assess
      for (const { properties } of functions.values()) {
        const logGroupId = referencedId((properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
        expect(logGroups[logGroupId!]?.Properties?.RetentionInDays).toBe(90);
      }
      for (const logGroup of Object.values(logGroups)) {
        expect(logGroup.Properties?.RetentionInDays).toBe(90);
      }
    });
  });

  describe('data', () => {
    it('builds the table from the shared definition: keys, GSI, TTL, on-demand, PITR, deletion protection', () => {
      // Assess
      synthesized.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          KeySchema: [
            { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
            { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
          DeletionProtectionEnabled: true,
          GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              ...(index.sortKey !== undefined ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          })),
        }),
      });
    });

    it('encrypts the table with its own customer-managed key, separate from the app-secrets key', () => {
      // Act
      const table = Object.values(resourcesOf(synthesized.template, 'AWS::DynamoDB::Table'))[0];
      const sse = table?.Properties?.SSESpecification as {
        SSEEnabled: boolean;
        SSEType: string;
        KMSMasterKeyId: unknown;
      };

      // Assess
      expect(sse).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      const tableKeyId = referencedId(sse.KMSMasterKeyId);
      expect(resourcesOf(synthesized.template, 'AWS::KMS::Key')).toHaveProperty(tableKeyId!);
      expect(tableKeyId).not.toBe(appKeyId());
    });

    it('rotates the three keys (table, app secrets, logs) and retains them', () => {
      // Assess
      synthesized.template.resourceCountIs('AWS::KMS::Key', 3);
      for (const key of Object.values(synthesized.template.findResources('AWS::KMS::Key'))) {
        expect(key).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
      }
    });

    it('creates the Wise credentials secret with a generated placeholder, so no value is in the template', () => {
      // Act
      const secrets = Object.values(resourcesOf(synthesized.template, 'AWS::SecretsManager::Secret'));

      // Assess
      expect(secrets).toHaveLength(1);
      const properties = secrets[0]?.Properties ?? {};
      expect(properties).not.toHaveProperty('SecretString');
      expect(properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'clientSecret' });
      const template = JSON.parse(
        String((properties.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate),
      );
      expect(Object.values(template as Record<string, string>).every((v) => v === 'REPLACE_ME')).toBe(true);
      expect(JSON.stringify(synthesized.template.toJSON())).not.toMatch(/resolve:secretsmanager/);
    });
  });

  describe('HTTP API', () => {
    it('has a JWT authorizer with the configured issuer and audiences', () => {
      // Assess
      synthesized.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
      synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: testConfig.jwtIssuer, Audience: ['wise-onboarding-api', 'back-office'] },
      });
    });

    it('creates exactly the routes of the route table, each integrated with its function', () => {
      // Prepare
      const template = synthesized.template;
      const apiRoutes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
      const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
      const functionIdByName = new Map(
        [...functionsByName(template)].map(([name, fn]) => [name, fn.logicalId]),
      );

      // Assess
      expect(apiRoutes.map((r) => r.Properties?.RouteKey).sort()).toEqual(routes.map(routeKey).sort());
      for (const route of routes) {
        const apiRoute = apiRoutes.find((r) => r.Properties?.RouteKey === routeKey(route));
        const target = apiRoute?.Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
        const integration = integrations[target['Fn::Join'][1][1].Ref];
        expect(referencedId(integration?.Properties?.IntegrationUri), route.id).toBe(
          functionIdByName.get(route.function),
        );
      }
    });

    it('protects every partner route with the JWT authorizer and leaves the public routes without one', () => {
      // Prepare
      const apiRoutes = Object.values(resourcesOf(synthesized.template, 'AWS::ApiGatewayV2::Route'));
      const authorizerId = Object.keys(resourcesOf(synthesized.template, 'AWS::ApiGatewayV2::Authorizer'))[0];

      // Assess
      expect(
        routes
          .filter((r) => r.auth === 'public')
          .map((r) => r.id)
          .sort(),
      ).toEqual(['oauthCallback', 'receiveWebhook']);
      for (const route of routes) {
        const properties = apiRoutes.find((r) => r.Properties?.RouteKey === routeKey(route))?.Properties;
        if (route.auth === 'token') {
          expect(properties, route.id).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: authorizerId },
          });
        } else {
          expect(properties?.AuthorizationType, route.id).toBe('NONE');
          expect(properties, route.id).not.toHaveProperty('AuthorizerId');
        }
      }
    });

    it('throttles the stage with the configured rate and burst', () => {
      // Assess
      synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 60 },
      });
    });

    it('writes JSON access logs without the Authorization header, query strings or raw paths', () => {
      // Act
      const stage = Object.values(resourcesOf(synthesized.template, 'AWS::ApiGatewayV2::Stage'))[0];
      const settings = stage?.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };

      // Assess
      const destination = referencedId(settings.DestinationArn);
      expect(resourcesOf(synthesized.template, 'AWS::Logs::LogGroup')).toHaveProperty(destination!);
      const format = JSON.parse(settings.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
      });
      expect(settings.Format).not.toMatch(/authorization|querystring|\$context\.path|\$request/i);
    });

    it('enables no CORS by default: partners call from their backends', () => {
      // Assess
      synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.absent(),
      });
    });
  });

  describe('least privilege', () => {
    const roleOf = (name: string) => {
      const fn = Object.fromEntries(functionsByName(synthesized.template))[name];
      return referencedId(fn?.properties.Role)!;
    };
    const grantsOn = (name: string, resourceId: string) =>
      statementsOfRole(synthesized.template, roleOf(name))
        .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(`"${resourceId}"`))
        .flatMap(actionsOf);
    const allActions = (name: string) =>
      statementsOfRole(synthesized.template, roleOf(name)).flatMap(actionsOf);

    it('lets the webhook receiver neither decrypt with the app-secrets key nor read the Wise credentials', () => {
      // Assess
      expect(grantsOn('webhooks', appKeyId())).toEqual([]);
      expect(allActions('webhooks')).not.toContain('secretsmanager:GetSecretValue');
      expect(
        allActions('webhooks').some((a) => a === '*' || a === 'kms:*' || a.startsWith('secretsmanager:*')),
      ).toBe(false);
    });

    it('lets the functions that hold secrets encrypt and decrypt with the app key (its key policy names them) and read the credentials', () => {
      // Prepare
      const appKeyUsers = keyPolicyOf(synthesized.template, appKeyId())
        .filter((s) => s.Sid !== 'KeyAdministration')
        .map((s) => referencedId(s.Principal.AWS));

      for (const name of ['onboarding', 'oauth', 'kyc-reviews']) {
        // Assess
        expect(appKeyUsers, name).toContain(roleOf(name));
        expect(grantsOn(name, secretId()), name).toContain('secretsmanager:GetSecretValue');
      }
    });

    it('gives no function Scan, Batch* or table-management actions, and every table statement a LeadingKeys condition', () => {
      // Prepare
      const tableId = Object.keys(resourcesOf(synthesized.template, 'AWS::DynamoDB::Table'))[0]!;

      for (const name of functionNames) {
        // Act
        const statements = statementsOfRole(synthesized.template, roleOf(name)).filter(
          (s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }),
        );

        // Assess
        expect(statements.length, name).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(statement.Condition, name).toHaveProperty([
            'ForAllValues:StringLike',
            'dynamodb:LeadingKeys',
          ]);
          for (const action of actionsOf(statement)) {
            expect(action, name).toMatch(
              /^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|ConditionCheckItem|Query)$/,
            );
          }
        }
      }
    });

    it('uses no AWS managed policies', () => {
      // Assess
      for (const role of Object.values(resourcesOf(synthesized.template, 'AWS::IAM::Role'))) {
        expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('alarms', () => {
    it('alarms on API 5xx and on each function’s errors and throttles', () => {
      // Prepare
      // The operational alarms (the stream consumers and jobs add their own elsewhere).
      const alarms = Object.entries(resourcesOf(synthesized.template, 'AWS::CloudWatch::Alarm'))
        .filter(([id]) => id.startsWith('Alarms'))
        .map(([, a]) => a.Properties ?? {});
      const alarmFor = (metricName: string, functionId?: string) =>
        alarms.filter(
          (a) =>
            a.MetricName === metricName &&
            (functionId === undefined ||
              JSON.stringify(a.Dimensions) ===
                JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionId } }])),
        );

      // Assess
      expect(alarmFor('5xx').map((a) => a.Namespace)).toEqual(['AWS/ApiGateway']);
      for (const [name, { logicalId }] of functionsByName(synthesized.template)) {
        expect(alarmFor('Errors', logicalId), name).toHaveLength(1);
        expect(alarmFor('Throttles', logicalId), name).toHaveLength(1);
      }
    });

    it('creates no notification topic when no alarm email is configured', () => {
      // Assess
      synthesized.template.resourceCountIs('AWS::SNS::Topic', 0);
    });
  });

  it('outputs the API, webhook and callback URLs, the secret ARN and the table name', () => {
    // Act
    const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual([
      'ApiUrl',
      'DistributionDomainName',
      'EventBusName',
      'OAuthCallbackUrl',
      'TableName',
      'WebhookUrl',
      'WiseCredentialsSecretArn',
    ]);
    expect(outputs.WiseCredentialsSecretArn?.Value).toEqual({ Ref: secretId() });
  });

  it('has no dependency cycle between resources', () => {
    // Prepare
    const resources = synthesized.template.toJSON().Resources as Record<
      string,
      { DependsOn?: string | string[] }
    >;
    const dependencies = (id: string): Set<string> => {
      const found = new Set<string>([resources[id]?.DependsOn ?? []].flat());
      const walk = (value: unknown): void => {
        const target = referencedId(value);
        if (target !== undefined && target in resources) found.add(target);
        if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
      };
      walk(resources[id]);
      found.delete(id);
      return found;
    };

    // Act: depth-first search, remembering the resources on the current path.
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') {
        cycles.push([...path, id].join(' -> '));
        return;
      }
      state.set(id, 'visiting');
      for (const next of dependencies(id)) visit(next, [...path, id]);
      state.set(id, 'done');
    };
    Object.keys(resources).forEach((id) => visit(id, []));

    // Assess
    expect(cycles).toEqual([]);
  });
});

describe('WiseOnboardingStack with every option set', () => {
  const publicKey =
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest\n-----END PUBLIC KEY-----';
  let synthesized: ReturnType<typeof synthStack>;
  beforeAll(() => {
    synthesized = synthStack({
      ...productionConfig,
      publicBaseUrl: 'https://wise.bank.example.com/',
      alarmEmail: 'ops@bank.example.com',
      logRetentionDays: '30',
      corsOrigins: 'https://app.bank.example.com',
      wiseWebhookPublicKeys: publicKey,
    });
  }, 60_000);

  it('builds the OAuth callback URL from the public base URL', () => {
    // Act
    const functions = functionsByName(synthesized.template);

    // Assess
    for (const { env } of functions.values()) {
      expect(env.OAUTH_CALLBACK_URL).toBe('https://wise.bank.example.com/v1/oauth/callback');
      expect(env.WISE_ENVIRONMENT).toBe('production');
    }
    const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.WebhookUrl?.Value).toBe('https://wise.bank.example.com/v1/webhooks/wise');
  });

  it('gives only the webhook receiver the configured webhook public keys', () => {
    // Act
    const functions = Object.fromEntries(functionsByName(synthesized.template));

    // Assess
    expect(functions.webhooks?.env.WISE_WEBHOOK_PUBLIC_KEYS).toBe(publicKey);
    expect(functions.onboarding?.env).not.toHaveProperty('WISE_WEBHOOK_PUBLIC_KEYS');
  });

  it('applies the configured log retention to every log group', () => {
    // Assess
    const logGroups = Object.values(resourcesOf(synthesized.template, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(functionNames.length + 1);
    for (const logGroup of logGroups) expect(logGroup.Properties?.RetentionInDays).toBe(30);
  });

  it('allows CORS only from the configured origins', () => {
    // Assess
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.bank.example.com'] }),
    });
  });

  it('notifies the alarm email through an SSL-only topic on every alarm', () => {
    // Prepare
    const topicId = Object.keys(resourcesOf(synthesized.template, 'AWS::SNS::Topic'))[0];

    // Assess
    synthesized.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@bank.example.com',
      TopicArn: { Ref: topicId },
    });
    synthesized.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    for (const alarm of Object.values(resourcesOf(synthesized.template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });
});
