import { CfnOutput, Stack, Validations, type Stage, type StackProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { parseStackConfig, readContext, type StackConfig, type StackConfigInput } from './config.js';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { OperationalAlarms } from './constructs/alarms.js';
import { PartnerApi } from './constructs/api.js';
import { OperationsDashboard } from './constructs/dashboard.js';
import { OnboardingData } from './constructs/data.js';
import { EdgeDistribution, webAclNameOf } from './constructs/edge.js';
import { PartnerEvents, TableStreamConsumers } from './constructs/events.js';
import { OnboardingFunctions } from './constructs/functions.js';
import { keyAdministrators, logGroupPrefix, newLogsKey } from './constructs/keys.js';

export interface WiseOnboardingStackProps extends StackProps {
  /**
   * Settings that take precedence over CDK context (same keys and formats as the context
   * keys in cdk.json). Mostly for tests; deployments use context.
   */
  readonly config?: StackConfigInput;
}

/**
 * The deployable service: the edge (CloudFront, with the WAF web ACL of the us-east-1 edge stack),
 * the partner API, the functions, their data and keys, alarms and the operations dashboard.
 * Environment-agnostic, so it synthesizes without AWS credentials.
 *
 * @example
 * const app = new App();
 * new WiseOnboardingStack(app, 'WiseOnboarding', { config: { wiseEnvironment: 'production' } });
 */
export class WiseOnboardingStack extends Stack {
  readonly config: StackConfig;
  readonly api: PartnerApi;
  readonly edge: EdgeDistribution;
  readonly data: OnboardingData;
  /** Encrypts every log group of the stack. */
  readonly logsKey: kms.Key;
  readonly functions: OnboardingFunctions;
  readonly alarms: OperationalAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: WiseOnboardingStackProps = {}) {
    super(scope, id, props);
    this.config = parseStackConfig({ ...readContext(this.node), ...props.config });

    const administrators = keyAdministrators(this.config.keyAdminRoleArns);
    this.data = new OnboardingData(this, 'Data', { keyAdministrators: administrators });
    this.logsKey = newLogsKey(this, 'LogsKey', {
      administrators,
      logGroupNamePattern: `${logGroupPrefix(this)}*`,
    });
    this.api = new PartnerApi(this, 'Api', { config: this.config, logsKey: this.logsKey });
    this.edge = new EdgeDistribution(this, 'Edge', { config: this.config, api: this.api });

    // The functions reference the distribution's domain (not the routes), the distribution the API's
    // id, and the routes the functions, so this ordering creates no dependency cycle.
    const publicBaseUrl = this.edge.publicBaseUrl;
    const oauthCallbackUrl = `${publicBaseUrl}v1/oauth/callback`;

    this.functions = new OnboardingFunctions(this, 'Functions', {
      config: this.config,
      data: this.data,
      logsKey: this.logsKey,
      oauthCallbackUrl,
    });
    this.api.addRoutes(this.functions.byName);

    this.alarms = new OperationalAlarms(this, 'Alarms', {
      httpApi: this.api.httpApi,
      functions: this.functions.byName,
      table: this.data.table,
      ...(this.config.alarmEmail !== undefined && { alarmEmail: this.config.alarmEmail }),
    });
    new TableStreamConsumers(this, 'Events', {
      functions: this.functions.byName,
      data: this.data,
      alarmTopic: this.alarms.topic,
    });
    const partnerEvents = new PartnerEvents(this, 'PartnerEvents', {
      functions: this.functions.byName,
      reconcileEveryMinutes: this.config.reconcileEveryMinutes,
      webhookUrl: `${publicBaseUrl}v1/webhooks/wise`,
      alarmTopic: this.alarms.topic,
    });
    new CfnOutput(this, 'EventBusName', {
      value: partnerEvents.bus.eventBusName,
      description: 'Partner events (PARTNER-API.md, "Partner events"): add rules on this bus',
    });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      httpApi: this.api.httpApi,
      functions: this.functions.byName,
      table: this.data.table,
      ...(this.config.edgeWebAclArn !== undefined && { webAclName: webAclNameOf(this.config.edgeWebAclArn) }),
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
    if (this.api.originDomain !== undefined) {
      new CfnOutput(this, 'ApiOriginDnsTarget', {
        value: this.api.originDomain.regionalDomainName,
        description: 'Point apiOriginDomainName (CNAME or alias) at this regional API Gateway domain',
      });
    }
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.edge.distribution.distributionDomainName,
      description: "Point publicBaseUrl's host (CNAME or alias) at this CloudFront domain",
    });
  }
}

/**
 * Runs the cdk-nag AWS Solutions rules on everything in `app` during synthesis. cdk-nag 3 is a
 * policy-validation plugin: any finding not acknowledged with a reason fails the synthesis.
 */
export const addComplianceChecks = (app: Stage): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};
