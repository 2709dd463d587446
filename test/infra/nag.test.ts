import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WiseOnboardingEdgeStack } from '../../infra/edge-stack.js';
import { addComplianceChecks, WiseOnboardingStack } from '../../infra/stack.js';
import { streamConsumers } from '../../shared/stream-consumers.js';
import { functionNames } from '../../shared/routes.js';
import { productionConfig, testConfig } from './support/stack.js';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: unknown[];
    suppressedViolations?: {
      ruleName: string;
      reason: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

/** Every `Validations.of(x).acknowledge()` in the tree, with where it was made. */
const acknowledgmentsIn = (root: IConstruct) =>
  root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );

describe('cdk-nag AWS Solutions checks', () => {
  // One app with the default stack and a stack with every option, synthesized as `cdk synth`
  // does: cdk-nag plus the built-in CloudFormation schema validation.
  let app: App;
  let stacks: (WiseOnboardingStack | WiseOnboardingEdgeStack)[];
  let outdir: string;
  let synthError: unknown;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'wise-onboarding-nag-'));
    app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    stacks = [
      new WiseOnboardingStack(app, 'Defaults', { config: testConfig }),
      new WiseOnboardingStack(app, 'AllOptions', {
        config: {
          ...productionConfig,
          alarmEmail: 'ops@bank.example.com',
          corsOrigins: 'https://app.bank.example.com',
        },
      }),
      new WiseOnboardingEdgeStack(app, 'Edge'),
    ];
    addComplianceChecks(app);
    try {
      app.synth();
    } catch (error) {
      synthError = error;
    }
    // Synthesizing two stacks through both validators takes a while on a busy 2-core machine.
  }, 120_000);

  const readReport = () =>
    JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;

  it('synthesizes with no unacknowledged finding', () => {
    // Assess: a finding fails the synthesis, and the report says which.
    expect(readReport().pluginReports.flatMap((r) => r.violations)).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  it('acknowledges only the expected findings, each where it occurs', () => {
    // Act
    const suppressed = readReport()
      .pluginReports.filter((r) => r.pluginName === 'AwsSolutions')
      .flatMap((r) => r.suppressedViolations ?? [])
      .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`));

    // Assess: the sandbox defaults also acknowledge the default CloudFront certificate and the missing
    // web ACL; production has both, and the edge stack needs no acknowledgement at all.
    const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase());
    const perStack = (stack: string) => [
      `AwsSolutions-APIG4 ${stack}/Api/HttpApi/GET--v1--oauth--callback/Resource`,
      `AwsSolutions-APIG4 ${stack}/Api/HttpApi/POST--v1--webhooks--wise/Resource`,
      `AwsSolutions-SMG4 ${stack}/Data/WiseCredentials/Resource`,
      `AwsSolutions-CFR1 ${stack}/Edge/Distribution/Resource`,
      `AwsSolutions-CFR3 ${stack}/Edge/Distribution/Resource`,
      ...functionNames.map(
        (fn) => `AwsSolutions-IAM5[Resource::*] ${stack}/Functions/${pascal(fn)}Role/DefaultPolicy/Resource`,
      ),
      // Each stream consumer's on-failure destination is a dead-letter queue without one of its own.
      ...streamConsumers.map(
        (c) => `AwsSolutions-SQS3 ${stack}/Events/${pascal(c.name)}FailureQueue/Resource`,
      ),
    ];
    const sandboxOnly = [
      'AwsSolutions-CFR2 Defaults/Edge/Distribution/Resource',
      'AwsSolutions-CFR4 Defaults/Edge/Distribution/Resource',
    ];
    expect(suppressed.sort()).toEqual(
      [...perStack('Defaults'), ...sandboxOnly, ...perStack('AllOptions')].sort(),
    );
  });

  it('leaves no error or warning annotation on the stacks', () => {
    for (const stack of stacks) {
      // Act
      const annotations = Annotations.fromStack(stack);

      // Assess
      expect(annotations.findError('*', Match.anyValue()), stack.stackName).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue()), stack.stackName).toEqual([]);
    }
  });

  it('gives every acknowledgment a specific reason', () => {
    // Act
    const acknowledgments = acknowledgmentsIn(app);

    // Assess
    expect(acknowledgments.map((a) => a.id)).toEqual(
      expect.arrayContaining(['AwsSolutions::AwsSolutions-APIG4', 'AwsSolutions::AwsSolutions-SMG4']),
    );
    for (const { path, id, reason } of acknowledgments) {
      expect(reason.trim().length, `${id} at ${path}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges the missing authorizer only on the two public routes', () => {
    // Act
    const apig4 = acknowledgmentsIn(stacks[0]!).filter((a) => a.id.endsWith('AwsSolutions-APIG4'));

    // Assess
    expect(apig4.map((a) => a.path).sort()).toEqual([
      'Defaults/Api/HttpApi/GET--v1--oauth--callback',
      'Defaults/Api/HttpApi/POST--v1--webhooks--wise',
    ]);
  });
});

describe('addComplianceChecks', () => {
  it('makes synthesis fail on an unacknowledged finding', () => {
    // Prepare: a queue without a dead-letter queue or SSL enforcement breaks SQS3 and SQS4.
    const app = new App({
      builtinCloudFormationValidation: false,
      outdir: mkdtempSync(join(tmpdir(), 'nag-fail-')),
    });
    new sqs.Queue(new Stack(app, 'Insecure'), 'Queue');
    addComplianceChecks(app);

    // Act + Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
