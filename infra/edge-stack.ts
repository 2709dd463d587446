import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { parseEdgeStackConfig, readContext, type StackConfigInput } from './config.js';
import { EdgeFirewall } from './constructs/edge.js';
import { keyAdministrators } from './constructs/keys.js';

/** CloudFront takes only web ACLs (and certificates) from this region. */
export const EDGE_REGION = 'us-east-1';

export interface WiseOnboardingEdgeStackProps extends Omit<StackProps, 'env'> {
  /** The account, when known; the region is always {@link EDGE_REGION}. */
  readonly account?: string;
  /** Settings over CDK context (`keyAdminRoleArns`, `logRetentionDays`), mostly for tests. */
  readonly config?: StackConfigInput;
}

/**
 * The edge firewall's stack, pinned to us-east-1 because a CLOUDFRONT-scope WAF web ACL can only be
 * created there. Deploy it first; its `WebAclArn` output is the service stack's `edgeWebAclArn`.
 *
 * @example
 * new WiseOnboardingEdgeStack(app, 'WiseOnboardingEdge');
 */
export class WiseOnboardingEdgeStack extends Stack {
  readonly firewall: EdgeFirewall;

  constructor(scope: Construct, id: string, props: WiseOnboardingEdgeStackProps = {}) {
    const { account, config: overrides, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: { region: EDGE_REGION, ...(account !== undefined && { account }) },
    });
    const config = parseEdgeStackConfig({ ...readContext(this.node), ...overrides });

    this.firewall = new EdgeFirewall(this, 'Firewall', {
      keyAdministrators: keyAdministrators(config.keyAdminRoleArns),
      logRetention: config.logRetention,
    });

    new CfnOutput(this, 'WebAclArn', {
      value: this.firewall.webAcl.attrArn,
      description: 'Pass this to the service stack as the edgeWebAclArn context value',
    });
  }
}
