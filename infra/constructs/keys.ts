import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * What a key administrator may do: manage the key's lifecycle, policy, rotation and tags, and look at
 * it — no cryptographic operation and no `kms:CreateGrant` (a grant would hand out use). Listed one by
 * one rather than CDK's `kms:Create*` / `kms:Put*` wildcards, so the policy says exactly this.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
] as const;

/** The administrators: the configured roles, else the account root (IAM decides who, for administration only). */
export const keyAdministrators = (roleArns: readonly string[]): iam.IPrincipal[] =>
  roleArns.length > 0 ? roleArns.map((arn) => new iam.ArnPrincipal(arn)) : [new iam.AccountRootPrincipal()];

/**
 * A customer-managed key whose policy starts with key administration only: nobody may use it until a
 * statement naming the user is added ({@link allowUse}). Rotated yearly, retained with the stack's data.
 */
export const newManagedKey = (
  scope: Construct,
  id: string,
  props: { description: string; administrators: iam.IPrincipal[] },
): kms.Key =>
  new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // Replaces CDK's default policy (the account root with kms:*), which would let any IAM principal
    // the account entitles decrypt.
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministration',
          principals: props.administrators,
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
      ],
    }),
  });

/** A key-policy statement letting `principal` use the key, with conditions. */
export const allowUse = (
  key: kms.Key,
  sid: string,
  principal: iam.IPrincipal,
  actions: readonly string[],
  conditions: Record<string, Record<string, unknown>>,
): void => {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [principal],
      actions: [...actions],
      resources: ['*'],
      conditions,
    }),
  );
};

/** `kms:ViaService` for an AWS service in the stack's region, plus the stack's own account as caller. */
export const viaService = (service: 'dynamodb' | 'secretsmanager' | 'logs') => ({
  StringEquals: {
    'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com`,
    'kms:CallerAccount': Aws.ACCOUNT_ID,
  },
});

/** A key-policy statement id from a construct id (statement ids are alphanumeric). */
export const sidOf = (...parts: string[]): string => parts.join('').replace(/[^A-Za-z0-9]/g, '');

/**
 * The prefix of every log group the stack creates, so the logs key's policy can name them without a
 * reference to each (a log group refers to its key, so the key cannot refer back).
 */
export const logGroupPrefix = (scope: Construct): string => `/${Stack.of(scope).stackName}/`;

/**
 * The key that encrypts a stack's CloudWatch Logs log groups: usable only by the CloudWatch Logs
 * service of the stack's region, and only for log groups named under `logGroupNamePattern`.
 */
export const newLogsKey = (
  scope: Construct,
  id: string,
  props: { administrators: iam.IPrincipal[]; logGroupNamePattern: string },
): kms.Key => {
  const stack = Stack.of(scope);
  const key = newManagedKey(scope, id, {
    description: `${stack.stackName}: CloudWatch Logs encryption`,
    administrators: props.administrators,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisStack',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${props.logGroupNamePattern}`,
        },
      },
    }),
  );
  return key;
};
