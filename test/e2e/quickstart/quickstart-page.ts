import type { Page, Response } from 'playwright-core';
import { quickstartRoutes } from '../../../local/quickstart/serve';
import { DEMO_USER } from '../../../local/wise-sandbox/demo-user';
import { createSimClock } from '../../../local/wise-sandbox/index';
import { startTestStack, type TestStack } from '../../support/stack';

/**
 * A whole local stack with the quickstart page on its gateway, as `npm start` wires it. The
 * page's local-only route learns the simulator's address once it has bound a free port.
 * Real time, as under `npm start`, not the test stack's frozen clock: a person's flow takes
 * seconds, and Wise's webhooks and reads are ordered by the second they happened in.
 */
export const startQuickstartStack = async (): Promise<{ t: TestStack; pageUrl: string }> => {
  let simUrl = '';
  const quickstart = quickstartRoutes({ wiseSandboxUrl: () => simUrl, demoUser: DEMO_USER });
  const clock = createSimClock();
  const t = await startTestStack({
    sim: { seedDemoUser: true, clock },
    stack: { extraRoutes: quickstart.routes, fallback: quickstart.fallback, clock },
  });
  simUrl = t.sim.url;
  // localhost, not 127.0.0.1: the return-URL allowlist and the registered redirect URI are on localhost.
  return { t, pageUrl: `http://localhost:${t.stack.gateway.port}/` };
};

/** Opens the page as a fresh visitor (a new demo customer) and waits until it holds a partner token. */
export const openQuickstart = async (
  page: Page,
  pageUrl: string,
): Promise<{ response: Response | null; token: () => string | undefined }> => {
  let token: string | undefined;
  page.on('response', async (res) => {
    if (res.url().endsWith('/local/token') && res.ok())
      token = ((await res.json()) as { token: string }).token;
  });
  const response = await page.goto(pageUrl);
  await page.locator('#token-state[data-state="ready"]').waitFor();
  return { response, token: () => token };
};

/** The authorize page of the simulator: log in, then Allow or Deny. */
export const signInOnWise = async (
  page: Page,
  email: string,
  password: string,
  decision: 'allow' | 'deny',
) => {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#login').click();
  await page.locator(decision === 'allow' ? '#allow' : '#deny').click();
};
