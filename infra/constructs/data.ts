import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { APP_CONTEXT, ENCRYPTION_CONTEXT_KEYS } from '../../shared/ports/encryption-context.js';
import { tableDefinition } from '../../shared/table.js';
import { allowUse, newManagedKey, sidOf, viaService } from './keys.js';

/** The DynamoDB item actions a function may be granted; never Scan, never table management. */
export type ItemAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem'
  | 'Query'
  | 'BatchGetItem'
  | 'BatchWriteItem';

/**
 * Item actions on the items whose partition key starts with one of `partitionKeyPrefixes`
 * (`dynamodb:LeadingKeys`), e.g. `{ actions: ['PutItem'], partitionKeyPrefixes: ['WEBHOOK#'] }`.
 */
export interface ItemAccess {
  readonly actions: readonly ItemAction[];
  readonly partitionKeyPrefixes: readonly string[];
}

/**
 * The partition keys that erasure (route 23) removes or rewrites: the customer's own items, the audit
 * trail (down to its tombstone), the Wise-profile ownership records, and pending link states and results.
 */
export const ERASURE_PARTITION_KEY_PREFIXES = [
  'CUSTOMER#',
  'AUDIT#',
  'WISEPROFILE#',
  'LINKSTATE#',
  'LINKRESULT#',
  'IDEMPOTENCY#',
] as const;

/** The table key operations DynamoDB performs with the caller's permissions (reads, writes, stream reads). */
const TABLE_KEY_USE = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];

export interface OnboardingDataProps {
  /** Who administers the keys (never uses them); see infra/constructs/keys.ts. */
  readonly keyAdministrators: iam.IPrincipal[];
}

/**
 * Everything the service stores: the single application table, the key that encrypts it (and the
 * Wise credentials secret), the key that encrypts application secrets inside items, and the Wise
 * client credentials.
 *
 * Both keys have explicit policies: administration for the configured administrators only, and use
 * only for the roles a grant method below names — the account root cannot decrypt, so neither can an
 * IAM principal with broad KMS rights. All of it is retained when the stack is deleted: it holds
 * customers' link state and tokens.
 *
 * @example
 * const data = new OnboardingData(this, 'Data', { keyAdministrators: [new iam.AccountRootPrincipal()] });
 * data.grantItems(fn.role!, [{ actions: ['GetItem'], partitionKeyPrefixes: ['CUSTOMER#'] }]);
 */
export class OnboardingData extends Construct {
  readonly table: dynamodb.Table;
  /**
   * Encrypts the table at rest (DynamoDB server-side encryption) and the Wise credentials secret:
   * usable only through DynamoDB and Secrets Manager, by the roles granted here.
   */
  readonly tableKey: kms.Key;
  /**
   * Encrypts secrets inside items (registration codes, Wise tokens, OAuth state) so that a
   * table read alone never reveals them; only functions granted this key can decrypt, and only
   * with the product's encryption context.
   */
  readonly appKey: kms.Key;
  /** Wise client credentials, filled in by operators after the first deploy. */
  readonly wiseCredentials: secretsmanager.Secret;
  /** The roles already allowed to use the table key through DynamoDB (one key-policy statement each). */
  private readonly tableKeyUsers = new Set<iam.IRole>();
  private readonly secretReaders = new Set<iam.IRole>();
  private readonly appSecretUsers = new Set<iam.IRole>();

  constructor(scope: Construct, id: string, props: OnboardingDataProps) {
    super(scope, id);
    const administrators = props.keyAdministrators;

    this.tableKey = newManagedKey(this, 'TableKey', {
      description: 'wise-onboarding: DynamoDB table and Wise credentials encryption at rest',
      administrators,
    });
    // DynamoDB reads the key's metadata itself; CloudFormation (one of the administrators) creates
    // the table, for which DynamoDB needs a grant created on its behalf — never a grant a principal
    // could use directly (kms:GrantIsForAWSResource).
    this.tableKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DynamoDbReadsKeyMetadata',
        principals: [new iam.ServicePrincipal('dynamodb.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
      }),
    );
    this.tableKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TableProvisioningThroughDynamoDb',
        principals: administrators,
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { ...viaService('dynamodb'), Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );

