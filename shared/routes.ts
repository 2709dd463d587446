/**
 * The partner API's route table (PARTNER-API.md version 2): the single source of truth that both the CDK stack
 * (infra/constructs/api.ts) and the local gateway (local/gateway) read, so that what runs
 * locally is what deploys. Paths use API Gateway's `{param}` syntax.
 */
export type FunctionName =
  'onboarding' | 'oauth' | 'webhooks' | 'kyc-reviews' | 'webhook-projection' | 'partner-events' | 'reconcile';

/**
 * Who may call a route (PARTNER-API.md, "Callers"): `customer` — the token's `sub` is the path's
 * `{customerId}`; `partner` — the partner backend, scope `wise-onboarding/admin`; `wise-access` —
 * the partner's payment services, scope `wise-onboarding/wise-access`.
 */
export type CallerKind = 'customer' | 'partner' | 'wise-access';

/** `token`: a JWT from the partner's identity provider is required. `public`: no authorizer. */
export type RouteAuth = 'token' | 'public';

export interface Route {
  /** Stable id used in logs, metrics and benchmarks. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly function: FunctionName;
  readonly auth: RouteAuth;
  /** Who may call it (empty for public routes, which check their own proof: a state, a signature). */
  readonly callers: readonly CallerKind[];
}

const customer = '/v1/customers/{customerId}';
const account = `${customer}/wise-account`;
const profile = `${account}/profiles/{profileId}`;
/** Routes marked C P in PARTNER-API.md: the customer itself or the partner backend. */
const CP = ['customer', 'partner'] as const;
/** Routes marked P: the partner backend only (they carry the bank's KYC data or set the identity linking trusts). */
const P = ['partner'] as const;

export const routes = [
  { id: 'createAccount', method: 'POST', path: account, function: 'onboarding', auth: 'token', callers: P },
  { id: 'getAccount', method: 'GET', path: account, function: 'onboarding', auth: 'token', callers: CP },
  {
    id: 'createBusinessProfile',
    method: 'POST',
    path: `${account}/business-profiles`,
    function: 'onboarding',
    auth: 'token',
    callers: P,
  },
  { id: 'updateProfile', method: 'PUT', path: profile, function: 'onboarding', auth: 'token', callers: P },
  {
    id: 'checkVerification',
    method: 'POST',
    path: `${profile}/verification-check`,
    function: 'onboarding',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'submitIdentityDocument',
    method: 'POST',
    path: `${profile}/identity-documents`,
    function: 'onboarding',
    auth: 'token',
    callers: P,
  },
  {
    id: 'createClaimLink',
    method: 'POST',
    path: `${account}/claim`,
    function: 'onboarding',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'startLink',
    method: 'POST',
    path: `${customer}/wise-link`,
    function: 'oauth',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'oauthCallback',
    method: 'GET',
    path: '/v1/oauth/callback',
    function: 'oauth',
    auth: 'public',
    callers: [],
  },
  {
    id: 'linkWithCode',
    method: 'POST',
    path: `${customer}/wise-link/code`,
    function: 'oauth',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'receiveWebhook',
    method: 'POST',
    path: '/v1/webhooks/wise',
    function: 'webhooks',
    auth: 'public',
    callers: [],
  },
  {
    id: 'createKycReview',
    method: 'POST',
    path: `${profile}/kyc-reviews`,
    function: 'kyc-reviews',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'listKycReviews',
    method: 'GET',
    path: `${profile}/kyc-reviews`,
    function: 'kyc-reviews',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'getKycReview',
    method: 'GET',
    path: `${profile}/kyc-reviews/{reviewId}`,
    function: 'kyc-reviews',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'refreshKycLink',
    method: 'POST',
    path: `${profile}/kyc-reviews/{reviewId}/link`,
    function: 'kyc-reviews',
    auth: 'token',
    callers: CP,
  },
  // 16: API-collectable KYC requirements (multipart pass-through).
  {
    id: 'submitKycRequirement',
    method: 'POST',
    path: `${profile}/kyc-reviews/{reviewId}/requirements/{requirementKey}`,
    function: 'kyc-reviews',
    auth: 'token',
    callers: CP,
  },
  // 17–19: the second phase of linking, the identity on record it compares with, and disconnecting.
  {
    id: 'completeLink',
    method: 'POST',
    path: `${customer}/wise-link/complete`,
    function: 'oauth',
    auth: 'token',
    callers: CP,
  },
  {
    id: 'putIdentity',
    method: 'PUT',
    path: `${customer}/identity`,
    function: 'oauth',
    auth: 'token',
    callers: P,
  },
  {
    id: 'disconnect',
    method: 'DELETE',
    path: `${customer}/wise-link`,
    function: 'oauth',
    auth: 'token',
    callers: CP,
  },
  // 20–23: the partner's payment services (Wise access, route 20 only) and back office.
  {
    id: 'issueAccessToken',
    method: 'POST',
    path: `${profile}/access-token`,
    function: 'onboarding',
    auth: 'token',
    callers: ['wise-access'],
  },
  {
    id: 'listAuditEvents',
    method: 'GET',
    path: `${customer}/audit-events`,
    function: 'onboarding',
    auth: 'token',
    callers: P,
  },
  // No {customerId}: the guard admits the partner backend by its scope alone.
  {
    id: 'listCustomers',
    method: 'GET',
    path: '/v1/customers',
    function: 'onboarding',
    auth: 'token',
    callers: P,
  },
  {
    id: 'eraseCustomer',
    method: 'DELETE',
    path: customer,
    function: 'onboarding',
    auth: 'token',
    callers: P,
  },
] as const satisfies readonly Route[];

export type RouteId = (typeof routes)[number]['id'];

export const functionNames: readonly FunctionName[] = [
  'onboarding',
  'oauth',
  'webhooks',
  'kyc-reviews',
  'webhook-projection',
  'partner-events',
  'reconcile',
];

/** API Gateway's route key for a route, e.g. `POST /v1/webhooks/wise`. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionName): readonly Route[] => routes.filter((r) => r.function === fn);

/** The ids of one function's routes, e.g. `RouteIdOf<'oauth'>` is `'startLink' | 'oauthCallback' | ...`. */
export type RouteIdOf<F extends FunctionName> = Extract<(typeof routes)[number], { function: F }>['id'];

export const routeById = (id: RouteId): Route => routes.find((r) => r.id === id) as Route;

/** The scope that lets the partner's back office act on any customer. */
export const ADMIN_SCOPE = 'wise-onboarding/admin';

/** The scope of the partner's payment services: Wise access tokens (route 20) and nothing else. */
export const WISE_ACCESS_SCOPE = 'wise-onboarding/wise-access';
