import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeThrottles } from '../../shared/route-limits.js';
import {
  ADMIN_SCOPE,
  routeKey,
  routes,
  WISE_ACCESS_SCOPE,
  type FunctionName,
  type Route,
  type RouteId,
} from '../../shared/routes.js';
import type { StackConfig } from '../config.js';
import { logGroupPrefix } from './keys.js';

/**
 * One access-log line per request, as JSON. Deliberately absent: the Authorization header and
 * the query string (the OAuth callback carries the authorization code and state there), and
 * the raw path (`routeKey` identifies the operation without the customer's id).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
};

export interface PartnerApiProps {
  readonly config: StackConfig;
  /** Encrypts the access logs. */
  readonly logsKey: kms.IKey;
}

/**
 * The partner-facing HTTP API. Routes come from the route table in shared/routes.ts (the same
 * table the local gateway serves): `partner` routes require a JWT from the partner's identity
 * provider, `public` routes (the OAuth callback and Wise's webhook) carry their own proof.
 *
 * The API is created before the functions (they need its URL for the OAuth callback);
 * {@link PartnerApi.addRoutes} then wires the route table to them.
 *
 * @example
 * const api = new PartnerApi(this, 'Api', { config });
 * const fns = new OnboardingFunctions(this, 'Functions', { ..., oauthCallbackUrl: `${api.url}v1/oauth/callback` });
 * api.addRoutes(fns.byName);
 */
export class PartnerApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The API's own custom domain (CloudFront's origin), when configured. */
  readonly originDomain?: apigw.DomainName;
  private readonly partnerAuthorizer: HttpJwtAuthorizer;
  private readonly config: StackConfig;

  constructor(scope: Construct, id: string, { config, logsKey }: PartnerApiProps) {
    super(scope, id);
    this.config = config;

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: 'wise-onboarding',
      description: 'wise-onboarding partner API',
      // The stage is defined below, with throttling and access logs.
      createDefaultStage: false,
      // With its own domain the API answers only there (CloudFront's origin), not on execute-api.
      disableExecuteApiEndpoint: config.apiOrigin !== undefined,
      ...(config.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: [...config.corsOrigins],
          allowMethods: [
            apigw.CorsHttpMethod.GET,
            apigw.CorsHttpMethod.POST,
            apigw.CorsHttpMethod.PUT,
            apigw.CorsHttpMethod.DELETE,
          ],
          allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
          maxAge: Duration.hours(1),
        },
      }),
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `${logGroupPrefix(this)}api/access`,
      retention: config.logRetention,
      encryptionKey: logsKey,
    });

    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      // Per-route 4xx, 5xx and latency for the dashboard (dimensions Method and Resource).
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    if (config.apiOrigin !== undefined) {
      this.originDomain = new apigw.DomainName(this, 'OriginDomain', {
        domainName: config.apiOrigin.domainName,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'OriginCertificate',
          config.apiOrigin.certificateArn,
        ),
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
      new apigw.ApiMapping(this, 'OriginMapping', {
        api: this.httpApi,
        domainName: this.originDomain,
        stage: this.stage,
      });
    }

    this.partnerAuthorizer = new HttpJwtAuthorizer('PartnerJwt', config.jwtIssuer, {
      authorizerName: 'partner-jwt',
      jwtAudience: [...config.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /** The API's base URL, ending in `/` (the `$default` stage is served at the root). */
  get url(): string {
    return `${this.httpApi.apiEndpoint}/`;
  }

  /** The host CloudFront forwards to: the API's own domain when configured, else its execute-api host. */
  get originHost(): string {
    return (
      this.config.apiOrigin?.domainName ?? `${this.httpApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`
    );
  }

  /** Adds every route of the route table, each integrated with its function. */
  addRoutes(functions: Record<FunctionName, lambda.IFunction>): void {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${name}-integration`, functions[name]);
        integrations.set(name, integration);
      }
      return integration;
    };

    // A JSON map in CloudFormation's own casing (the L1 property is untyped).
    const routeSettings: Record<string, Record<string, number | boolean>> = {};
    const cfnStage = this.stage.node.defaultChild as apigw.CfnStage;
    for (const route of routes) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: route.auth === 'token' ? this.partnerAuthorizer : new apigw.HttpNoneAuthorizer(),
        ...routeScopes(route),
      });
      if (route.auth === 'public' && httpRoute !== undefined) {
        const reason = publicRouteReasons[route.id];
        // A new public route must come with a stated reason, never a silent exemption.
        if (reason === undefined)
          throw new Error(`Public route ${route.id} has no recorded reason for having no authorizer`);
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason });
      }
      const throttle = routeThrottles[route.id];
      if (throttle !== undefined && httpRoute !== undefined) {
        // A route's settings replace the stage default for it, detailed metrics included.
        routeSettings[routeKey(route)] = {
          ThrottlingRateLimit: throttle.rate,
          ThrottlingBurstLimit: throttle.burst,
          DetailedMetricsEnabled: true,
        };
        // API Gateway refuses settings for a route that does not exist yet.
        cfnStage.addResourceDependency(httpRoute.node.defaultChild as apigw.CfnRoute);
      }
    }
    // The L2 stage sets only the default route settings; the per-route ones go on the resource.
    if (Object.keys(routeSettings).length > 0) cfnStage.routeSettings = routeSettings;
  }
}

/**
 * API Gateway's route authorization scopes: a route no customer may call (partner backend or Wise
 * access only) also needs one of its callers' scopes at the authorizer, so a token without them is
 * refused before the function runs. Customer routes cannot: a customer's token carries no scope.
 */
export const routeScopes = (route: Route): { authorizationScopes?: string[] } => {
  if (route.auth !== 'token' || route.callers.includes('customer')) return {};
  const scopes = route.callers.map((kind) => (kind === 'wise-access' ? WISE_ACCESS_SCOPE : ADMIN_SCOPE));
  return { authorizationScopes: [...new Set(scopes)] };
};

/** Why each public route needs no authorizer: it authenticates the caller itself. */
const publicRouteReasons: Partial<Record<RouteId, string>> = {
  oauthCallback:
    "Wise redirects the customer's browser here without a partner JWT; the request is bound to a " +
    'pending link by the single-use, hashed, expiring OAuth state parameter.',
  receiveWebhook:
    "Wise delivers webhooks without a partner JWT; the function verifies Wise's RSA-SHA256 signature " +
    'over the raw body before anything is stored.',
};
