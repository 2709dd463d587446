import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStack, type TestStack } from '../../support/stack';

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
  const res = await t.sim_('POST', '/_sim/users', { email, password, firstName: 'Ada', lastName: 'Lovelace', dateOfBirth });
  if (res.status !== 201) throw new Error(`sim user: ${res.status} ${res.text}`);
  return { email, password, userId: res.body.userId, profileId: res.body.profileId, dateOfBirth };
};

/** Route 8 for a customer; returns the authorize URL's parts. */
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
): Promise<URL> => {
  const res = await t.sim_('POST', '/_sim/oauth/authorize', {
    client_id: authorizeUrl.searchParams.get('client_id'),
    redirect_uri: authorizeUrl.searchParams.get('redirect_uri'),
    state: authorizeUrl.searchParams.get('state'),
    email: user.email,
    password: user.password,
    decision,
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

/** The whole link for a customer, ending at the callback's answer. */
export const linkCustomer = async (t: LinkingStack, customerId: string, user: WiseUser, body: Record<string, unknown> = {}) => {
  const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: user.dateOfBirth, ...body });
  const answer = await followToCallback(t, await decide(t, authorizeUrl, user));
  if (answer.status !== 302) throw new Error(`callback: ${answer.status}`);
  return new URL(answer.headers.get('location') ?? '');
};

export const simState = async (t: TestStack) => (await t.sim_('GET', '/_sim/state')).body;

export const tokensItem = async (t: TestStack, customerId: string) => {
  const d = t.stack.deps.oauth;
  const out = await d.table.db.send(new GetCommand({ TableName: d.table.name, Key: { pk: `CUSTOMER#${customerId}`, sk: 'TOKENS' } }));
  return out.Item;
};

/** Every item of the table as text, to prove a secret is stored nowhere in clear. */
export const tableDump = async (t: TestStack): Promise<string> => {
  const d = t.stack.deps.oauth;
  const out = await d.table.db.send(new ScanCommand({ TableName: d.table.name }));
  return JSON.stringify(out.Items ?? []);
};
