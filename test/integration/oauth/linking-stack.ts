import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { ADMIN_SCOPE } from '../../../shared/routes';
import { startTestStack, type CallResult, type TestStack } from '../../support/stack';

/**
 * A test stack whose simulator has the stack's own callback registered as the client's
 * redirect URI (Wise requires an exact match), as `npm start` has with its fixed ports.
 */
export const startLinkingStack = async (): Promise<LinkingStack> => {
  const t = await startTestStack({ subscribe: false });
  const callbackUrl = t.stack.deps.oauth.config.oauthCallbackUrl;
  return Object.assign(t, { callbackUrl, publicUrl: new URL(callbackUrl).origin });
};

/** `publicUrl` is the origin the browser, the allowlist and Wise know (localhost, as `npm start`). */
export type LinkingStack = TestStack & { callbackUrl: string; publicUrl: string };

/** The partner backend's token (scope `wise-onboarding/admin`). */
export const partner = { scope: ADMIN_SCOPE } as const;

export interface WiseUser {
  email: string;
  password: string;
  userId: number;
  profileId: number;
  dateOfBirth: string;
}

let seq = 0;
/** A person who already has a Wise account (created at the simulator, as `POST /_sim/users` documents). */
export const existingWiseUser = async (t: TestStack, dateOfBirth = '1988-04-12'): Promise<WiseUser> => {
  const email = `person-${Date.now()}-${++seq}@example.com`;
  const password = 'correct horse battery';
  const res = await t.sim_('POST', '/_sim/users', {
    email,
    password,
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth,
  });
  if (res.status !== 201) throw new Error(`sim user: ${res.status} ${res.text}`);
  return { email, password, userId: res.body.userId, profileId: res.body.profileId, dateOfBirth };
};

/** A business profile the Wise user added on Wise itself (no grant covers it until authorised). */
export const businessProfileOf = async (
  t: TestStack,
  user: WiseUser,
  registrationNumber: string,
): Promise<number> => {
  const res = await t.sim_('POST', `/_sim/users/${user.userId}/business-profiles`, {
    businessName: `Lovelace Engines ${++seq}`,
    registrationNumber,
  });
  if (res.status !== 201) throw new Error(`sim business profile: ${res.status} ${res.text}`);
  return res.body.profileId;
};

/** Route 18 as the partner backend. */
export const recordIdentity = async (
  t: TestStack,
  customerId: string,
  identity: { dateOfBirth?: string | null; registrationNumber?: string | null },
): Promise<CallResult> => {
  const res = await t.call('PUT', `/v1/customers/${customerId}/identity`, { as: partner, body: identity });
  if (res.status !== 200) throw new Error(`identity: ${res.status} ${res.text}`);
  return res;
};

/** Route 8 for a customer (as the customer); returns the authorize URL's parts. */
export const startLink = async (
  t: LinkingStack,
  customerId: string,
  body: Record<string, unknown> = {},
): Promise<{ authorizeUrl: URL; state: string; expiresAt: string }> => {
  const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
    as: customerId,
    body: { returnUrl: `${t.publicUrl}/app/linked?from=test`, ...body },
  });
  if (res.status !== 201) throw new Error(`start link: ${res.status} ${res.text}`);
  const authorizeUrl = new URL(res.body.authorizeUrl);
  return { authorizeUrl, state: authorizeUrl.searchParams.get('state') ?? '', expiresAt: res.body.expiresAt };
};

/** What the authorization page does when the customer logs in and decides (POST /_sim/oauth/authorize). */
export const decide = async (
  t: TestStack,
  authorizeUrl: URL,
  user: Pick<WiseUser, 'email' | 'password'>,
  decision: 'allow' | 'deny' = 'allow',
  more: { profileId?: number; errorState?: 'echo' | 'omit' } = {},
): Promise<URL> => {
  const res = await t.sim_('POST', '/_sim/oauth/authorize', {
    client_id: authorizeUrl.searchParams.get('client_id'),
    redirect_uri: authorizeUrl.searchParams.get('redirect_uri'),
    state: authorizeUrl.searchParams.get('state') ?? undefined,
    email: user.email,
    password: user.password,
    decision,
    ...more,
  });
  if (res.status !== 200) throw new Error(`sim authorize: ${res.status} ${res.text}`);
  return new URL(res.body.location);
};

