import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../../support/browser';
import { ADMIN_SCOPE } from '../../../shared/routes';
import { startTestStack, type TestStack } from '../../support/stack';

let t: TestStack;
let browser: TestBrowser;
let publicUrl: string;

beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
  publicUrl = new URL(t.stack.deps.oauth.config.oauthCallbackUrl).origin;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A Wise user that already exists, and the partner's customer who starts linking it. */
const prepare = async (label: string) => {
  const email = `browser-${label}-${Date.now()}@example.com`;
  const password = 'correct horse battery';
  const user = await t.sim_('POST', '/_sim/users', {
    email,
    password,
    firstName: 'Grace',
    lastName: 'Hopper',
    dateOfBirth: '1986-12-09',
  });
  const customerId = `browser-${label}-${Date.now()}`;
  // The partner's app is not part of this stack; the local gateway's health page stands in for its
  // return page (an allowlisted URL that answers 200), so the browser really lands somewhere.
  const returnUrl = `${publicUrl}/local/health`;
  // The partner backend records the identity on record first (route 18), then the customer's app starts the link.
  const identity = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
    as: { scope: ADMIN_SCOPE },
    body: { dateOfBirth: '1986-12-09' },
  });
  expect(identity.status).toBe(200);
  const start = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
    as: customerId,
    body: { returnUrl },
  });
  expect(start.status).toBe(201);
  return {
    email,
    password,
    customerId,
    returnUrl,
    authorizeUrl: start.body.authorizeUrl as string,
    profileId: user.body.profileId as number,
  };
};

describe('linking an existing Wise account in a browser', () => {
  it('logs in on the authorization page, allows, lands on the return URL with a one-time result, and route 17 links', async () => {
    // Prepare
    const p = await prepare('allow');
    const { page, consoleErrors } = await browser.newPage();
    const failedLoads: string[] = [];
    const callbackAnswers: Array<{ status: number; cacheControl?: string; referrerPolicy?: string }> = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${publicUrl}/v1/oauth/callback`)) {
        const h = res.headers();
        callbackAnswers.push({
          status: res.status(),
          cacheControl: h['cache-control'],
          referrerPolicy: h['referrer-policy'],
        });
      }
      // Browsers ask every origin for a favicon; neither the simulator nor the gateway has one.
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico'))
        failedLoads.push(`${res.status()} ${new URL(res.url()).pathname}`);
    });

    // Act
    await page.goto(p.authorizeUrl);
    await page.getByLabel('Email').fill(p.email);
    await page.getByLabel('Password').fill(p.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const landing = page.waitForResponse((res) => res.url().startsWith(p.returnUrl));
    await page.getByRole('button', { name: 'Allow' }).click();
    const landed = await landing;
    await page.waitForURL(`${p.returnUrl}**`);

    // Assess
    const final = new URL(page.url());
    await screenshot(page, 'oauth-linked');
    expect(`${final.origin}${final.pathname}`).toBe(p.returnUrl);
    expect(final.searchParams.get('status')).toBe('authorized');
    expect(final.searchParams.get('profileId')).toBe(String(p.profileId));
    expect(final.searchParams.has('code')).toBe(false);
    expect(final.searchParams.has('state')).toBe(false);
    expect(callbackAnswers).toEqual([
      { status: 302, cacheControl: 'no-store', referrerPolicy: 'no-referrer' },
    ]);
    expect(landed.status()).toBe(200);
    // Nothing is linked until the partner's app, in the customer's session, completes with the result.
    expect((await t.stack.deps.oauth.accounts.get(p.customerId))?.status).toBe('LINK_PENDING');
    const completed = await t.call('POST', `/v1/customers/${p.customerId}/wise-link/complete`, {
      as: p.customerId,
      body: { result: final.searchParams.get('result') },
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({ status: 'LINKED', profileId: p.profileId });
    const account = await t.stack.deps.oauth.accounts.get(p.customerId);
    expect(account).toMatchObject({ status: 'LINKED', origin: 'LINKED' });
    expect(failedLoads).toEqual([]);
    expect(consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
    await page.context().close();
  });

  it('going back to the callback after a link shows the fixed error page, not a second link', async () => {
    // Prepare
    const p = await prepare('back');
    const { page } = await browser.newPage();
    let callbackUrl = '';
    page.on('request', (req) => {
      if (req.url().startsWith(`${publicUrl}/v1/oauth/callback`)) callbackUrl = req.url();
    });
    await page.goto(p.authorizeUrl);
    await page.getByLabel('Email').fill(p.email);
    await page.getByLabel('Password').fill(p.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${p.returnUrl}**`);

    // Act
    const replay = await page.goto(callbackUrl);

    // Assess
    expect(replay?.status()).toBe(400);
    expect(page.url()).toBe(callbackUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'This link cannot be used',
    );
    expect(await page.content()).not.toContain(new URL(callbackUrl).searchParams.get('code') ?? '<none>');
    await screenshot(page, 'oauth-replayed-callback');
    await page.context().close();
  });
});
