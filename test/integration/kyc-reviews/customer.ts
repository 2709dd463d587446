import { randomUUID } from 'node:crypto';
import type { TestStack } from '../../support/stack';

export interface CustomerWithProfile {
  customerId: string;
  userId: number;
  profileId: number;
}

/**
 * A customer whose Wise account is linked: a Wise user with a personal profile at the simulator,
 * the customer's user tokens stored, the account and profile recorded. Built through the stores
 * so these tests do not depend on route 1; swap the body for `POST /v1/customers/{id}/wise-account`
 * once that route is the usual way in.
 */
export const customerWithProfile = async (
  t: TestStack,
  customerId = `kyc-${randomUUID().slice(0, 8)}`,
): Promise<CustomerWithProfile> => {
  const email = `${customerId}@example.com`;
  const password = `pw-${randomUUID()}`;
  const user = await t.sim_('POST', '/_sim/users', {
    email,
    password,
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1990-01-01',
  });
  if (user.status !== 201) throw new Error(`simulator user: ${user.status} ${user.text}`);
  const { userId, profileId } = user.body as { userId: number; profileId: number };

  const deps = t.stack.deps['kyc-reviews'];
  // The stack's OAuth callback is the redirect URI the test stack registers at the simulator.
  const redirectUri = deps.config.oauthCallbackUrl;
  const consent = await t.sim_('POST', '/_sim/oauth/authorize', {
    client_id: 'local-partner',
    redirect_uri: redirectUri,
    state: randomUUID(),
    email,
    password,
    decision: 'allow',
    profileId,
  });
  if (consent.status !== 200) throw new Error(`simulator consent: ${consent.status} ${consent.text}`);
  const code = new URL(String(consent.body.location)).searchParams.get('code');
  if (!code) throw new Error(`simulator consent: ${consent.status} ${consent.text}`);

  await deps.tokens.store(customerId, await deps.wise.authorizationCodeToken(code, redirectUri));
  await deps.accounts.create({ customerId, status: 'LINKED', origin: 'LINKED', wiseUserId: userId });
  await deps.accounts.putProfile(customerId, { id: profileId, type: 'PERSONAL' });
  return { customerId, userId, profileId };
};

/** A quote at the simulator, made with the customer's own token as a partner's app would. */
export const quoteFor = async (t: TestStack, customer: CustomerWithProfile): Promise<string> => {
  const token = await t.stack.deps['kyc-reviews'].tokens.accessToken(customer.customerId);
  const res = await t.sim_(
    'POST',
    `/v3/profiles/${customer.profileId}/quotes`,
    { sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 100 },
    { authorization: `Bearer ${token}` },
  );
  if (res.status !== 200) throw new Error(`simulator quote: ${res.status} ${res.text}`);
  return String(res.body.id);
};
