import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, customerBody, freshCustomer } from '../onboarding/fixtures';
import {
  completeLink,
  partner,
  simState,
  startLinkingStack,
  userTokensOf,
  type LinkingStack,
} from './linking-stack';

/** The hidden inputs of a simulator page, as a browser would submit them. */
const hiddenFields = (html: string): Record<string, string> =>
  Object.fromEntries(
    [...html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)].map((m) => [
      /name="([^"]*)"/.exec(m[0])?.[1] ?? '',
      (/value="([^"]*)"/.exec(m[0])?.[1] ?? '').replaceAll('&amp;', '&'),
    ]),
  );

const postForm = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });

/** What the customer's browser does on Wise's claim pages: set a password, consent, follow to the callback. */
const claimAtWise = async (claimUrl: URL, profileId: number) => {
  const claimPage = await (await fetch(claimUrl)).text();
  const consent = await postForm(new URL('/oauth/authorize/claim', claimUrl).toString(), {
    ...hiddenFields(claimPage),
    password: 'a-new-password-1',
    confirmPassword: 'a-new-password-1',
  });
  expect(consent.status).toBe(200);
  const toCallback = await postForm(new URL('/oauth/authorize/consent', claimUrl).toString(), {
    ...hiddenFields(await consent.text()),
    decision: 'allow',
    profileId: String(profileId),
  });
  const location = toCallback.headers.get('location') ?? '';
  const callback = await fetch(location, { redirect: 'manual' });
  return { callbackUrl: new URL(location), back: new URL(callback.headers.get('location') ?? '') };
};

describe('claiming an account this service created', () => {
  let t: LinkingStack;
  beforeAll(async () => {
    t = await startLinkingStack();
  });
  afterAll(async () => t?.close());

  const signUp = async (label: string) => {
    const { customerId, email } = freshCustomer(label);
    const created = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: { ...customerBody(email), acceptedTermsAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(created.status, created.text).toBe(201);
    return { customerId, email, profileId: created.body.profiles[0].id as number };
  };

  it('route 7: the claim link carries a state, lives 5 minutes, and ends through routes 9 and 17 as LINKED', async () => {
    // Prepare: a Wise user created by route 1 (which keeps the date of birth as the identity on record).
    const { customerId, email, profileId } = await signUp('claim7');
    const returnUrl = `${t.publicUrl}/app/claimed`;

    // Act
    const claim = await t.call('POST', `${accountPath(customerId)}/claim`, {
      as: customerId,
      body: { returnUrl },
    });
    const claimUrl = new URL(claim.body.claimUrl);
    const { callbackUrl, back } = await claimAtWise(claimUrl, profileId);
    const completed = await completeLink(t, customerId, back.searchParams.get('result') ?? '');

    // Assess
    expect(claim.status, claim.text).toBe(201);
    expect(Date.parse(claim.body.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
    expect(claimUrl.searchParams.get('claim_account_code')).toBeTruthy();
    expect(claimUrl.searchParams.get('state')).toBeTruthy();
    expect(claimUrl.searchParams.get('redirect_uri')).toBe(t.callbackUrl);
    expect(callbackUrl.searchParams.get('state')).toBe(claimUrl.searchParams.get('state'));
    expect(`${back.origin}${back.pathname}`).toBe(returnUrl);
    expect(back.searchParams.get('status')).toBe('authorized');
    expect(completed.status, completed.text).toBe(200);
    expect(completed.body).toEqual({ status: 'LINKED', profileId });
    const account = await t.call('GET', accountPath(customerId), { as: customerId });
    expect(account.body.status).toBe('LINKED');
    expect(account.body.profiles).toEqual([expect.objectContaining({ id: profileId, access: 'GRANTED' })]);
    const state = await simState(t);
    const user = state.users.find((u) => u.email === email);
    expect(user).toMatchObject({ claimed: true });
    expect((await userTokensOf(t, user?.id ?? -1)).filter((x) => !x.revoked).length).toBeGreaterThan(0);
  });

  it('route 7 without a body comes back to the first allowed return URL', async () => {
    // Prepare
    const { customerId, profileId } = await signUp('claim7default');

    // Act
    const claim = await t.call('POST', `${accountPath(customerId)}/claim`, { as: customerId });
    const { back } = await claimAtWise(new URL(claim.body.claimUrl), profileId);

    // Assess
    expect(claim.status, claim.text).toBe(201);
    expect(`${back.origin}${back.pathname}`).toBe(`${t.publicUrl}/`);
    expect(back.searchParams.get('status')).toBe('authorized');
  });

  it("route 8 with claimAccount: the same two phases, and an expiresAt of the claim code's 5 minutes", async () => {
    // Prepare
    const { customerId, profileId } = await signUp('claim8');
    const returnUrl = `${t.publicUrl}/app/claimed`;

    // Act
    const started = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl, claimAccount: true },
    });
    const { back } = await claimAtWise(new URL(started.body.authorizeUrl), profileId);
    const completed = await completeLink(t, customerId, back.searchParams.get('result') ?? '');

    // Assess
    expect(started.status, started.text).toBe(201);
    expect(Date.parse(started.body.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
    expect(completed.body).toEqual({ status: 'LINKED', profileId });
  });
});
