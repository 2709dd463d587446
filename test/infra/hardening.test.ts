import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNBOOK } from '../../infra/constructs/alarms.js';
import { ERASURE_PARTITION_KEY_PREFIXES } from '../../infra/constructs/data.js';
import { EDGE_WEB_ACL_NAME, MANAGED_RULE_GROUPS } from '../../infra/constructs/edge.js';
import { KEY_ADMIN_ACTIONS } from '../../infra/constructs/keys.js';
import { EDGE_REGION } from '../../infra/edge-stack.js';
import { WiseOnboardingStack } from '../../infra/stack.js';
import { businessMetrics, METRICS_NAMESPACE } from '../../shared/metrics/names.js';
import { customerContext } from '../../shared/ports/cipher.js';
import { APP_CONTEXT, ENCRYPTION_CONTEXT_KEYS } from '../../shared/ports/encryption-context.js';
import { EDGE_RATE_WINDOW_SECONDS, edgeRateLimits, routeThrottles } from '../../shared/route-limits.js';
import { functionNames, routeKey, routes, type FunctionName } from '../../shared/routes.js';
import {
  ACCOUNT_ROOT,
  actionsOf,
  edgeWebAclArn,
  functionsByName,
  keyPolicyOf,
  logicalIdOf,
  newTestApp,
  productionConfig,
  referencedId,
  resourcesOf,
  statementsOfRole,
  synthEdgeStack,
  synthStack,
  testConfig,
  type KeyPolicyStatement,
  type PolicyStatement,
} from './support/stack.js';

/** Every cryptographic or grant-making KMS action a key administrator must not have. */
const USE_ACTIONS = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|Sign|Verify|CreateGrant|\*)/;
const REGION_JOIN = (service: string) => ({
  'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
});

type Synthesized = ReturnType<typeof synthStack>;

const roleIdOf = (template: Template, name: string): string =>
  referencedId(Object.fromEntries(functionsByName(template))[name]?.properties.Role)!;

const keyIds = (template: Template) => ({
  table: logicalIdOf(template, 'AWS::KMS::Key', 'TableKey'),
  app: logicalIdOf(template, 'AWS::KMS::Key', 'AppSecretsKey'),
  logs: logicalIdOf(template, 'AWS::KMS::Key', 'LogsKey'),
});

/** The table statements of a function's role: actions and LeadingKeys, in a comparable form. */
const tableAccessOf = (template: Template, name: string) => {
  const tableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
  return statementsOfRole(template, roleIdOf(template, name))
    .filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }))
    .map((s) => ({
      actions: actionsOf(s)
        .map((a) => a.replace('dynamodb:', ''))
        .sort(),
      leadingKeys: (s.Condition as Record<string, Record<string, string[]>>)['ForAllValues:StringLike']?.[
        'dynamodb:LeadingKeys'
      ],
    }));
};

const indexQueriesOf = (template: Template, name: string): PolicyStatement[] =>
  statementsOfRole(template, roleIdOf(template, name)).filter((s) =>
    JSON.stringify(s.Resource).includes('/index/'),
  );

