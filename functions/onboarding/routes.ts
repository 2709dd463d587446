import { DynamoCustomerDirectory } from '../../shared/adapters/dynamodb/customer-directory';
import { DynamoCustomerErasure } from '../../shared/adapters/dynamodb/customer-erasure';
import { AuthorizeLinks } from '../../shared/domain/linking/authorize-links';
import type { AccountStore } from '../../shared/ports/accounts';
import type { Grants } from '../../shared/ports/grants';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { functionRoutes } from '../../shared/runtime/function';
import { LinkStateStore } from '../../shared/store/link-state-store';
import { AuditEvents } from './audit-events';
import { checkVerification } from './check-verification';
import { ClaimLinks } from './claim-links';
import { createAccount } from './create-account';
import { createBusinessProfile } from './create-business-profile';
import { createClaimLink } from './create-claim-link';
import { CustomerLists } from './customer-lists';
import { eraseCustomer } from './erase-customer';
import { Erasure } from './erasure';
import { getAccount } from './get-account';
import { issueAccessToken } from './issue-access-token';
import { listAuditEvents } from './list-audit-events';
import { listCustomers } from './list-customers';
import { Profiles } from './profiles';
import { Signup } from './signup';
import { submitIdentityDocument } from './submit-identity-document';
import { updateProfile } from './update-profile';
import { WiseAccessTokens } from './wise-access-tokens';

/** The use cases the onboarding function's operations call. */
export interface OnboardingServices {
  readonly accounts: Pick<AccountStore, 'get'>;
  /** Route 2 derives each profile's `access` from them. */
  readonly grants: Pick<Grants, 'accessOf'>;
  readonly signup: Signup;
  readonly profiles: Profiles;
  readonly claimLinks: ClaimLinks;
  readonly wiseAccess: WiseAccessTokens;
  readonly auditEvents: AuditEvents;
  readonly customerLists: CustomerLists;
  readonly erasure: Erasure;
}

/** Built once per container. */
const onboardingServices = (deps: Dependencies): OnboardingServices => {
  const { accounts, cipher, clock, config, logger, wiseAs } = deps;
  // Route 7 issues its claim link the way route 8 issues any link: one state, one allowlist, one identity check.
  const authorizeLinks = new AuthorizeLinks({
    accounts,
    linkStates: new LinkStateStore(deps.table),
    identities: deps.identities,
    credentials: deps.credentials,
    audit: deps.audit,
    clock,
    allowedReturnUrls: config.allowedReturnUrls,
    wiseWebBaseUrl: config.wiseWebBaseUrl,
    redirectUri: config.oauthCallbackUrl,
  });
  return {
    accounts,
    grants: deps.grants,
    signup: new Signup({
      accounts,
      lease: deps.lease,
      cipher,
      wise: deps.wise,
      wiseAs,
      clientToken: deps.clientToken,
      tokens: deps.tokens,
      audit: deps.audit,
      identities: deps.identities,
      logger,
    }),
    profiles: new Profiles({ accounts, wiseAs, clock, logger }),
    claimLinks: new ClaimLinks({
      accounts,
      cipher,
      wiseAs,
      authorizeLinks,
      allowedReturnUrls: config.allowedReturnUrls,
    }),
    wiseAccess: new WiseAccessTokens({ accounts, grants: deps.grants, audit: deps.audit, logger }),
    auditEvents: new AuditEvents(deps.audit),
    customerLists: new CustomerLists(new DynamoCustomerDirectory(deps.table)),
    erasure: new Erasure({ audit: deps.audit, erasure: new DynamoCustomerErasure(deps.table), logger }),
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
  issueAccessToken,
  listAuditEvents,
  listCustomers,
  eraseCustomer,
};

/** The onboarding function's routes (see shared/routes.ts): routes 1–7 of the partner API. */
export const routes = functionRoutes<'onboarding', Dependencies, OnboardingServices>(
  onboardingServices,
  operations,
);
