import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import { accountPath, customerBody, freshCustomer, simState } from '../onboarding/fixtures';

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

describe('claiming an account this service created (route 8, claim-account variant)', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ subscribe: false });
  });
  afterAll(async () => t.close());

  it('sends the customer to Wise with a claim code, and the claimed account comes back LINKED', async () => {
    // Prepare: a Wise user created by route 1.
    const { customerId, email } = freshCustomer('claim');
    const created = await t.call('POST', accountPath(customerId), { as: customerId, body: customerBody(email) });
    expect(created.status).toBe(201);
    const returnUrl = `http://localhost:${t.stack.gateway.port}/app/claimed`;

    // Act: start the claim, then do what the customer's browser does on Wise's pages.
    const started = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl, claimAccount: true, dateOfBirth: customerBody(email).dateOfBirth },
    });
    const authorizeUrl = new URL(started.body.authorizeUrl);
    const claimPage = await (await fetch(authorizeUrl)).text();
    const consent = await postForm(new URL('/oauth/authorize/claim', authorizeUrl).toString(), {
      ...hiddenFields(claimPage),
      password: 'a-new-password-1',
      confirmPassword: 'a-new-password-1',
    });
    const consentPage = await consent.text();
    const toCallback = await postForm(new URL('/oauth/authorize/consent', authorizeUrl).toString(), {
      ...hiddenFields(consentPage),
      decision: 'allow',
      profileId: String(created.body.profiles[0].id),
    });
    const callback = await fetch(toCallback.headers.get('location')!, { redirect: 'manual' });

    // Assess
    expect(started.status).toBe(201);
    expect(authorizeUrl.searchParams.get('claim_account_code')).toBeTruthy();
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`http://localhost:${t.stack.gateway.port}/v1/oauth/callback`);
    expect(consent.status).toBe(200);
    const back = new URL(callback.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(returnUrl);
    expect(back.searchParams.get('status')).toBe('linked');
    const account = await t.call('GET', accountPath(customerId), { as: customerId });
    expect(account.body.status).toBe('LINKED');
    const state = await simState(t);
    expect(state.users.find((u) => u.email === email)).toMatchObject({ claimed: true });
  });
});
