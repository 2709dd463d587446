import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE } from '../../../shared/routes';
import { launchBrowser, screenshot, type BrowserPage, type TestBrowser } from '../../support/browser';
import { customerBody, partner } from '../../integration/onboarding/fixtures';
import type { TestStack } from '../../support/stack';
import { openQuickstart, startQuickstartStack } from './quickstart-page';

/** The demo customer, signed up by the partner backend (route 1). */
const signUp = async (t: TestStack, customerId: string) => {
  const body = customerBody(`${customerId}@example.com`, { firstName: 'Demo', lastName: 'Customer' });
  const signup = await t.call('POST', `/v1/customers/${customerId}/wise-account`, { as: partner, body });
  expect(signup.status, signup.text).toBe(201);
};

describe('quickstart page, step 6: your payment service and back office', () => {
  let t: TestStack;
  let pageUrl: string;
  let browser: TestBrowser;
  let current: BrowserPage | undefined;

  beforeAll(async () => {
    ({ t, pageUrl } = await startQuickstartStack());
    browser = await launchBrowser();
  });

  afterEach(async (ctx) => {
    if (current && ctx.task.result?.state === 'fail')
      await screenshot(current.page, `failed-${ctx.task.name.slice(0, 60)}`);
    await current?.page.context().close();
    current = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('fetches a Wise access token, uses it once for a quote and its KYC review, and shows the audit trail and the ACTIVE list', async () => {
    // Prepare: the demo customer signed up by the partner backend.
    current = await browser.newPage();
    const { page, consoleErrors } = current;
    let accessToken: string | undefined;
    page.on('response', async (res) => {
      if (res.url().endsWith('/access-token') && res.ok())
        accessToken = ((await res.json()) as { accessToken: string }).accessToken;
    });
    await openQuickstart(page, pageUrl);
    const customerId = await page.locator('#customer-id').inputValue();
    await signUp(t, customerId);

    // Act
    await page.locator('#get-access-token').click();
    await page.locator('#access-token-issued').waitFor();
    await page.locator('#create-quote').click();
    await page.locator('#quote-review').waitFor();
    await page.locator('#load-audit').click();
    await page.locator('#audit-events [data-action="access_token.issued"]').waitFor();
    await page.locator('#status-filter').selectOption('ACTIVE');
    await page.locator('#list-customers').click();
    await page.locator(`#customer-list [data-customer="${customerId}"]`).waitFor();

    // Assess
    await screenshot(page, 'quickstart-back-office');
    expect(await page.locator('#quote-review').innerText()).toMatch(/KYC review \S+ is [A-Z_]+/);
    const actions = await page
      .locator('#audit-events [data-action]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    // Wise gives the hosted link once the review waits for the customer; a NEW review has none yet.
    expect(actions[0]).toBe('access_token.issued');
    expect(actions).toEqual(expect.arrayContaining(['customer.signup_started', 'customer.signed_up']));
    expect(actions).not.toContain('kyc_link.issued');
    expect(await page.locator('#audit-events').innerText()).toContain('wise-access (payment-service)');
    const calls = await page.locator('#back-office-calls').innerText();
    for (const path of ['/access-token', '/audit-events', '/v1/customers?status=ACTIVE', '/kyc-reviews'])
      expect(calls).toContain(path);
    expect(accessToken).toBeTruthy();
    expect(await page.content()).not.toContain(accessToken);
    expect(consoleErrors).toEqual([]);
  });

  it('erases the customer in two clicks: route 23 answers 204, route 2 then 404, and the audit keeps customer.erased', async () => {
    // Prepare
    current = await browser.newPage();
    const { page, consoleErrors } = current;
    await openQuickstart(page, pageUrl);
    const customerId = await page.locator('#customer-id').inputValue();
    await signUp(t, customerId);

    // Act
    await page.locator('#erase-customer').click();
    const armedOnly = await t.call('GET', `/v1/customers/${customerId}/wise-account`, {
      as: { scope: ADMIN_SCOPE },
    });
    await page.locator('#erase-confirm').click();
    await page.locator('#erased').waitFor();

    // Assess
    await screenshot(page, 'quickstart-erasure');
    expect(armedOnly.status).toBe(200);
    expect(await page.locator('#erased').innerText()).toMatch(/Erased \(204\)\. Route 2 now answers 404/);
    const account = await t.call('GET', `/v1/customers/${customerId}/wise-account`, {
      as: { scope: ADMIN_SCOPE },
    });
    expect(account.status).toBe(404);
    const audit = await t.call('GET', `/v1/customers/${customerId}/audit-events`, {
      as: { scope: ADMIN_SCOPE },
    });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('customer.erased');
    expect(JSON.stringify(audit.body)).not.toContain(`${customerId}@example.com`);
    expect(await page.locator('#back-office-calls').innerText()).toContain(`DELETE`);
    // The browser reports the 404 of route 2 that the page asks on purpose; nothing else.
    expect(
      consoleErrors.filter((e) => !(e.includes('404') && e.includes(`/${customerId}/wise-account`))),
    ).toEqual([]);
  });
});
