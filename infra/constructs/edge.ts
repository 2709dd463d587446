import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EDGE_RATE_WINDOW_SECONDS, edgeRateLimits } from '../../shared/route-limits.js';
import { routeById, type RouteId } from '../../shared/routes.js';
import type { StackConfig } from '../config.js';
import { newLogsKey } from './keys.js';
import type { PartnerApi } from './api.js';

export interface EdgeDistributionProps {
  readonly config: StackConfig;
  readonly api: PartnerApi;
}

/**
 * The public entry point: a CloudFront distribution in front of the HTTP API, with the WAF web ACL
 * attached. CloudFront + WAF rather than WAF on the API: WAF attaches to REST APIs, not HTTP APIs,
 * and a REST API would change every function's event format and lose the JWT authorizer. The
 * CLOUDFRONT-scope web ACL must be created in us-east-1, so it lives in its own stack
 * ({@link EdgeFirewall}, infra/edge-stack.ts) and is attached here by ARN (`edgeWebAclArn`). Nothing is cached (every answer is per caller); every header but Host, every query
 * string and cookie is forwarded, so the JWT authorizer, the OAuth callback and Wise's signature
 * headers reach the API as sent.
 *
 * @example
 * const edge = new EdgeDistribution(this, 'Edge', { config, api });
 * edge.publicBaseUrl; // https://dxxxx.cloudfront.net/ or the configured publicBaseUrl
 */
export class EdgeDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  private readonly config: StackConfig;

  constructor(scope: Construct, id: string, { config, api }: EdgeDistributionProps) {
    super(scope, id);
    this.config = config;

    const customHost = config.publicBaseUrl !== undefined ? new URL(config.publicBaseUrl).host : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'wise-onboarding partner API',
      defaultBehavior: {
        origin: new origins.HttpOrigin(api.originHost, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          // API Gateway gives an integration 30 s; CloudFront should not give up first.
          readTimeout: Duration.seconds(30),
        }),
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // API Gateway routes by its own host name, so the viewer's Host must not be forwarded.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(config.edgeWebAclArn !== undefined && { webAclId: config.edgeWebAclArn }),
      ...(customHost !== undefined &&
        config.edgeCertificateArn !== undefined && {
          domainNames: [customHost],
          certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', config.edgeCertificateArn),
          minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }),
    });

    const resource = this.distribution.node.defaultChild!;
    acknowledge(
      resource,
      'AwsSolutions-CFR1',
      "Partners' backends, Wise's webhook senders and the customers' browsers (returning from Wise's " +
        'authorize page) come from wherever they are; the API authenticates each of them instead.',
    );
    acknowledge(
      resource,
      'AwsSolutions-CFR3',
      'The edge stack logs every viewer request through WAF (client IP, path, verdict; query string and ' +
        "Authorization redacted) and API Gateway logs every forwarded one. CloudFront's standard logs cannot " +
        "redact the OAuth callback's query string (authorization code and state), so they stay off.",
    );
    if (config.edgeCertificateArn === undefined) {
      acknowledge(
        resource,
        'AwsSolutions-CFR4',
        'Without a custom domain CloudFront serves *.cloudfront.net, whose security policy it fixes itself; ' +
          'with publicBaseUrl and edgeCertificateArn set the distribution requires TLSv1.2_2021.',
      );
    }
    if (config.edgeWebAclArn === undefined) {
      acknowledge(
        resource,
        'AwsSolutions-CFR2',
        'Only a sandbox deployment may run without the edge web ACL: the stack configuration refuses ' +
          'production without edgeWebAclArn (the WAF web ACL of the us-east-1 edge stack).',
      );
    }
  }

  /** The public base URL, ending in `/`: the configured custom domain, else the distribution's domain. */
  get publicBaseUrl(): string {
    return this.config.publicBaseUrl !== undefined
      ? `${this.config.publicBaseUrl}/`
      : `https://${this.distribution.distributionDomainName}/`;
  }
}

/** The web ACL's name: CloudWatch metrics and the dashboard find it by this. */
export const EDGE_WEB_ACL_NAME = 'wise-onboarding-edge';

/** The problem answered by a per-IP rule (WAF's custom responses allow JSON only, not problem+json). */
const TOO_MANY_REQUESTS_BODY = JSON.stringify({
  type: 'about:blank',
  title: 'Too Many Requests',
  status: 429,
  detail: 'Too many requests from this address; retry later.',
});

