import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { StackConfigInput } from '../../../infra/config.js';
import { WiseOnboardingEdgeStack } from '../../../infra/edge-stack.js';
import { WiseOnboardingStack } from '../../../infra/stack.js';

/** A complete, valid configuration with values distinctive enough to find in a template. */
export const testConfig = {
  wiseEnvironment: 'sandbox',
  allowedReturnUrls: 'https://bank.example.com/wise/,http://localhost:3000/',
  jwtIssuer: 'https://login.bank.example.com/oauth2/',
  jwtAudience: 'wise-onboarding-api,back-office',
  throttleRateLimit: 25,
  throttleBurstLimit: 60,
} satisfies StackConfigInput;

/** A CLOUDFRONT-scope web ACL ARN as the edge stack outputs it. */
export const edgeWebAclArn =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/wise-onboarding-edge/a1b2c3d4-5678-90ab-cdef-111122223333';

/** A production configuration with every hardening option set. */
export const productionConfig = {
  ...testConfig,
  wiseEnvironment: 'production',
  allowedReturnUrls: 'https://bank.example.com/wise/',
  publicBaseUrl: 'https://wise.bank.example.com',
  edgeCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/1111aaaa-2222-bbbb-3333-cccc4444dddd',
  edgeWebAclArn,
  apiOriginDomainName: 'api-origin.wise.bank.example.com',
  apiOriginCertificateArn:
    'arn:aws:acm:eu-west-2:123456789012:certificate/5555eeee-6666-ffff-7777-000088889999',
  keyAdminRoleArns: 'arn:aws:iam::123456789012:role/wise-onboarding-key-admin',
} satisfies StackConfigInput;

/**
 * A fresh app whose stacks skip asset bundling (fast, and independent of the handlers) and,
 * unless asked for, the built-in CloudFormation schema validation (slow; the cdk-nag test keeps it).
 */
export const newTestApp = (options: { cloudFormationValidation?: boolean } = {}): App =>
  new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });

/** Synthesizes one stack with {@link testConfig} plus `overrides`. */
export const synthStack = (overrides: StackConfigInput = {}) => {
  const app = newTestApp();
  const stack = new WiseOnboardingStack(app, 'Test', { config: { ...testConfig, ...overrides } });
  return { app, stack, template: Template.fromStack(stack) };
};

/** Synthesizes the us-east-1 edge stack. */
export const synthEdgeStack = (config: StackConfigInput = {}) => {
  const app = newTestApp();
  const stack = new WiseOnboardingEdgeStack(app, 'TestEdge', { config });
  return { app, stack, template: Template.fromStack(stack) };
};

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] };

/** The template's resources of one type, keyed by logical id. */
export const resourcesOf = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

/** Lambda environment variables of each function, keyed by the function's name (from its service name). */
export const functionsByName = (template: Template) => {
  const byName = new Map<
    string,
    { logicalId: string; properties: Record<string, unknown>; env: Record<string, unknown> }
  >();
  for (const [logicalId, resource] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))) {
    const properties = resource.Properties ?? {};
    const env =
      (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const service = env.POWERTOOLS_SERVICE_NAME;
    if (typeof service !== 'string') throw new Error(`function ${logicalId} has no POWERTOOLS_SERVICE_NAME`);
    byName.set(service.replace(/^wise-onboarding-/, ''), { logicalId, properties, env });
  }
  return byName;
};

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of the inline policies attached to a role. */
export const statementsOfRole = (template: Template, roleLogicalId: string): PolicyStatement[] =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] }).Statement);

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
export const referencedId = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return String(value['Fn::GetAtt'][0]);
  return undefined;
};

export interface KeyPolicyStatement extends PolicyStatement {
  Sid?: string;
  Principal: { AWS?: unknown; Service?: unknown };
}

/** The key policy of the KMS key with logical id `keyId`. */
export const keyPolicyOf = (template: Template, keyId: string): KeyPolicyStatement[] =>
  (
    resourcesOf(template, 'AWS::KMS::Key')[keyId]?.Properties?.KeyPolicy as {
      Statement: KeyPolicyStatement[];
    }
  ).Statement;

/** The logical id of the one resource of `type` whose id contains `fragment`. */
export const logicalIdOf = (template: Template, type: string, fragment: string): string => {
  const ids = Object.keys(resourcesOf(template, type)).filter((id) => id.includes(fragment));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} with "${fragment}" in its id, found ${ids.join(', ')}`);
  return ids[0]!;
};

/** The account root principal as CDK renders it. */
export const ACCOUNT_ROOT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
};
