import { randomUUID } from 'node:crypto';
import type { GatewayEvent, GatewayResult } from '../shared/http/types';
import { ADMIN_SCOPE, type FunctionName } from '../shared/routes';
import { CALLBACK_URL, RETURN_URL_PREFIX, type BenchEnvironment } from './environment';
import { gatewayEvent } from './events';
import { lambdaContext } from '../local/gateway/events';

/** A customer whose Wise account is linked: user and personal profile at the simulator, tokens stored. */
export interface LinkedCustomer {
  customerId: string;
  userId: number;
  profileId: number;
}

const simCall = async (env: BenchEnvironment, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${env.sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`simulator ${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
};

/** Invokes a function's handler with a fresh Lambda context (the deployed timeouts). */
export const invoke = (
  env: BenchEnvironment,
  fn: FunctionName,
  event: GatewayEvent,
): Promise<GatewayResult> => env.handlers[fn](event, lambdaContext(fn, fn === 'webhooks' ? 5_000 : 25_000));

export const expectStatus = (what: string, result: GatewayResult, ...statuses: number[]): GatewayResult => {
  if (!statuses.includes(result.statusCode))
    throw new Error(`${what}: HTTP ${result.statusCode} ${result.body ?? ''}`);
  return result;
};

const newWiseUser = async (env: BenchEnvironment, email: string, dateOfBirth = '1990-01-01') => {
  const password = `pw-${randomUUID()}`;
  const user = await simCall(env, 'POST', '/_sim/users', {
    email,
    password,
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth,
  });
  return { email, password, userId: Number(user.userId), profileId: Number(user.profileId), dateOfBirth };
};

/** The customer's consent at Wise's authorization page: the redirect back to our callback, with its query. */
const consent = async (
  env: BenchEnvironment,
  user: { email: string; password: string },
  state: string,
  profileId?: number,
) => {
  const answer = await simCall(env, 'POST', '/_sim/oauth/authorize', {
    client_id: 'local-partner',
    redirect_uri: CALLBACK_URL,
    state,
    email: user.email,
    password: user.password,
    decision: 'allow',
    ...(profileId ? { profileId } : {}),
  });
  return new URL(String(answer.location));
};

/** Seeds a linked customer through the stores (not through the routes being measured). */
export const seedLinkedCustomer = async (env: BenchEnvironment, prefix = 'seed'): Promise<LinkedCustomer> => {
  const customerId = `${prefix}-${randomUUID().slice(0, 12)}`;
  const user = await newWiseUser(env, `${customerId}@example.com`);
  const location = await consent(env, user, randomUUID(), user.profileId);
  const code = location.searchParams.get('code');
  if (!code) throw new Error('simulator consent gave no code');
  const deps = env.deps['kyc-reviews'];
  await deps.tokens.store(customerId, await deps.wise.authorizationCodeToken(code, CALLBACK_URL));
  await deps.accounts.create({ customerId, status: 'LINKED', origin: 'LINKED', wiseUserId: user.userId });
  await deps.accounts.putProfile(customerId, { id: user.profileId, type: 'PERSONAL' });
  return { customerId, userId: user.userId, profileId: user.profileId };
};

/** Route 1's body: a customer as the partner's KYC knows them. */
export const signupBody = (email: string) =>
  JSON.stringify({
    email,
    firstName: 'Bench',
    lastName: 'Customer',
    dateOfBirth: '1990-01-01',
    phoneNumber: '+442079460000',
    address: {
      addressFirstLine: '1 Test Street',
      city: 'London',
      countryIso3Code: 'GBR',
      postCode: 'EC1A 1BB',
    },
    nationality: 'GBR',
    acceptedTermsAt: '2026-01-01T00:00:00.000Z',
  });

/** Route 1 is the partner backend's (version 2): its token carries the admin scope. */
export const signupEvent = (customerId: string): GatewayEvent => {
  const event = gatewayEvent('createAccount', {
    pathParameters: { customerId },
    body: signupBody(`${customerId}@example.com`),
    sub: 'bench-back-office',
  });
  const claims = event.requestContext.authorizer?.jwt?.claims as Record<string, unknown> | undefined;
  if (claims) claims.scope = ADMIN_SCOPE;
  return event;
};

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A signed Wise delivery: a profile's verification state changed at `occurredAt`. */
export const webhookEvent = (
  env: BenchEnvironment,
  profileId: number,
  occurredAt: number,
  verified: boolean,
): GatewayEvent => {
  const body = JSON.stringify({
    data: {
      resource: { type: 'profile', id: profileId },
      current_state: verified ? 'verified' : 'not_verified',
      occurred_at: iso(occurredAt),
    },
    subscription_id: randomUUID(),
    event_type: 'profiles#verification-state-change',
    schema_version: '2.0.0',
    sent_at: iso(occurredAt),
  });
  return gatewayEvent('receiveWebhook', {
    body,
    headers: { 'x-signature-sha256': env.signWebhook(body), 'x-delivery-id': randomUUID() },
  });
};

/**
 * Everything up to Wise's redirect back to us (untimed): an existing Wise user, route 8 for a new
 * customer, the customer's consent at the simulator. Returns the callback event to be measured.
 */
export const prepareLinkCallback = async (env: BenchEnvironment): Promise<GatewayEvent> => {
  const customerId = `link-${randomUUID().slice(0, 12)}`;
  const user = await newWiseUser(env, `${customerId}@example.com`, '1988-04-12');
  // Version 2: linking compares with the identity on record (route 18's store), not a caller's date of birth.
  await env.deps.oauth.identities.record(customerId, { dateOfBirth: user.dateOfBirth });
  const started = expectStatus(
    'start link',
    await invoke(
      env,
      'oauth',
      gatewayEvent('startLink', {
        pathParameters: { customerId },
        body: JSON.stringify({ returnUrl: `${RETURN_URL_PREFIX}app/linked` }),
        sub: customerId,
      }),
    ),
    201,
  );
  const state = new URL(JSON.parse(started.body ?? '{}').authorizeUrl).searchParams.get('state') ?? '';
  const location = await consent(env, user, state);
  return gatewayEvent('oauthCallback', { query: Object.fromEntries(location.searchParams) });
};

/** A linked customer with a hosted KYC review (route 12), for route 15 to ask links of. */
export const prepareKycReview = async (env: BenchEnvironment) => {
  const customer = await seedLinkedCustomer(env, 'kyc');
  const pathParameters = { customerId: customer.customerId, profileId: String(customer.profileId) };
  const created = expectStatus(
    'create KYC review',
    await invoke(
      env,
      'kyc-reviews',
      gatewayEvent('createKycReview', {
        pathParameters,
        body: JSON.stringify({
          trigger: { type: 'PROACTIVE_SEND_MONEY' },
          redirectUrl: `${RETURN_URL_PREFIX}kyc/done`,
        }),
        sub: customer.customerId,
      }),
    ),
    200,
    201,
  );
  const reviewId = String(JSON.parse(created.body ?? '{}').id ?? JSON.parse(created.body ?? '{}').reviewId);
  return { customer, reviewId, pathParameters: { ...pathParameters, reviewId } };
};

/** Route 15 with a redirect URL the stored link does not have: Wise is asked for a fresh link. */
export const kycLinkEvent = (review: Awaited<ReturnType<typeof prepareKycReview>>, i: number): GatewayEvent =>
  gatewayEvent('refreshKycLink', {
    pathParameters: review.pathParameters,
    body: JSON.stringify({ redirectUrl: `${RETURN_URL_PREFIX}kyc/done?attempt=${i}` }),
    sub: review.customer.customerId,
  });
