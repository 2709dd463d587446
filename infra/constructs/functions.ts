import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../../shared/routes.js';
import { functionProfiles, type FunctionProfile } from '../../shared/runtime/function-profiles.js';
import type { StackConfig } from '../config.js';
import type { ItemAccess, ItemAction, OnboardingData } from './data.js';
import { logGroupPrefix } from './keys.js';

/**
 * The Lambda runtime. Node.js 24 is the newest runtime this aws-cdk-lib knows (cdk-nag's L1
 * requires the newest of the family) and an LTS line; Node 20 is past end of life. The handlers
 * are async middy chains, so Node 24's removal of callback-style handlers does not affect them.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** esbuild target matching {@link FUNCTION_RUNTIME}, so nothing is down-levelled needlessly. */
export const BUNDLE_TARGET = 'node24';

/**
 * How every function is bundled. `npm run bench` (bench/bundles.ts) builds its bundles from this
 * object, so what it measures is what CDK deploys.
 */
export const BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: BUNDLE_TARGET,
  minify: true,
  sourceMap: true,
  // The functions run with --enable-source-maps, which makes Node read and parse the whole map when
  // the bundle loads: without the sources embedded it is ~1 MB instead of ~3 MB, and stack traces
  // still point at the original file, line and column.
  sourcesContent: false,
  // Bundle the SDK v3 too: a pinned, tree-shaken copy instead of whatever the runtime ships.
  externalModules: [],
  mainFields: ['module', 'main'],
  // CommonJS dependencies call require(), which ESM output does not define.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
} satisfies nodejs.BundlingOptions;

/** What a function may touch: its table items, the app key and the Wise client credentials. */
export interface FunctionGrants {
  readonly appSecrets: boolean;
  readonly wiseCredentials: boolean;
  /** Item actions by partition-key prefix (`dynamodb:LeadingKeys`), see {@link OnboardingData.grantItems}. */
  readonly items: readonly ItemAccess[];
  /** Query on the keys-only indexes (whose is this Wise id, link states, customers by status). */
  readonly indexQuery: boolean;
}

/**
 * What the partner-API use cases send: single-item reads and writes (conditional, some inside
 * TransactWriteItems, whose parts are authorised as PutItem/UpdateItem/DeleteItem/ConditionCheckItem)
 * and Query within one partition. No Batch*, Scan or table management: erasure's batch deletes
 * are {@link OnboardingData.grantCustomerErasure}.
 */
const USE_CASE_ACTIONS: readonly ItemAction[] = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'ConditionCheckItem',
  'Query',
];

/**
 * Per-function sizing (memory and timeout, from shared/runtime/function-profiles.ts, which the
 * local gateway reads too) and what each function may touch.
 */
export const FUNCTION_PROFILES: Record<FunctionName, FunctionProfile & FunctionGrants> = {
  // Signup, profiles, claim links: the customer's items (account, profiles, grants, identity, leases),
  // its Idempotency-Key records and audit events, the Wise-profile ownership records a grant is
  // kept with in one transaction, and the OAuth state of a claim link (route 7 ends through route 9).
  onboarding: {
    ...functionProfiles.onboarding,
    appSecrets: true,
    wiseCredentials: true,
    items: [
      {
        actions: USE_CASE_ACTIONS,
        partitionKeyPrefixes: ['CUSTOMER#', 'IDEMPOTENCY#', 'AUDIT#', 'WISEPROFILE#', 'LINKSTATE#'],
      },
    ],
    indexQuery: true,
  },
  // Linking also keeps the pending OAuth states and route 9's link results, and asks gsi1 whose a
  // Wise profile is and which state is a customer's latest.
  oauth: {
    ...functionProfiles.oauth,
    appSecrets: true,
    wiseCredentials: true,
    items: [
      {
        actions: USE_CASE_ACTIONS,
        partitionKeyPrefixes: [
          'CUSTOMER#',
          'IDEMPOTENCY#',
          'AUDIT#',
          'WISEPROFILE#',
          'LINKSTATE#',
          'LINKRESULT#',
        ],
      },
    ],
    indexQuery: true,
  },
  // KYC reviews, their creation leases and the grants whose tokens call Wise: the customer's items only.
  'kyc-reviews': {
    ...functionProfiles['kyc-reviews'],
    appSecrets: true,
    wiseCredentials: true,
    items: [{ actions: USE_CASE_ACTIONS, partitionKeyPrefixes: ['CUSTOMER#', 'IDEMPOTENCY#', 'AUDIT#'] }],
    indexQuery: false,
  },
  // Verifies signatures with Wise's public keys and records the event (storage first: one conditional
  // PutItem; the projection applies it from the stream): event records only, so it can neither read
  // nor rewrite a customer's items (token items included). No secrets to read or decrypt.
  webhooks: {
    ...functionProfiles.webhooks,
    appSecrets: false,
    wiseCredentials: false,
    items: [{ actions: ['PutItem', 'GetItem'], partitionKeyPrefixes: ['WEBHOOK#'] }],
    indexQuery: false,
  },
  // Applies recorded webhook events from the table's stream (infra/constructs/events.ts): conditional
  // updates of the customer's state items and of the event record's outcome, gsi1 to find the owner
  // and the events kept for a profile, and audit events. No Put or Delete of a customer's items.
  'webhook-projection': {
    ...functionProfiles['webhook-projection'],
    appSecrets: false,
    wiseCredentials: false,
    items: [
      { actions: ['GetItem', 'UpdateItem', 'Query'], partitionKeyPrefixes: ['CUSTOMER#', 'WEBHOOK#'] },
      { actions: ['PutItem'], partitionKeyPrefixes: ['AUDIT#'] },
    ],
    indexQuery: true,
  },
  // Publishes partner events from the table's stream (infra/constructs/events.ts): reads the
  // customer's items and keeps their published-access and due-list markers up to date.
  'partner-events': {
    ...functionProfiles['partner-events'],
    appSecrets: false,
    wiseCredentials: false,
    items: [{ actions: ['GetItem', 'UpdateItem', 'Query'], partitionKeyPrefixes: ['CUSTOMER#'] }],
    indexQuery: false,
  },
  // The scheduled reconciliation: walks the due lists (gsi2), asks Wise as the customer (grants,
  // so the app key and the credentials) and applies what it learns like a webhook would.
  reconcile: {
    ...functionProfiles.reconcile,
    appSecrets: true,
    wiseCredentials: true,
    items: [{ actions: USE_CASE_ACTIONS, partitionKeyPrefixes: ['CUSTOMER#', 'AUDIT#'] }],
    indexQuery: true,
  },
};

