/**
 * The partner API's route table (PARTNER-API.md's 15 routes, plus requirement submission): the single source of truth that both the CDK stack
 * (infra/constructs/api.ts) and the local gateway (local/gateway) read, so that what runs
 * locally is what deploys. Paths use API Gateway's `{param}` syntax.
 */
export type FunctionName = 'onboarding' | 'oauth' | 'webhooks' | 'kyc-reviews';

/** `partner`: a JWT from the partner's identity provider is required. `public`: no authorizer. */
export type RouteAuth = 'partner' | 'public';

export interface Route {
  /** Stable id used in logs, metrics and benchmarks. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly function: FunctionName;
  readonly auth: RouteAuth;
}

const customer = '/v1/customers/{customerId}';
const account = `${customer}/wise-account`;
const profile = `${account}/profiles/{profileId}`;

export const routes = [
  { id: 'createAccount', method: 'POST', path: account, function: 'onboarding', auth: 'partner' },
  { id: 'getAccount', method: 'GET', path: account, function: 'onboarding', auth: 'partner' },
  { id: 'createBusinessProfile', method: 'POST', path: `${account}/business-profiles`, function: 'onboarding', auth: 'partner' },
  { id: 'updateProfile', method: 'PUT', path: profile, function: 'onboarding', auth: 'partner' },
  { id: 'checkVerification', method: 'POST', path: `${profile}/verification-check`, function: 'onboarding', auth: 'partner' },
  { id: 'submitIdentityDocument', method: 'POST', path: `${profile}/identity-documents`, function: 'onboarding', auth: 'partner' },
  { id: 'createClaimLink', method: 'POST', path: `${account}/claim`, function: 'onboarding', auth: 'partner' },
  { id: 'startLink', method: 'POST', path: `${customer}/wise-link`, function: 'oauth', auth: 'partner' },
  { id: 'oauthCallback', method: 'GET', path: '/v1/oauth/callback', function: 'oauth', auth: 'public' },
  { id: 'linkWithCode', method: 'POST', path: `${customer}/wise-link/code`, function: 'oauth', auth: 'partner' },
  { id: 'receiveWebhook', method: 'POST', path: '/v1/webhooks/wise', function: 'webhooks', auth: 'public' },
  { id: 'createKycReview', method: 'POST', path: `${profile}/kyc-reviews`, function: 'kyc-reviews', auth: 'partner' },
  { id: 'listKycReviews', method: 'GET', path: `${profile}/kyc-reviews`, function: 'kyc-reviews', auth: 'partner' },
  { id: 'getKycReview', method: 'GET', path: `${profile}/kyc-reviews/{reviewId}`, function: 'kyc-reviews', auth: 'partner' },
  { id: 'refreshKycLink', method: 'POST', path: `${profile}/kyc-reviews/{reviewId}/link`, function: 'kyc-reviews', auth: 'partner' },
  // 16: not in PARTNER-API.md's table; added for API-collectable KYC requirements (multipart pass-through).
  {
    id: 'submitKycRequirement',
    method: 'POST',
    path: `${profile}/kyc-reviews/{reviewId}/requirements/{requirementKey}`,
    function: 'kyc-reviews',
    auth: 'partner',
  },
] as const satisfies readonly Route[];

export type RouteId = (typeof routes)[number]['id'];

export const functionNames: readonly FunctionName[] = ['onboarding', 'oauth', 'webhooks', 'kyc-reviews'];

/** API Gateway's route key for a route, e.g. `POST /v1/webhooks/wise`. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionName): readonly Route[] => routes.filter((r) => r.function === fn);

/** The scope that lets the partner's back office act on any customer. */
export const ADMIN_SCOPE = 'wise-onboarding/admin';