    this.appKey = newManagedKey(this, 'AppSecretsKey', {
      description: 'wise-onboarding: application secrets (registration codes, Wise tokens, OAuth state)',
      administrators,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      // The stream consumers' source (infra/constructs/events.ts): the table is the outbox.
      stream: dynamodb.StreamViewType[tableDefinition.stream.viewType],
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // KEYS_ONLY: an index lookup only finds the item's key (e.g. the customer of a Wise user);
    // the caller then reads the item itself, so no attributes (and no ciphertexts) are copied.
    for (const index of tableDefinition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }

    const secretName = `${Stack.of(this).stackName}/wise-credentials`;
    this.wiseCredentials = new secretsmanager.Secret(this, 'WiseCredentials', {
      // A known name lets the key policy name this secret without referring to it (the secret refers
      // to the key, so the key cannot refer back).
      secretName,
      description:
        'wise-onboarding: Wise client credentials. JSON keys: clientId, clientSecret, clientKey, and optionally ' +
        'mtlsCertificate, mtlsPrivateKey. Replace the generated placeholder with the values Wise issued.',
      // A generated placeholder keeps every real value out of the template; operators overwrite it.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: 'REPLACE_ME', clientKey: 'REPLACE_ME' }),
        generateStringKey: 'clientSecret',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Set on the resource rather than through `encryptionKey`: the L2 would add its own key-policy
    // statements letting every principal of the account use the key through Secrets Manager.
    (this.wiseCredentials.node.defaultChild as secretsmanager.CfnSecret).kmsKeyId = this.tableKey.keyArn;
    Validations.of(this.wiseCredentials).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Wise issues the client id/secret and mTLS certificate; they cannot be rotated by a Lambda here. ' +
        'Operators rotate them with Wise and update the secret value.',
    });
    // CloudFormation creates the secret's placeholder and operators put Wise's values into it: both
    // need the key through Secrets Manager, for this secret only. Reading it still takes
    // secretsmanager:GetSecretValue, which the stack grants to the three Wise-facing functions alone.
    this.tableKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WiseCredentialsProvisioningThroughSecretsManager',
        principals: administrators,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { ...viaService('secretsmanager'), StringLike: this.secretContext() },
      }),
    );
  }

  /**
   * Item actions on the base table, each limited by `dynamodb:LeadingKeys` to the given partition-key
   * prefixes (ForAllValues, so every key of a batch must match), plus the table key through DynamoDB.
   */
  grantItems(role: iam.IRole, access: readonly ItemAccess[]): void {
    for (const { actions, partitionKeyPrefixes } of access) {
      iam.Grant.addToPrincipal({
        grantee: role,
        actions: actions.map((action) => `dynamodb:${action}`),
        resourceArns: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitionKeyPrefixes.map((p) => `${p}*`) },
        },
      });
    }
    this.grantTableKeyUse(role);
  }

  /**
   * Query on the (keys-only) indexes: an index lookup answers only item keys, which the caller then
   * reads under its own {@link grantItems} conditions. No LeadingKeys condition: the indexes' partition
   * keys are Wise ids and statuses, not the table's.
   */
  grantIndexQuery(
    role: iam.IRole,
    indexNames: readonly string[] = tableDefinition.indexes.map((i) => i.name),
  ): void {
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['dynamodb:Query'],
      resourceArns: indexNames.map((name) => `${this.table.tableArn}/index/${name}`),
    });
    this.grantTableKeyUse(role);
  }

  /**
   * What erasure (route 23) needs: finding a customer's items (Query, the indexes for link states
   * and idempotency records) and deleting them in batches, on {@link ERASURE_PARTITION_KEY_PREFIXES} only.
   */
  grantCustomerErasure(role: iam.IRole): void {
    this.grantItems(role, [
      {
        actions: ['Query', 'DeleteItem', 'BatchWriteItem'],
        partitionKeyPrefixes: ERASURE_PARTITION_KEY_PREFIXES,
      },
    ]);
    this.grantIndexQuery(role);
  }

  /** Reading the table's stream (a stream consumer), with the table key it is encrypted under. */
  grantStreamRead(role: iam.IRole): void {
    this.table.grantStreamRead(role);
    this.grantTableKeyUse(role);
  }

  /**
   * The table key, for whatever DynamoDB does with `role`'s credentials (reads, writes, stream
   * reads): a key-policy statement naming the role, only through DynamoDB in this region.
   */
  grantTableKeyUse(role: iam.IRole): void {
    if (this.tableKeyUsers.has(role)) return;
    this.tableKeyUsers.add(role);
    allowUse(
      this.tableKey,
      sidOf('TableThroughDynamoDb', role.node.id),
      role,
      TABLE_KEY_USE,
      viaService('dynamodb'),
    );
  }

  /**
   * Encrypt and decrypt with the application-secrets key, only with the product's encryption
   * context: `app` is {@link APP_CONTEXT}, a `customerId` is present (each ciphertext is bound to its
   * customer, so a value copied to another item fails to decrypt), and no key outside
   * {@link ENCRYPTION_CONTEXT_KEYS} appears.
   */
  grantAppSecrets(role: iam.IRole): void {
    if (this.appSecretUsers.has(role)) return;
    this.appSecretUsers.add(role);
    allowUse(this.appKey, sidOf('AppSecrets', role.node.id), role, ['kms:Encrypt', 'kms:Decrypt'], {
      StringEquals: { 'kms:EncryptionContext:app': APP_CONTEXT },
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...ENCRYPTION_CONTEXT_KEYS] },
      Null: { 'kms:EncryptionContext:customerId': 'false' },
    });
  }

  /** Read the Wise client credentials: the secret, and the key through Secrets Manager for it alone. */
  grantReadWiseCredentials(role: iam.IRole): void {
    if (this.secretReaders.has(role)) return;
    this.secretReaders.add(role);
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: [this.wiseCredentials.secretArn],
    });
    allowUse(this.tableKey, sidOf('WiseCredentials', role.node.id), role, ['kms:Decrypt'], {
      ...viaService('secretsmanager'),
      StringLike: this.secretContext(),
    });
  }

  /** Secrets Manager's encryption context names the secret's ARN (its name plus a random suffix). */
  private secretContext(): Record<string, string> {
    return {
      'kms:EncryptionContext:SecretARN': `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${Stack.of(this).stackName}/wise-credentials-??????`,
    };
  }
}