describe('key policies', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthStack();
  }, 60_000);

  const statementsOf = (key: 'table' | 'app' | 'logs') =>
    keyPolicyOf(synthesized.template, keyIds(synthesized.template)[key]);
  const usersOf = (statements: KeyPolicyStatement[]) =>
    statements.map((s) => referencedId(s.Principal.AWS)).filter((id): id is string => id !== undefined);

  it.each(['table', 'app', 'logs'] as const)(
    'the %s key: the account root administers it with administrative actions only, never kms:*',
    (key) => {
      // Act
      const statements = statementsOf(key);
      const administration = statements.filter((s) => s.Sid === 'KeyAdministration');

      // Assess
      expect(administration).toHaveLength(1);
      expect(administration[0]?.Principal.AWS).toEqual(ACCOUNT_ROOT);
      expect(actionsOf(administration[0]!).sort()).toEqual([...KEY_ADMIN_ACTIONS].sort());
      expect(actionsOf(administration[0]!).filter((a) => USE_ACTIONS.test(a))).toEqual([]);
      for (const statement of statements) expect(actionsOf(statement)).not.toContain('kms:*');
    },
  );

  it('lets the account root use the table key only through DynamoDB (its grants) and Secrets Manager (this secret)', () => {
    // Act
    const rootStatements = statementsOf('table').filter(
      (s) =>
        JSON.stringify(s.Principal.AWS) === JSON.stringify(ACCOUNT_ROOT) && s.Sid !== 'KeyAdministration',
    );

    // Assess
    expect(rootStatements.map((s) => s.Sid).sort()).toEqual([
      'TableProvisioningThroughDynamoDb',
      'WiseCredentialsProvisioningThroughSecretsManager',
    ]);
    const [provisioning, secret] = [...rootStatements].sort((a, b) => (a.Sid! < b.Sid! ? -1 : 1));
    expect(actionsOf(provisioning!).sort()).toEqual(['kms:CreateGrant', 'kms:DescribeKey']);
    expect(provisioning?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': REGION_JOIN('dynamodb'),
        'kms:CallerAccount': { Ref: 'AWS::AccountId' },
      },
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
    expect(actionsOf(secret!).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(secret?.Condition).toMatchObject({
      StringEquals: { 'kms:ViaService': REGION_JOIN('secretsmanager') },
      StringLike: { 'kms:EncryptionContext:SecretARN': expect.anything() },
    });
    expect(JSON.stringify(secret?.Condition)).toContain(':secret:Test/wise-credentials-??????');
  });

  it('lets no principal but the account root, the function roles and DynamoDB metadata reads into the table key', () => {
    // Prepare
    const roles = new Set(functionNames.map((name) => roleIdOf(synthesized.template, name)));

    for (const statement of statementsOf('table')) {
      if (statement.Principal.Service !== undefined) {
        // Assess: DynamoDB itself only reads the key's metadata.
        expect(statement.Principal.Service).toBe('dynamodb.amazonaws.com');
        expect(actionsOf(statement)).toEqual(['kms:DescribeKey']);
      } else if (JSON.stringify(statement.Principal.AWS) !== JSON.stringify(ACCOUNT_ROOT)) {
        expect(roles.has(referencedId(statement.Principal.AWS)!), statement.Sid).toBe(true);
      }
    }
  });

  it('lets every function use the table key only through DynamoDB in the stack’s region', () => {
    for (const name of functionNames) {
      // Act
      const statements = statementsOf('table').filter(
        (s) => referencedId(s.Principal.AWS) === roleIdOf(synthesized.template, name),
      );
      const viaDynamoDb = statements.filter((s) => s.Sid?.startsWith('TableThroughDynamoDb'));

      // Assess
      expect(viaDynamoDb, name).toHaveLength(1);
      expect(actionsOf(viaDynamoDb[0]!).sort(), name).toEqual([
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ]);
      for (const statement of statements) {
        expect(statement.Condition, `${name} ${statement.Sid}`).toHaveProperty([
          'StringEquals',
          'kms:ViaService',
        ]);
      }
    }
  });

  it('lets only the functions that read the Wise credentials decrypt them, through Secrets Manager, for that secret', () => {
    // Act
    const readers = statementsOf('table').filter(
      (s) => s.Sid?.startsWith('WiseCredentials') && s.Principal.AWS !== undefined,
    );
    const readerRoles = usersOf(readers.filter((s) => !s.Sid?.includes('Provisioning')));

    // Assess
    expect(readerRoles.sort()).toEqual(
      ['onboarding', 'oauth', 'kyc-reviews', 'reconcile']
        .map((n) => roleIdOf(synthesized.template, n))
        .sort(),
    );
    for (const statement of readers.filter((s) => !s.Sid?.includes('Provisioning'))) {
      expect(actionsOf(statement)).toEqual(['kms:Decrypt']);
      expect(statement.Condition).toMatchObject({
        StringEquals: { 'kms:ViaService': REGION_JOIN('secretsmanager') },
        StringLike: { 'kms:EncryptionContext:SecretARN': expect.anything() },
      });
    }
  });

  it('encrypts the Wise credentials secret with the table key, under a name the key policy can match', () => {
    // Act
    const secret = Object.values(resourcesOf(synthesized.template, 'AWS::SecretsManager::Secret'))[0];

    // Assess
    expect(referencedId(secret?.Properties?.KmsKeyId)).toBe(keyIds(synthesized.template).table);
    expect(secret?.Properties?.Name).toBe('Test/wise-credentials');
  });

  it('lets the app key encrypt and decrypt only for the Wise-facing functions, never the webhook receiver', () => {
    // Act
    const users = usersOf(statementsOf('app').filter((s) => s.Sid !== 'KeyAdministration'));

    // Assess
    expect(users.sort()).toEqual(
      ['onboarding', 'oauth', 'kyc-reviews', 'reconcile']
        .map((n) => roleIdOf(synthesized.template, n))
        .sort(),
    );
    for (const name of ['webhooks', 'webhook-projection', 'partner-events']) {
      expect(users, name).not.toContain(roleIdOf(synthesized.template, name));
    }
  });

  it('conditions the app key on the product’s encryption context: app, a customer and only the known keys', () => {
    for (const statement of statementsOf('app').filter((s) => s.Sid !== 'KeyAdministration')) {
      // Assess
      expect(actionsOf(statement).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt']);
      expect(statement.Condition).toEqual({
        StringEquals: { 'kms:EncryptionContext:app': APP_CONTEXT },
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...ENCRYPTION_CONTEXT_KEYS] },
        Null: { 'kms:EncryptionContext:customerId': 'false' },
      });
    }
  });

  it('allows exactly the context the cipher’s customerContext builds', () => {
    // Act
    const context = customerContext('c-1', 'wise-user-tokens');

    // Assess
    expect(context.app).toBe(APP_CONTEXT);
    expect(context).toHaveProperty('customerId', 'c-1');
    for (const key of Object.keys(context)) expect(ENCRYPTION_CONTEXT_KEYS).toContain(key);
  });

  it('encrypts every log group with the logs key, which only CloudWatch Logs may use, for this stack’s log groups', () => {
    // Act
    const logGroups = Object.values(resourcesOf(synthesized.template, 'AWS::Logs::LogGroup'));
    const [administration, logsService, ...others] = statementsOf('logs');

    // Assess
    for (const logGroup of logGroups) {
      expect(referencedId(logGroup.Properties?.KmsKeyId)).toBe(keyIds(synthesized.template).logs);
      expect(String(logGroup.Properties?.LogGroupName)).toMatch(/^\/Test\//);
    }
    expect(administration?.Sid).toBe('KeyAdministration');
    expect(others).toEqual([]);
    expect(logsService?.Principal.Service).toEqual(REGION_JOIN('logs'));
    expect(logsService?.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':logs:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':log-group:/Test/*',
            ],
          ],
        },
      },
    });
  });

  it('grants no KMS use in identity policies beyond the stream-read Decrypt/DescribeKey CDK adds: the key policies decide', () => {
    // Prepare: CDK's stream grant adds kms:Decrypt and DescribeKey on the table key to the consumer's own policy; with no
    // key-policy trust in the account it does nothing unless the key policy names the role too.
    const { app, table } = keyIds(synthesized.template);

    for (const name of functionNames) {
      // Act
      const kmsStatements = statementsOfRole(
        synthesized.template,
        roleIdOf(synthesized.template, name),
      ).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));

      // Assess
      for (const statement of kmsStatements) {
        expect(actionsOf(statement).sort(), name).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
        expect(referencedId(statement.Resource), name).toBe(table);
      }
      expect(JSON.stringify(kmsStatements), name).not.toContain(app);
    }
  });

  it('names the configured administrator role instead of the account root, which then appears nowhere', () => {
    // Act
    const { template } = synthStack({ keyAdminRoleArns: productionConfig.keyAdminRoleArns });

    for (const keyId of Object.keys(resourcesOf(template, 'AWS::KMS::Key'))) {
      const statements = keyPolicyOf(template, keyId);

      // Assess
      expect(statements.find((s) => s.Sid === 'KeyAdministration')?.Principal.AWS).toBe(
        productionConfig.keyAdminRoleArns,
      );
      expect(JSON.stringify(statements)).not.toContain(':root');
    }
  });
});

describe('least privilege on the table', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthStack();
  }, 60_000);

  const USE_CASE = ['ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'];

  it.each([
    [
      'onboarding',
      [
        {
          actions: USE_CASE,
          leadingKeys: ['CUSTOMER#*', 'IDEMPOTENCY#*', 'AUDIT#*', 'WISEPROFILE#*', 'LINKSTATE#*'],
        },
      ],
    ],
    [
      'oauth',
      [
        {
          actions: USE_CASE,
          leadingKeys: [
            'CUSTOMER#*',
            'IDEMPOTENCY#*',
            'AUDIT#*',
            'WISEPROFILE#*',
            'LINKSTATE#*',
            'LINKRESULT#*',
          ],
        },
      ],
    ],
    ['kyc-reviews', [{ actions: USE_CASE, leadingKeys: ['CUSTOMER#*', 'IDEMPOTENCY#*', 'AUDIT#*'] }]],
    ['webhooks', [{ actions: ['GetItem', 'PutItem'], leadingKeys: ['WEBHOOK#*'] }]],
    [
      'webhook-projection',
      [
        { actions: ['GetItem', 'Query', 'UpdateItem'], leadingKeys: ['CUSTOMER#*', 'WEBHOOK#*'] },
        { actions: ['PutItem'], leadingKeys: ['AUDIT#*'] },
      ],
    ],
    ['partner-events', [{ actions: ['GetItem', 'Query', 'UpdateItem'], leadingKeys: ['CUSTOMER#*'] }]],
    ['reconcile', [{ actions: USE_CASE, leadingKeys: ['CUSTOMER#*', 'AUDIT#*'] }]],
  ] as const)('%s: exactly these item actions, on these partition keys', (name, expected) => {
    // Act
    const access = tableAccessOf(synthesized.template, name);

    // Assess
    expect(access).toEqual(
      expected.map((e) => ({ actions: [...e.actions].sort(), leadingKeys: [...e.leadingKeys] })),
    );
  });

  it('gives the webhook receiver event records only: it cannot read, write or delete a customer’s (token) items', () => {
    // Act
    const access = tableAccessOf(synthesized.template, 'webhooks');
    const all = statementsOfRole(synthesized.template, roleIdOf(synthesized.template, 'webhooks')).flatMap(
      actionsOf,
    );

    // Assess
    expect(access.flatMap((a) => a.leadingKeys)).toEqual(['WEBHOOK#*']);
    expect(all.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    expect(indexQueriesOf(synthesized.template, 'webhooks')).toEqual([]);
  });

  it('lets no function batch-write, batch-read, scan or manage the table', () => {
    for (const name of functionNames) {
      // Act
      const actions = statementsOfRole(synthesized.template, roleIdOf(synthesized.template, name)).flatMap(
        actionsOf,
      );

      // Assess
      expect(
        actions.filter((a) => /^dynamodb:(Batch|Scan|DescribeTable|DeleteTable|UpdateTable|\*)/.test(a)),
        name,
      ).toEqual([]);
    }
  });

  it('grants index queries (keys only) to the functions that look owners up, on the indexes only', () => {
    // Prepare
    const withIndex: FunctionName[] = ['onboarding', 'oauth', 'webhook-projection', 'reconcile'];

    for (const name of functionNames) {
      // Act
      const statements = indexQueriesOf(synthesized.template, name);

      // Assess
      expect(statements.length > 0, name).toBe(withIndex.includes(name));
      for (const statement of statements) expect(actionsOf(statement)).toEqual(['dynamodb:Query']);
    }
  });

  it('offers erasure as one grant: Query, DeleteItem and BatchWriteItem on the customer’s partitions only', () => {
    // Prepare
    const app = newTestApp();
    const stack = new WiseOnboardingStack(app, 'Erasure', { config: testConfig });

    // Act
    stack.data.grantCustomerErasure(stack.functions.roles.onboarding);
    const template = Template.fromStack(stack);

    // Assess
    const erasure = tableAccessOf(template, 'onboarding').find((a) => a.actions.includes('BatchWriteItem'));
    expect(erasure).toEqual({
      actions: ['BatchWriteItem', 'DeleteItem', 'Query'],
      leadingKeys: ERASURE_PARTITION_KEY_PREFIXES.map((p) => `${p}*`),
    });
    expect(erasure?.leadingKeys).not.toContain('WEBHOOK#*');
  });
});

describe('edge protection', () => {
  let defaults: Synthesized;
  let production: Synthesized;
  let edge: ReturnType<typeof synthEdgeStack>;
  beforeAll(() => {
    defaults = synthStack();
    production = synthStack(productionConfig);
    edge = synthEdgeStack();
  }, 90_000);

  const distributionOf = (template: Template) =>
    Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      ?.DistributionConfig as Record<string, any>;

  it('puts CloudFront in front of the API: HTTPS only, TLS 1.2 to the origin, nothing cached, Host not forwarded', () => {
    // Act
    const config = distributionOf(defaults.template);
    const apiId = Object.keys(resourcesOf(defaults.template, 'AWS::ApiGatewayV2::Api'))[0];

    // Assess
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
    });
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'OPTIONS']),
    );
    expect(config.Origins[0].CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginReadTimeout: 30,
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(JSON.stringify(config.Origins[0].DomainName)).toContain(`{"Ref":"${apiId}"},".execute-api."`);
    expect(config).not.toHaveProperty('WebACLId');
  });

  it('attaches the edge web ACL and serves the public host with TLS 1.2 (2021) in production', () => {
    // Act
    const config = distributionOf(production.template);

    // Assess
    expect(config.WebACLId).toBe(edgeWebAclArn);
    expect(config.Aliases).toEqual(['wise.bank.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: productionConfig.edgeCertificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('disables the execute-api endpoint when the API has its own domain, which becomes CloudFront’s origin', () => {
    // Act
    const config = distributionOf(production.template);

    // Assess
    production.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    defaults.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
    production.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: productionConfig.apiOriginDomainName,
      DomainNameConfigurations: [
        {
          CertificateArn: productionConfig.apiOriginCertificateArn,
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        },
      ],
    });
    const [, mapping] = Object.entries(resourcesOf(production.template, 'AWS::ApiGatewayV2::ApiMapping'))[0]!;
    expect(mapping.Properties).toMatchObject({
      Stage: '$default',
      DomainName: { Ref: logicalIdOf(production.template, 'AWS::ApiGatewayV2::DomainName', 'OriginDomain') },
    });
    expect(config.Origins[0].DomainName).toBe(productionConfig.apiOriginDomainName);
    defaults.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });

  it('creates the CLOUDFRONT-scope web ACL in a us-east-1 stack and outputs its ARN', () => {
    // Assess
    expect(edge.stack.region).toBe(EDGE_REGION);
    edge.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: EDGE_WEB_ACL_NAME,
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
    });
    const outputs = edge.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(referencedId(outputs.WebAclArn?.Value)).toBe(
      logicalIdOf(edge.template, 'AWS::WAFv2::WebACL', 'WebAcl'),
    );
  });

  it('limits each public route per client IP, answering 429 with Retry-After', () => {
    // Prepare
    const acl = Object.values(resourcesOf(edge.template, 'AWS::WAFv2::WebACL'))[0]?.Properties as Record<
      string,
      any
    >;
    const publicRoutes = routes.filter((r) => r.auth === 'public');

    // Assess: every public route has a limit, and only public routes do.
    expect(Object.keys(edgeRateLimits).sort()).toEqual(publicRoutes.map((r) => r.id).sort());
    for (const route of publicRoutes) {
      const rule = acl.Rules.find((r: { Name: string }) => r.Name === `PerIp-${route.id}`);
      expect(rule?.Statement.RateBasedStatement).toMatchObject({
        AggregateKeyType: 'IP',
        Limit: edgeRateLimits[route.id]!.requestsPerWindow,
        EvaluationWindowSec: EDGE_RATE_WINDOW_SECONDS,
      });
      const [method, path] = rule.Statement.RateBasedStatement.ScopeDownStatement.AndStatement.Statements;
      expect(method.ByteMatchStatement).toMatchObject({
        FieldToMatch: { Method: {} },
        SearchString: route.method,
      });
      expect(path.ByteMatchStatement).toMatchObject({
        FieldToMatch: { UriPath: {} },
        PositionalConstraint: 'STARTS_WITH',
        SearchString: route.path.toLowerCase(),
      });
      expect(path.ByteMatchStatement.TextTransformations.map((t: { Type: string }) => t.Type)).toEqual([
        'URL_DECODE',
        'NORMALIZE_PATH',
        'LOWERCASE',
      ]);
      expect(rule.Action.Block.CustomResponse).toEqual({
        ResponseCode: 429,
        CustomResponseBodyKey: 'too-many-requests',
        ResponseHeaders: [{ Name: 'retry-after', Value: String(EDGE_RATE_WINDOW_SECONDS) }],
      });
    }
    expect(JSON.parse(acl.CustomResponseBodies['too-many-requests'].Content)).toMatchObject({ status: 429 });
  });

  it('runs the IP reputation, known bad inputs and common managed rule groups after the per-IP rules', () => {
    // Prepare
    const acl = Object.values(resourcesOf(edge.template, 'AWS::WAFv2::WebACL'))[0]?.Properties as Record<
      string,
      any
    >;
    const managed = acl.Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement !== undefined);
    const perIp = acl.Rules.filter((r: any) => r.Statement.RateBasedStatement !== undefined);

    // Assess
    expect(managed.map((r: any) => r.Statement.ManagedRuleGroupStatement.Name)).toEqual([
      ...MANAGED_RULE_GROUPS,
    ]);
    for (const rule of managed) {
      expect(rule.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(Math.min(...managed.map((r: any) => r.Priority))).toBeGreaterThan(
        Math.max(...perIp.map((r: any) => r.Priority)),
      );
    }
    // Document uploads are larger than the common set's 8 KB body rule: that one rule only counts.
    const common = managed.find((r: any) => r.Name === 'AWSManagedRulesCommonRuleSet');
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    for (const rule of acl.Rules) expect(rule.VisibilityConfig.CloudWatchMetricsEnabled).toBe(true);
  });

  it('logs every request to an encrypted aws-waf-logs-* group, without query strings or Authorization', () => {
    // Assess
    edge.template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ QueryString: {} }, { SingleHeader: { Name: 'authorization' } }],
    });
    const logGroup = Object.values(resourcesOf(edge.template, 'AWS::Logs::LogGroup'))[0];
    expect(logGroup?.Properties?.LogGroupName).toBe('aws-waf-logs-TestEdge');
    const keyId = referencedId(logGroup?.Properties?.KmsKeyId)!;
    const statements = keyPolicyOf(edge.template, keyId);
    expect(statements.map((s) => s.Sid)).toEqual(['KeyAdministration', 'CloudWatchLogsOfThisStack']);
    expect(JSON.stringify(statements[1]?.Condition)).toContain(':log-group:aws-waf-logs-TestEdge');
  });

  it('reserves concurrency for the webhook receiver (50 by default, from context otherwise), none for the partner API', () => {
    // Act
    const functions = Object.fromEntries(functionsByName(defaults.template));
    const configured = Object.fromEntries(
      functionsByName(synthStack({ webhookReservedConcurrency: 80 }).template),
    );

    // Assess
    expect(functions.webhooks?.properties.ReservedConcurrentExecutions).toBe(50);
    expect(configured.webhooks?.properties.ReservedConcurrentExecutions).toBe(80);
    // The partner API's functions share the account's unreserved pool, which the webhooks cannot drain.
    for (const name of ['onboarding', 'oauth', 'kyc-reviews']) {
      expect(functions[name]?.properties, name).not.toHaveProperty('ReservedConcurrentExecutions');
    }
  });

  it('throttles each route of shared/route-limits.ts on its own, after the route exists, and the rest at the stage default', () => {
    // Act
    const [stageId, stage] = Object.entries(resourcesOf(defaults.template, 'AWS::ApiGatewayV2::Stage'))[0]!;
    const apiRoutes = resourcesOf(defaults.template, 'AWS::ApiGatewayV2::Route');

    // Assess
    expect(stage.Properties?.DefaultRouteSettings).toEqual({
      DetailedMetricsEnabled: true,
      ThrottlingRateLimit: testConfig.throttleRateLimit,
      ThrottlingBurstLimit: testConfig.throttleBurstLimit,
    });
    const throttled = routes.filter((r) => routeThrottles[r.id] !== undefined);
    expect(throttled.map((r) => r.id)).toEqual(expect.arrayContaining(['oauthCallback', 'receiveWebhook']));
    expect(stage.Properties?.RouteSettings).toEqual(
      Object.fromEntries(
        throttled.map((r) => [
          routeKey(r),
          {
            ThrottlingRateLimit: routeThrottles[r.id]!.rate,
            ThrottlingBurstLimit: routeThrottles[r.id]!.burst,
            DetailedMetricsEnabled: true,
          },
        ]),
      ),
    );
    const dependsOn = [stage.DependsOn ?? []].flat();
    for (const route of throttled) {
      const routeId = Object.entries(apiRoutes).find(
        ([, r]) => r.Properties?.RouteKey === routeKey(route),
      )?.[0];
      expect(dependsOn, `${stageId} waits for ${route.id}`).toContain(routeId);
    }
  });
});

describe('operations', () => {
  let defaults: Synthesized;
  let production: Synthesized;
  beforeAll(() => {
    defaults = synthStack();
    production = synthStack(productionConfig);
  }, 90_000);

  const dashboardBody = (template: Template) =>
    JSON.stringify(
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties?.DashboardBody,
    );

  it('shows 4xx, 5xx and latency for every route of the route table', () => {
    // Act
    const body = dashboardBody(defaults.template);

    // Assess
    for (const metric of ['4xx', '5xx', 'Latency'])
      expect(body).toContain(`\\"AWS/ApiGateway\\",\\"${metric}\\"`);
    for (const route of routes) {
      expect(body, route.id).toContain(
        `\\"Method\\",\\"${route.method}\\",\\"Resource\\",\\"${route.path}\\"`,
      );
    }
  });

  it('shows each function’s errors, throttles and duration, and the table’s throttles', () => {
    // Act
    const body = dashboardBody(defaults.template);

    // Assess
    for (const { logicalId } of functionsByName(defaults.template).values()) {
      for (const metric of ['Errors', 'Throttles', 'Duration']) {
        expect(body).toMatch(
          new RegExp(
            `AWS/Lambda\\\\",\\\\"${metric}\\\\",\\\\"FunctionName\\\\",\\\\"",\\{"Ref":"${logicalId}"`,
          ),
        );
      }
    }
    expect(body).toContain('ReadThrottleEvents');
    expect(body).toContain('WriteThrottleEvents');
  });

  it('shows every business metric of shared/metrics/names.ts from the WiseOnboarding namespace', () => {
    // Act
    const body = dashboardBody(defaults.template);

    // Assess
    expect(METRICS_NAMESPACE).toBe('WiseOnboarding');
    for (const metric of Object.values(businessMetrics)) {
      expect(body, metric.name).toContain(`(${metric.name}) FROM ${METRICS_NAMESPACE}`);
    }
    expect(body).toContain(`SELECT AVG(WiseLatency) FROM WiseOnboarding GROUP BY operation`);
    expect(body).toContain(`SELECT SUM(WebhookResults) FROM WiseOnboarding GROUP BY result`);
  });

  it('shows the edge’s WAF verdicts from us-east-1 when a web ACL is attached', () => {
    // Assess
    expect(dashboardBody(defaults.template)).not.toContain('AWS/WAFV2');
    const body = dashboardBody(production.template);
    expect(body).toContain(`WebACL=\\\\\\"${EDGE_WEB_ACL_NAME}\\\\\\"`);
    expect(body).toContain(`\\"region\\":\\"${EDGE_REGION}\\"`);
  });

  it('alarms on the business signals that need a human, from the shared metric names', () => {
    // Prepare
    const alarms = Object.values(resourcesOf(defaults.template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties!,
    );
    const byQuery = (query: string) =>
      alarms.filter((a) =>
        (a.Metrics as { Expression?: string }[] | undefined)?.some((m) => m.Expression === query),
      );

    // Assess
    expect(byQuery('SELECT SUM(WebhookSignatureRejected) FROM WiseOnboarding')[0]).toMatchObject({
      Threshold: 5,
    });
    expect(byQuery('SELECT AVG(WebhookLag) FROM WiseOnboarding')[0]).toMatchObject({
      Threshold: 600_000,
      EvaluationPeriods: 3,
    });
    expect(byQuery('SELECT SUM(WiseErrors) FROM WiseOnboarding')[0]).toMatchObject({
      Threshold: 20,
      EvaluationPeriods: 2,
    });
    expect(byQuery('SELECT SUM(RefreshFailures) FROM WiseOnboarding')[0]).toMatchObject({ Threshold: 5 });
    expect(
      alarms.filter((a) => a.MetricName === 'Latency' && a.ExtendedStatistic === 'p99')[0],
    ).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      Threshold: 20_000,
    });
  });

  it('gives every alarm a runbook line, and the README’s Runbook table the same lines', () => {
    // Prepare
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const runbook = readme.slice(readme.indexOf('### Runbook'));
    const alarmsOf = defaults.stack.alarms.runbookOf;
    const descriptions = Object.entries(resourcesOf(defaults.template, 'AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.startsWith('Alarms'))
      .map(([, a]) => String(a.Properties?.AlarmDescription));

    // Assess
    expect(readme).toContain('### Runbook');
    // Table rows as cells, so that a formatter padding the table changes nothing.
    const rows = new Map(
      runbook
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((l) => l.split('|').map((cell) => cell.trim()))
        .map((cells) => [cells[1], cells[2]] as const),
    );
    for (const [id, line] of Object.entries(RUNBOOK)) {
      expect(rows.get(`\`${id}\``), id).toBe(line);
      expect([...alarmsOf.values()], id).toContain(id);
    }
    for (const alarmId of alarmsOf.keys()) {
      const description = descriptions.find((d) => d.includes(`(${alarmsOf.get(alarmId)})`));
      expect(description, alarmId).toMatch(/Runbook: README\.md#runbook \(\w+\)\.$/);
    }
    expect(descriptions.length).toBe(alarmsOf.size);
  });
});
