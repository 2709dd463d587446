import { App } from 'aws-cdk-lib';
import { WiseOnboardingEdgeStack } from '../edge-stack.js';
import { WiseOnboardingStack, addComplianceChecks } from '../stack.js';

const app = new App();
// Deployed first, in us-east-1: its WebAclArn output becomes the service stack's edgeWebAclArn.
new WiseOnboardingEdgeStack(app, 'WiseOnboardingEdge', {
  description: 'wise-onboarding: the edge firewall (CLOUDFRONT-scope WAF web ACL, us-east-1)',
});
new WiseOnboardingStack(app, 'WiseOnboarding', {
  description: "wise-onboarding: brings a Wise Platform partner's customers onto Wise",
});
addComplianceChecks(app);
app.synth();