/** Amazon's managed rule groups, in evaluation order after the per-IP rules. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesCommonRuleSet',
] as const;

export interface EdgeFirewallProps {
  /** Who administers the logs key (see infra/constructs/keys.ts). */
  readonly keyAdministrators: iam.IPrincipal[];
  readonly logRetention: logs.RetentionDays;
}

/**
 * The CLOUDFRONT-scope WAF web ACL (so it must be created in us-east-1): per-IP rate rules on the
 * routes callable without a token, then Amazon's IP reputation list, known bad inputs and the common
 * rule set. Every request is logged to an encrypted log group, without query strings or Authorization.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);

    const rateRules = (Object.entries(edgeRateLimits) as [RouteId, { requestsPerWindow: number }][]).map(
      ([routeId, limit], index): wafv2.CfnWebACL.RuleProperty => {
        const route = routeById(routeId);
        if (route.auth !== 'public')
          throw new Error(`edgeRateLimits.${routeId}: per-IP limits are for public routes`);
        return {
          name: `PerIp-${routeId}`,
          priority: index,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'too-many-requests',
                responseHeaders: [{ name: 'retry-after', value: String(EDGE_RATE_WINDOW_SECONDS) }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: limit.requestsPerWindow,
              evaluationWindowSec: EDGE_RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    {
                      byteMatchStatement: {
                        fieldToMatch: { method: {} },
                        positionalConstraint: 'EXACTLY',
                        searchString: route.method,
                        textTransformations: [{ priority: 0, type: 'NONE' }],
                      },
                    },
                    {
                      // Decoded, with duplicate slashes and dot segments resolved, so that no spelling
                      // of the path that API Gateway would route slips past the limit.
                      byteMatchStatement: {
                        fieldToMatch: { uriPath: {} },
                        positionalConstraint: 'STARTS_WITH',
                        searchString: route.path.toLowerCase(),
                        textTransformations: [
                          { priority: 0, type: 'URL_DECODE' },
                          { priority: 1, type: 'NORMALIZE_PATH' },
                          { priority: 2, type: 'LOWERCASE' },
                        ],
                      },
                    },
                  ],
                },
              },
            },
          },
          visibilityConfig: visibility(`PerIp-${routeId}`),
        };
      },
    );

    const managedRules = MANAGED_RULE_GROUPS.map((name, index): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority: 10 + index,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          // Identity documents and KYC requirement files are uploaded as multipart bodies of a few
          // MB; the functions bound body sizes themselves (maxBodyBytes), so the common set's
          // 8 KB body rule only counts.
          ...(name === 'AWSManagedRulesCommonRuleSet' && {
            ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
          }),
        },
      },
      visibilityConfig: visibility(name),
    }));

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: EDGE_WEB_ACL_NAME,
      description: 'wise-onboarding: per-IP limits on public routes, AWS managed rule groups',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      customResponseBodies: {
        'too-many-requests': { contentType: 'APPLICATION_JSON', content: TOO_MANY_REQUESTS_BODY },
      },
      rules: [...rateRules, ...managedRules],
      visibilityConfig: visibility(EDGE_WEB_ACL_NAME),
    });

    // WAF delivers only to log groups named aws-waf-logs-*.
    const stack = Stack.of(this);
    const logGroupName = `aws-waf-logs-${stack.stackName}`;
    const logsKey = newLogsKey(this, 'LogsKey', {
      administrators: props.keyAdministrators,
      logGroupNamePattern: logGroupName,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention,
      encryptionKey: logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the trailing `:*`.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // The OAuth callback's query carries the authorization code and state; partners send JWTs.
      redactedFields: [{ queryString: {} }, { singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);
  }
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/** A cdk-nag acknowledgement on exactly this resource. */
const acknowledge = (resource: Construct, rule: string, reason: string): void => {
  Validations.of(resource).acknowledge({ id: `AwsSolutions::${rule}`, reason });
};

/** The web ACL's name from its ARN (`.../global/webacl/<name>/<id>`). */
export const webAclNameOf = (arn: string): string => arn.split('/').at(-2) ?? EDGE_WEB_ACL_NAME;
