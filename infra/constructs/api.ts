import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes, type FunctionName, type RouteId } from '../../shared/routes.js';
import type { StackConfig } from '../config.js';

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
  private readonly partnerAuthorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, { config }: PartnerApiProps) {
    super(scope, id);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: 'wise-onboarding',
      description: 'wise-onboarding partner API',
      // The stage is defined below, with throttling and access logs.
      createDefaultStage: false,
      ...(config.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: [...config.corsOrigins],
          allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.PUT],
          allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
          maxAge: Duration.hours(1),
        },
      }),
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: config.logRetention });

    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

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

    for (const route of routes) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: route.auth === 'token' ? this.partnerAuthorizer : new apigw.HttpNoneAuthorizer(),
      });
      if (route.auth === 'public' && httpRoute !== undefined) {
        const reason = publicRouteReasons[route.id];
        // A new public route must come with a stated reason, never a silent exemption.
        if (reason === undefined)
          throw new Error(`Public route ${route.id} has no recorded reason for having no authorizer`);
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason });
      }
    }
  }
}

/** Why each public route needs no authorizer: it authenticates the caller itself. */
const publicRouteReasons: Partial<Record<RouteId, string>> = {
  oauthCallback:
    "Wise redirects the customer's browser here without a partner JWT; the request is bound to a " +
    'pending link by the single-use, hashed, expiring OAuth state parameter.',
  receiveWebhook:
    "Wise delivers webhooks without a partner JWT; the function verifies Wise's RSA-SHA256 signature " +
    'over the raw body before anything is stored.',
};
