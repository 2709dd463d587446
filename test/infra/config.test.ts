import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  parseStackConfig,
  readContext,
  StackConfigError,
  type StackConfigInput,
} from '../../infra/config.js';
import { WiseOnboardingStack } from '../../infra/stack.js';
import { edgeWebAclArn, newTestApp, productionConfig, testConfig } from './support/stack.js';

const parseWith = (overrides: StackConfigInput) => () => parseStackConfig({ ...testConfig, ...overrides });

describe('parseStackConfig', () => {
  it('parses comma-separated lists and numeric strings, and applies defaults', () => {
    // Act
    const config = parseStackConfig({
      wiseEnvironment: 'production',
      allowedReturnUrls: ' https://bank.example.com/wise/ , https://app.bank.example.com/return ',
      jwtIssuer: 'https://login.bank.example.com/',
      jwtAudience: 'a,b',
      throttleRateLimit: '10',
      edgeWebAclArn,
    });

    // Assess
    expect(config).toEqual({
      wiseEnvironment: 'production',
      allowedReturnUrls: ['https://bank.example.com/wise/', 'https://app.bank.example.com/return'],
      jwtIssuer: 'https://login.bank.example.com/',
      jwtAudience: ['a', 'b'],
      logRetention: RetentionDays.THREE_MONTHS,
      throttleRateLimit: 10,
      throttleBurstLimit: 100,
      corsOrigins: [],
      keyAdminRoleArns: [],
      edgeWebAclArn,
      webhookReservedConcurrency: 50,
      auditRetentionDays: 2555,
      reconcileEveryMinutes: 60,
    });
  });

  it('accepts arrays and numbers as cdk.json may hold them', () => {
    // Act
    const config = parseStackConfig({ ...testConfig, jwtAudience: ['x', 'y'], logRetentionDays: 365 });

    // Assess
    expect(config.jwtAudience).toEqual(['x', 'y']);
    expect(config.logRetention).toBe(RetentionDays.ONE_YEAR);
  });

  it('rejects a Wise environment other than sandbox or production', () => {
    // Act + Assess
    expect(parseWith({ wiseEnvironment: 'staging' })).toThrow(StackConfigError);
    expect(parseWith({ wiseEnvironment: 'staging' })).toThrow(
      /"wiseEnvironment": expected "sandbox" or "production"/,
    );
  });

  it('rejects a return URL that is not https, except http://localhost', () => {
    // Act + Assess
    expect(parseWith({ allowedReturnUrls: 'http://bank.example.com/wise/' })).toThrow(
      /"allowedReturnUrls": "http:\/\/bank.example.com\/wise\/" must use https/,
    );
    expect(parseWith({ allowedReturnUrls: 'http://localhost:3000/' })().allowedReturnUrls).toEqual([
      'http://localhost:3000/',
    ]);
  });

  it.each([
    ['allowedReturnUrls', 'not a url', /is not an absolute URL/],
    ['allowedReturnUrls', 'https://bank.example.com/?next=evil', /query string or fragment/],
    ['allowedReturnUrls', 'https://user:pw@bank.example.com/', /credentials/],
    ['allowedReturnUrls', ' , ', /at least one URL prefix/],
    ['jwtIssuer', 'http://localhost:9000/', /"jwtIssuer": .* must use https/],
    ['jwtIssuer', undefined, /"jwtIssuer": is required/],
    ['jwtAudience', '', /"jwtAudience": at least one audience/],
    ['publicBaseUrl', 'http://wise.bank.example.com', /"publicBaseUrl": .* must use https/],
    ['alarmEmail', 'ops-at-bank', /"alarmEmail": "ops-at-bank" is not an email address/],
    ['logRetentionDays', '42', /"logRetentionDays": CloudWatch Logs accepts only/],
    ['throttleRateLimit', '1.5', /"throttleRateLimit": expected a whole number/],
    ['throttleBurstLimit', 0, /"throttleBurstLimit": must be at least 1/],
    ['corsOrigins', 'http://app.bank.example.com', /"corsOrigins": .* must use https/],
    ['wiseWebhookPublicKeys', 'not-a-pem', /PEM/],
    ['wiseEnvironment', 42, /"wiseEnvironment": expected a string/],
    [
      'keyAdminRoleArns',
      'arn:aws:iam::123456789012:user/alice',
      /"keyAdminRoleArns": .* is not an IAM role ARN/,
    ],
    [
      'edgeWebAclArn',
      'arn:aws:wafv2:eu-west-2:123456789012:regional/webacl/x/1',
      /CLOUDFRONT-scope web ACL ARN/,
    ],
    ['publicBaseUrl', 'https://wise.bank.example.com', /publicBaseUrl and edgeCertificateArn go together/],
    ['edgeCertificateArn', 'arn:aws:acm:eu-west-2:123456789012:certificate/abc', /in us-east-1/],
    [
      'apiOriginDomainName',
      'origin.bank.example.com',
      /apiOriginDomainName and apiOriginCertificateArn go together/,
    ],
    ['webhookReservedConcurrency', 0, /"webhookReservedConcurrency": must be at least 1/],
  ] as const)('rejects %s = %j', (key, value, message) => {
    // Act + Assess
    expect(parseWith({ [key]: value })).toThrow(message);
  });
});

