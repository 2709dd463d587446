import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/table.js';

/**
 * Everything the service stores: the single application table, the key that encrypts it,
 * the key that encrypts application secrets inside items, and the Wise client credentials.
 *
 * All of it is retained when the stack is deleted: it holds customers' link state and tokens.
 *
 * @example
 * const data = new OnboardingData(this, 'Data');
 * data.grantTableReadWrite(fn.role);
 */
export class OnboardingData extends Construct {
  readonly table: dynamodb.Table;
  /** Encrypts the table at rest (DynamoDB server-side encryption). */
  readonly tableKey: kms.Key;
  /**
   * Encrypts secrets inside items (registration codes, Wise tokens, OAuth state) so that a
   * table read alone never reveals them; only functions granted this key can decrypt.
   */
  readonly appKey: kms.Key;
  /** Wise client credentials, filled in by operators after the first deploy. */
  readonly wiseCredentials: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.tableKey = new kms.Key(this, 'TableKey', {
      description: 'wise-onboarding: DynamoDB table encryption at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.appKey = new kms.Key(this, 'AppSecretsKey', {
      description: 'wise-onboarding: application secrets (registration codes, Wise tokens, OAuth state)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
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
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }

    this.wiseCredentials = new secretsmanager.Secret(this, 'WiseCredentials', {
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
    Validations.of(this.wiseCredentials).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Wise issues the client id/secret and mTLS certificate; they cannot be rotated by a Lambda here. ' +
        'Operators rotate them with Wise and update the secret value.',
    });
  }

  /**
   * Item read/write on the table and its indexes, without Scan: every access pattern is a key
   * or index lookup (shared/table.ts). Also the table key operations DynamoDB performs on the
   * caller's behalf for a customer-managed key.
   */
  grantTableReadWrite(grantee: iam.IGrantable): void {
    const indexArns = tableDefinition.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`);
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      resourceArns: [this.table.tableArn, ...indexArns],
    });
    this.tableKey.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey');
  }

  /**
   * Encrypt and decrypt with the application-secrets key, only with an encryption context:
   * each ciphertext is bound to its customer, so a value copied to another item fails to decrypt.
   */
  grantAppSecrets(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Encrypt', 'kms:Decrypt'],
      resourceArns: [this.appKey.keyArn],
      conditions: { Null: { 'kms:EncryptionContextKeys': 'false' } },
    });
  }

  /** Read the Wise client credentials. */
  grantReadWiseCredentials(grantee: iam.IGrantable): void {
    this.wiseCredentials.grantRead(grantee);
  }
}