export interface OnboardingFunctionsProps {
  readonly config: StackConfig;
  readonly data: OnboardingData;
  /** Encrypts the functions' log groups (see {@link newLogsKey}). */
  readonly logsKey: kms.IKey;
  /** Where Wise sends the customer's browser back to after authorization. */
  readonly oauthCallbackUrl: string;
}

/**
 * The four Lambda functions (one per entry in `functionNames`), each with its own role,
 * log group and least-privilege grants.
 *
 * @example
 * const fns = new OnboardingFunctions(this, 'Functions', { config, data, oauthCallbackUrl });
 * fns.byName.webhooks.functionArn;
 */
export class OnboardingFunctions extends Construct {
  readonly byName: Record<FunctionName, nodejs.NodejsFunction>;
  /** Each function's execution role, e.g. for {@link OnboardingData.grantCustomerErasure}. */
  readonly roles = {} as Record<FunctionName, iam.Role>;

  constructor(scope: Construct, id: string, props: OnboardingFunctionsProps) {
    super(scope, id);
    const entries = functionNames.map((name) => [name, this.createFunction(name, props)] as const);
    this.byName = Object.fromEntries(entries) as Record<FunctionName, nodejs.NodejsFunction>;
  }

  private createFunction(
    name: FunctionName,
    { config, data, logsKey, oauthCallbackUrl }: OnboardingFunctionsProps,
  ) {
    const profile = FUNCTION_PROFILES[name];
    const id = pascalCase(name);

    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      logGroupName: `${logGroupPrefix(this)}functions/${name}`,
      retention: config.logRetention,
      encryptionKey: logsKey,
    });

    // An explicit role with write access to this function's log group only, instead of the
    // AWSLambdaBasicExecutionRole managed policy (which allows writing to every log group).
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `wise-onboarding ${name} function`,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      TABLE_NAME: data.table.tableName,
      WISE_ENVIRONMENT: config.wiseEnvironment,
      ALLOWED_RETURN_URLS: config.allowedReturnUrls.join(','),
      OAUTH_CALLBACK_URL: oauthCallbackUrl,
      POWERTOOLS_SERVICE_NAME: `wise-onboarding-${name}`,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      // Every function may record audit events (route 21); their TTL follows the retention.
      AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
      // Only identifiers: values are fetched at run time and never placed in the environment.
      // A function that may not use the app key or the secret is not even told their names
      // (the runtime builds the cipher and the credentials lazily, on first use).
      ...(profile.appSecrets && { APP_KEY_ID: data.appKey.keyArn }),
      ...(profile.wiseCredentials && { WISE_CREDENTIALS_SECRET_ARN: data.wiseCredentials.secretArn }),
      ...(name === 'webhooks' &&
        config.wiseWebhookPublicKeys !== undefined && {
          WISE_WEBHOOK_PUBLIC_KEYS: config.wiseWebhookPublicKeys,
        }),
    };

    const fn = new nodejs.NodejsFunction(this, id, {
      description: `wise-onboarding: ${name}`,
      entry: fileURLToPath(new URL(`../../functions/${name}/handler.ts`, import.meta.url)),
      handler: 'handler',
      projectRoot: fileURLToPath(new URL('../..', import.meta.url)),
      depsLockFilePath: fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: profile.memoryMb,
      timeout: Duration.seconds(profile.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment,
      // The SDK v3 clients are bundled (below), so this v2-era switch has nothing to do.
      awsSdkConnectionReuse: false,
      bundling: BUNDLING,
      // The public webhook route's function gets its own concurrency: a flood of deliveries cannot
      // starve the partner API's functions, and they cannot starve it.
      ...(name === 'webhooks' && { reservedConcurrentExecutions: config.webhookReservedConcurrency }),
    });

    data.grantItems(role, profile.items);
    if (profile.indexQuery) data.grantIndexQuery(role);
    if (profile.appSecrets) data.grantAppSecrets(role);
    if (profile.wiseCredentials) data.grantReadWiseCredentials(role);
    this.roles[name] = role;

    // On the role's policy only, and only for the Resource::* finding.
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions, so AWS requires Resource "*" for them.',
    });
    return fn;
  }
}

const pascalCase = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
