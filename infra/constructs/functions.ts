import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../../shared/routes.js';
import { functionProfiles, type FunctionProfile } from '../../shared/runtime/function-profiles.js';
import type { StackConfig } from '../config.js';
import type { OnboardingData } from './data.js';

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

/** What a function may touch beyond its table: the app key and the Wise client credentials. */
export interface FunctionGrants {
  readonly appSecrets: boolean;
  readonly wiseCredentials: boolean;
}

/**
 * Per-function sizing (memory and timeout, from shared/runtime/function-profiles.ts, which the
 * local gateway reads too) and what each function may touch.
 */
export const FUNCTION_PROFILES: Record<FunctionName, FunctionProfile & FunctionGrants> = {
  onboarding: { ...functionProfiles.onboarding, appSecrets: true, wiseCredentials: true },
  oauth: { ...functionProfiles.oauth, appSecrets: true, wiseCredentials: true },
  'kyc-reviews': { ...functionProfiles['kyc-reviews'], appSecrets: true, wiseCredentials: true },
  // Verifies signatures with Wise's public keys and records state: no secrets to read or decrypt.
  webhooks: { ...functionProfiles.webhooks, appSecrets: false, wiseCredentials: false },
};

export interface OnboardingFunctionsProps {
  readonly config: StackConfig;
  readonly data: OnboardingData;
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

  constructor(scope: Construct, id: string, props: OnboardingFunctionsProps) {
    super(scope, id);
    const entries = functionNames.map((name) => [name, this.createFunction(name, props)] as const);
    this.byName = Object.fromEntries(entries) as Record<FunctionName, nodejs.NodejsFunction>;
  }

  private createFunction(name: FunctionName, { config, data, oauthCallbackUrl }: OnboardingFunctionsProps) {
    const profile = FUNCTION_PROFILES[name];
    const id = pascalCase(name);

    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: config.logRetention });

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
    });

    data.grantTableReadWrite(fn);
    if (profile.appSecrets) data.grantAppSecrets(fn);
    if (profile.wiseCredentials) data.grantReadWiseCredentials(fn);

    Validations.of(role).acknowledge({
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