/** The browser following Wise's redirect to our callback (no further redirect followed). */
export const followToCallback = async (t: TestStack, location: URL) => {
  const url = new URL(location.pathname + location.search, t.stack.url);
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

/** The return URL the callback sent the browser to. */
export const backTo = (answer: { status: number; headers: Headers }): URL => {
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
};

/** Route 17, as the customer by default. */
export const completeLink = (
  t: TestStack,
  customerId: string,
  result: string | null,
  as: string | { scope: string } = customerId,
  headers: Record<string, string> = {},
): Promise<CallResult> =>
  t.call('POST', `/v1/customers/${customerId}/wise-link/complete`, { as, body: { result }, headers });

/** Routes 8 and 9 for a customer and a Wise user: the result the browser brings back. */
export const authorize = async (
  t: LinkingStack,
  customerId: string,
  user: WiseUser,
  more: { profileId?: number; body?: Record<string, unknown> } = {},
): Promise<{ result: string; back: URL; code: string }> => {
  const { authorizeUrl } = await startLink(t, customerId, more.body);
  const location = await decide(t, authorizeUrl, user, 'allow', { profileId: more.profileId });
  const back = backTo(await followToCallback(t, location));
  expect(back.searchParams.get('status')).toBe('authorized');
  return {
    result: back.searchParams.get('result') ?? '',
    back,
    code: location.searchParams.get('code') ?? '',
  };
};

/** The whole link, both phases: identity on record (the user's date of birth unless given), 8, 9, 17. */
export const linkCustomer = async (
  t: LinkingStack,
  customerId: string,
  user: WiseUser,
  more: { profileId?: number; identity?: { dateOfBirth?: string; registrationNumber?: string } } = {},
): Promise<CallResult> => {
  await recordIdentity(t, customerId, more.identity ?? { dateOfBirth: user.dateOfBirth });
  const { result } = await authorize(t, customerId, user, { profileId: more.profileId });
  return completeLink(t, customerId, result);
};

export interface SimState {
  users: Array<{ id: number; email: string; claimed?: boolean }>;
  tokens: Array<{
    kind: string;
    userId?: number;
    profileIds?: number[];
    access_token: string;
    refresh_token?: string;
    revoked: boolean;
  }>;
  authorizationCodes: Array<{ code: string; userId: number; used: boolean }>;
  emailedAuthorizationCodes: Array<{ email: string; code: string }>;
  [more: string]: unknown;
}

export const simState = async (t: TestStack): Promise<SimState> => (await t.sim_('GET', '/_sim/state')).body;

/** The user tokens Wise issued for a Wise user (none: nothing was exchanged for them). */
export const userTokensOf = async (t: TestStack, userId: number) =>
  (await simState(t)).tokens.filter((x) => x.kind === 'user' && x.userId === userId);

/** Whether Wise still holds the code unused (nothing exchanged it). */
export const codeUnused = async (t: TestStack, code: string): Promise<boolean> =>
  (await simState(t)).authorizationCodes.find((c) => c.code === code)?.used === false;

/** Every item of one customer's partition. */
export const customerItems = async (t: TestStack, customerId: string): Promise<Record<string, unknown>[]> => {
  const d = t.stack.deps.oauth;
  const out = await d.table.db.send(
    new QueryCommand({
      TableName: d.table.name,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
};

/** The customer's grant items (`GRANT#…`). */
export const grantItems = async (t: TestStack, customerId: string) =>
  (await customerItems(t, customerId)).filter((i) => String(i.sk).startsWith('GRANT#') || i.sk === 'TOKENS');

export const profileOwner = async (t: TestStack, profileId: number): Promise<string | undefined> => {
  const d = t.stack.deps.oauth;
  const out = await d.table.db.send(
    new GetCommand({
      TableName: d.table.name,
      Key: { pk: `WISEPROFILE#${profileId}`, sk: 'OWNER' },
      ConsistentRead: true,
    }),
  );
  return out.Item?.customerId as string | undefined;
};

/** Every item of the table as text, to prove a secret is stored nowhere in clear. */
export const tableDump = async (t: TestStack): Promise<string> => {
  const d = t.stack.deps.oauth;
  const out = await d.table.db.send(new ScanCommand({ TableName: d.table.name, ConsistentRead: true }));
  return JSON.stringify(out.Items ?? []);
};

/** Every item whose pk starts with `prefix` (LINKSTATE#, LINKRESULT#, IDEMPOTENCY#…). */
export const itemsWithPrefix = async (t: TestStack, prefix: string): Promise<Record<string, unknown>[]> => {
  const d = t.stack.deps.oauth;
  const out = await d.table.db.send(
    new ScanCommand({
      TableName: d.table.name,
      ConsistentRead: true,
      FilterExpression: 'begins_with(pk, :p)',
      ExpressionAttributeValues: { ':p': prefix },
    }),
  );
  return out.Items ?? [];
};
