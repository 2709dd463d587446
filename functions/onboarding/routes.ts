import type { AccountStore } from '../../shared/ports/accounts';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { functionRoutes } from '../../shared/runtime/function';
import { checkVerification } from './check-verification';
import { ClaimLinks } from './claim-links';
import { createAccount } from './create-account';
import { createBusinessProfile } from './create-business-profile';
import { createClaimLink } from './create-claim-link';
import { getAccount } from './get-account';
import { Profiles } from './profiles';
import { Signup } from './signup';
import { submitIdentityDocument } from './submit-identity-document';
import { updateProfile } from './update-profile';

/** The use cases the onboarding function's operations call. */
export interface OnboardingServices {
  readonly accounts: Pick<AccountStore, 'get'>;
  readonly signup: Signup;
  readonly profiles: Profiles;
  readonly claimLinks: ClaimLinks;
}

/** Built once per container. */
const onboardingServices = (deps: Dependencies): OnboardingServices => {
  const { accounts, cipher, clock, config, logger, wiseAs } = deps;
  return {
    accounts,
    signup: new Signup({
      accounts,
      lease: deps.lease,
      cipher,
      wise: deps.wise,
      wiseAs,
      clientToken: deps.clientToken,
      tokens: deps.tokens,
      logger,
    }),
    profiles: new Profiles({ accounts, wiseAs, clock, logger }),
    claimLinks: new ClaimLinks({ accounts, cipher, wiseAs, credentials: deps.credentials, clock, config }),
  };
};

/** The onboarding function's operations (routes 1–7), also walked by scripts/openapi-document.ts. */
export const operations = {
  createAccount,
  getAccount,
  createBusinessProfile,
  updateProfile,
  checkVerification,
  submitIdentityDocument,
  createClaimLink,
};

/** The onboarding function's routes (see shared/routes.ts): routes 1–7 of the partner API. */
export const routes = functionRoutes<'onboarding', Dependencies, OnboardingServices>(
  onboardingServices,
  operations,
);
