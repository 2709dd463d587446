import { App } from 'aws-cdk-lib';
import { WiseOnboardingStack, addComplianceChecks } from '../stack.js';

const app = new App();
new WiseOnboardingStack(app, 'WiseOnboarding', {
  description: "wise-onboarding: brings a Wise Platform partner's customers onto Wise",
});
addComplianceChecks(app);
app.synth();