describe('parseStackConfig in production', () => {
  it('accepts the complete production configuration with its defaults', () => {
    // Act
    const config = parseStackConfig(productionConfig);

    // Assess
    expect(config).toMatchObject({
      wiseEnvironment: 'production',
      edgeWebAclArn: productionConfig.edgeWebAclArn,
      edgeCertificateArn: productionConfig.edgeCertificateArn,
      apiOrigin: {
        domainName: productionConfig.apiOriginDomainName,
        certificateArn: productionConfig.apiOriginCertificateArn,
      },
      keyAdminRoleArns: [productionConfig.keyAdminRoleArns],
      webhookReservedConcurrency: 50,
    });
  });

  it('requires the edge web ACL: production traffic never reaches the API unfiltered', () => {
    // Act + Assess
    expect(() => parseStackConfig({ ...productionConfig, edgeWebAclArn: undefined })).toThrow(
      /"edgeWebAclArn": is required in production/,
    );
    expect(parseStackConfig({ ...testConfig, edgeWebAclArn: undefined }).edgeWebAclArn).toBeUndefined();
  });

  it.each([
    ['allowedReturnUrls', 'http://localhost:3000/'],
    ['corsOrigins', 'http://localhost:5173'],
  ] as const)('refuses http://localhost in %s, which a sandbox accepts', (key, value) => {
    // Act + Assess
    expect(() => parseStackConfig({ ...productionConfig, [key]: value })).toThrow(
      new RegExp(`"${key}": "${value.replaceAll('/', '\\/')}" must use https$`),
    );
    expect(() => parseStackConfig({ ...testConfig, [key]: value })).not.toThrow();
  });

  it('takes the webhook receiver’s reserved concurrency from context', () => {
    // Act + Assess
    expect(
      parseStackConfig({ ...testConfig, webhookReservedConcurrency: '80' }).webhookReservedConcurrency,
    ).toBe(80);
  });
});

describe('WiseOnboardingStack configuration', () => {
  it('reads its settings from CDK context', () => {
    // Prepare
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], ...productionConfig },
    });

    // Act
    const stack = new WiseOnboardingStack(app, 'FromContext');

    // Assess
    expect(stack.config.wiseEnvironment).toBe('production');
    expect(readContext(app.node).jwtIssuer).toBe(testConfig.jwtIssuer);
  });

  it('lets props override context', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...testConfig } });

    // Act
    const stack = new WiseOnboardingStack(app, 'Overridden', { config: { throttleRateLimit: 7 } });

    // Assess
    expect(stack.config.throttleRateLimit).toBe(7);
  });

  it('refuses to build a stack with a bad Wise environment or a non-https return URL', () => {
    // Act + Assess
    expect(
      () =>
        new WiseOnboardingStack(newTestApp(), 'Bad', { config: { ...testConfig, wiseEnvironment: 'live' } }),
    ).toThrow(StackConfigError);
    expect(
      () =>
        new WiseOnboardingStack(newTestApp(), 'Bad', {
          config: { ...testConfig, allowedReturnUrls: 'http://bank.example.com/' },
        }),
    ).toThrow(/allowedReturnUrls/);
  });
});
