import { CfnOutput, Stack, Validations, type Stage, type StackProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { parseStackConfig, readContext, type StackConfig, type StackConfigInput } from './config.js';
import { OperationalAlarms } from './constructs/alarms.js';
import { PartnerApi } from './constructs/api.js';
import { OnboardingData } from './constructs/data.js';
import { OnboardingFunctions } from './constructs/functions.js';

export interface WiseOnboardingStackProps extends StackProps {
  /**
   * Settings that take precedence over CDK context (same keys and formats as the context
   * keys in cdk.json). Mostly for tests; deployments use context.
   */
  readonly config?: StackConfigInput;
}

/**
 * The deployable service: partner API, the four functions, their data and alarms.
 * Environment-agnostic, so it synthesizes without AWS credentials.
 *
 * @example
 * const app = new App();
 * new WiseOnboardingStack(app, 'WiseOnboarding', { config: { wiseEnvironment: 'production' } });
 */
export class WiseOnboardingStack extends Stack {
  readonly config: StackConfig;
  readonly api: PartnerApi;
  readonly data: OnboardingData;
  readonly functions: OnboardingFunctions;
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: WiseOnboardingStackProps = {}) {
    super(scope, id, props);
    this.config = parseStackConfig({ ...readContext(this.node), ...props.config });

    this.data = new OnboardingData(this, 'Data');
    this.api = new PartnerApi(this, 'Api', { config: this.config });

    // The functions reference the API's endpoint attribute (not its routes), and the routes
    // reference the functions, so this ordering creates no dependency cycle.
    const publicBaseUrl =
      this.config.publicBaseUrl !== undefined ? `${this.config.publicBaseUrl}/` : this.api.url;
    const oauthCallbackUrl = `${publicBaseUrl}v1/oauth/callback`;

    this.functions = new OnboardingFunctions(this, 'Functions', {
      config: this.config,
      data: this.data,
      oauthCallbackUrl,
    });
    this.api.addRoutes(this.functions.byName);

    this.alarms = new OperationalAlarms(this, 'Alarms', {
      httpApi: this.api.httpApi,
      functions: this.functions.byName,
      table: this.data.table,
      ...(this.config.alarmEmail !== undefined && { alarmEmail: this.config.alarmEmail }),
    });

    new CfnOutput(this, 'ApiUrl', { value: publicBaseUrl, description: 'Base URL of the partner API' });
    new CfnOutput(this, 'WebhookUrl', {
      value: `${publicBaseUrl}v1/webhooks/wise`,
      description: 'Register this URL for Wise application webhook subscriptions',
    });
    new CfnOutput(this, 'OAuthCallbackUrl', {
      value: oauthCallbackUrl,
      description: 'Register this redirect URI with Wise for OAuth linking',
    });
    new CfnOutput(this, 'WiseCredentialsSecretArn', {
      value: this.data.wiseCredentials.secretArn,
      description: 'Put the Wise client credentials JSON into this secret',
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
  }
}

/**
 * Runs the cdk-nag AWS Solutions rules on everything in `app` during synthesis. cdk-nag 3 is a
 * policy-validation plugin: any finding not acknowledged with a reason fails the synthesis.
 */
export const addComplianceChecks = (app: Stage): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};
