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
import { newTestApp, testConfig } from './support/stack.js';

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
  ] as const)('rejects %s = %j', (key, value, message) => {
    // Act + Assess
    expect(parseWith({ [key]: value })).toThrow(message);
  });
});

describe('WiseOnboardingStack configuration', () => {
  it('reads its settings from CDK context', () => {
    // Prepare
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], ...testConfig, wiseEnvironment: 'production' },
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
