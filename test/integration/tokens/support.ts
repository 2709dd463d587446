import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { GrantKind, GrantSummary } from '../../../shared/ports/grants';
import type { TokenResponse, WiseApi } from '../../../shared/ports/wise';
import { GrantService, longestRefreshMs, REFRESH_WINDOW_MS } from '../../../shared/tokens/grants';
import { RegistrationCodeRemint } from '../../../shared/tokens/remint';
import { defaultRetryPolicy, type FetchLike } from '../../../shared/wise/transport';
import { startTestStack, type TestStack } from '../../support/stack';

/** The transport's retries in these tests (short, as the test stack's). */
export const RETRY = { baseDelayMs: 20, maxDelayMs: 200 } as const;

/**
 * The fetch the product reaches Wise with, with a crash that can be armed: the first matching
 * request reaches Wise (Wise acts), then its answer and every later matching request are lost,
 * as when the invocation's network dies right after Wise answered.
 */
export class Crasher {
  private match?: { method: string; path: string; body?: string };
  reached = 0;

  readonly fetch: FetchLike = async (url, init) => {
    const m = this.match;
    const body = typeof init.body === 'string' ? init.body : '';
    if (
      !m ||
      init.method !== m.method ||
      new URL(url).pathname !== m.path ||
      (m.body && !body.includes(m.body))
    )
      return fetch(url, init);
    this.reached += 1;
    if (this.reached === 1) await (await fetch(url, init)).arrayBuffer();
    throw new TypeError('fetch failed (crashed after Wise answered)');
  };

  arm(method: string, path: string, body?: string): void {
    this.match = { method, path, body };
    this.reached = 0;
  }

  disarm(): void {
    this.match = undefined;
  }
}

export type TokensStack = TestStack & { crasher: Crasher };

export const startTokensStack = async (): Promise<TokensStack> => {
  const crasher = new Crasher();
  const t = await startTestStack({
    subscribe: false,
    stack: { overrides: { retry: { ...RETRY }, fetch: crasher.fetch } },
  });
  return Object.assign(t, { crasher });
};

export const deps = (t: TestStack) => t.stack.deps.onboarding;

/** Another container's grant service: same table, key and Wise client, its own memory and lease owners. */
export const anotherContainer = (
  t: TestStack,
  options: { cacheEntries?: number; wise?: Pick<WiseApi, 'refreshToken'> } = {},
) => {
  const d = deps(t);
  return new GrantService(
    d.table,
    d.cipher,
    options.wise ?? d.wise,
    d.clock,
    new RegistrationCodeRemint(d.accounts, d.cipher, d.wise),
    d.lease,
    d.accounts,
    {
      refreshBudgetMs: longestRefreshMs({ ...defaultRetryPolicy, ...RETRY }),
      cacheEntries: options.cacheEntries,
    },
  );
};

export interface SimUser {
  email: string;
  password: string;
  userId: number;
  personalId: number;
}

let seq = 0;
export const customerId = (label: string) => `${label}-${Date.now()}-${++seq}`;

/** A person who already has a Wise account with a personal profile (POST /_sim/users). */
export const wiseUser = async (t: TestStack): Promise<SimUser> => {
  const email = `grants-${Date.now()}-${++seq}@example.com`;
  const password = 'correct horse battery';
  const res = await t.sim_('POST', '/_sim/users', {
    email,
    password,
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1988-04-12',
  });
  if (res.status !== 201) throw new Error(`sim user: ${res.status} ${res.text}`);
  return { email, password, userId: res.body.userId, personalId: res.body.profileId };
};

/** A business profile the user added on Wise itself (no grant covers it until authorised). */
export const businessProfile = async (t: TestStack, user: SimUser): Promise<number> => {
  const res = await t.sim_('POST', `/_sim/users/${user.userId}/business-profiles`, {
    businessName: `Acme ${++seq}`,
    registrationNumber: `REG-${Date.now()}-${seq}`,
  });
  if (res.status !== 201) throw new Error(`sim business profile: ${res.status} ${res.text}`);
  return res.body.profileId as number;
};

/** The customer consents on Wise's authorize page for one profile; the code is exchanged (no route involved). */
export const authorize = async (t: TestStack, user: SimUser, profileId: number): Promise<TokenResponse> => {
  const d = deps(t);
  const redirectUri = d.config.oauthCallbackUrl;
  const res = await t.sim_('POST', '/_sim/oauth/authorize', {
    client_id: 'local-partner',
    redirect_uri: redirectUri,
    state: randomUUID(),
    email: user.email,
    password: user.password,
    decision: 'allow',
    profileId,
  });
  if (res.status !== 200) throw new Error(`sim authorize: ${res.status} ${res.text}`);
  const code = new URL(String(res.body.location)).searchParams.get('code');
  if (!code) throw new Error(`sim authorize gave no code: ${res.text}`);
  return d.wise.authorizationCodeToken(code, redirectUri);
};

/** A LINKED customer with both profiles recorded and no grant yet. */
export const linkedAccount = async (t: TestStack, id: string, user: SimUser, businessId?: number) => {
  const d = deps(t);
  await d.accounts.create({ customerId: id, status: 'LINKED', origin: 'LINKED', wiseUserId: user.userId });
  await d.accounts.putProfile(id, { id: user.personalId, type: 'PERSONAL' });
  if (businessId !== undefined) await d.accounts.putProfile(id, { id: businessId, type: 'BUSINESS' });
};

/** Links a profile as route 17 will: the exchanged answer kept as that profile's grant. */
export const keepGrant = async (
  t: TestStack,
  id: string,
  user: SimUser,
  profileId: number,
  kind: GrantKind = 'authorization_code',
): Promise<GrantSummary> =>
  deps(t).grants.keep(id, await authorize(t, user, profileId), { kind, profileIds: [profileId] });

export interface SimToken {
  kind: string;
  userId?: number;
  profileIds?: number[];
  access_token: string;
  refresh_token?: string;
  revoked: boolean;
  refreshRevoked?: boolean;
}

export const simTokens = async (t: TestStack, userId: number): Promise<SimToken[]> =>
  ((await t.sim_('GET', '/_sim/state')).body.tokens as SimToken[]).filter(
    (x) => x.kind === 'user' && x.userId === userId,
  );

/** Moves both clocks into the refresh window: the access token still works but has under an hour left. */
export const enterRefreshWindow = (t: TestStack) =>
  t.clock.advance(43_199 * 1000 - REFRESH_WINDOW_MS + 60_000);

export const grantItem = async (t: TestStack, id: string, grantId: string) =>
  (
    await deps(t).table.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { pk: `CUSTOMER#${id}`, sk: `GRANT#${grantId}` },
        ConsistentRead: true,
      }),
    )
  ).Item;

export const customerItems = async (t: TestStack, id: string) =>
  (
    await deps(t).table.db.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${id}` },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

export const putItem = async (t: TestStack, item: Record<string, unknown>) =>
  deps(t).table.db.send(new PutCommand({ TableName: t.tableName, Item: item }));

export const deadline = (ms = 10_000) => Date.now() + ms;
