import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { proves, reportFor, saveReport } from './support/report';
import {
  accountPath,
  activeCustomer,
  customerBody,
  existingWiseUser,
  freshCustomer,
  completeLink,
  linkCustomer,
  linkThroughCallback,
  makeTokensDue,
  profilePath,
  RETRY,
  SLOW_WISE_MS,
  startReliabilityStack,
  type ReliabilityStack,
  partner,
} from './support/stack';
import { leakScanTest } from './support/leaks';
import type { CallResult } from '../support/stack';

/**
 * Wise failing at every step of every flow — 5xx, 429 and timeouts injected at the simulator, and
 * crashes right after Wise answered — and the partner's retry: each flow completes, or answers a
 * clear 503 WISE_UNAVAILABLE and completes on retry, with no duplicate at Wise and nothing lost.
 */
reportFor(import.meta.url);

let t: ReliabilityStack;
beforeAll(async () => {
  t = await startReliabilityStack({ subscribe: false });
});
afterEach(async () => {
  t.crasher.disarm();
  await t.clearFaults();
});
afterAll(async () => {
  saveReport();
  await t?.close();
});

type Kind = '5xx' | '429' | 'timeout';
const KINDS: Kind[] = ['5xx', '429', 'timeout'];

/** 5xx and timeouts outlast the product's retries (a 503 is due); a 429 passes within them. */
const injectFault = (kind: Kind, method: string, path: string) => {
  switch (kind) {
    case '5xx':
      return t.fault({ method, path, status: 503, times: 20 });
    case '429':
      return t.fault({ method, path, status: 429, retryAfter: 1, times: 1 });
    case 'timeout':
      return t.fault({ method, path, delayMs: SLOW_WISE_MS, times: RETRY.maxAttempts });
  }
};

/**
 * The partner's side of the promise: the first call either completes or answers 503
 * WISE_UNAVAILABLE with Retry-After; once Wise is back, a retry completes.
 */
const completesOrRetries = async (
  call: () => Promise<CallResult>,
  done: (r: CallResult) => boolean,
  kind?: Kind,
) => {
  const first = await call();
  if (!done(first)) {
    expect(first.status, first.text).toBe(503);
    expect(first.headers.get('content-type')).toContain('application/problem+json');
    expect(first.body.code).toBe('WISE_UNAVAILABLE');
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }
  await t.clearFaults();
  // Let any answer Wise still holds (a slow Wise) land before the retry.
  if (kind === 'timeout') await t.wiseSettled();
  let last = first;
  for (let i = 0; i < 3 && !done(last); i++) last = await call();
  expect(done(last), `${last.status} ${last.text}`).toBe(true);
  return { first, last };
};

const expectOneUserAndProfile = async (email: string, wiseUserId: number) => {
  const s = await t.state();
  const users = s.users.filter((u) => u.email === email);
  expect(users.map((u) => u.id)).toEqual([wiseUserId]);
  expect(s.profiles.filter((p) => p.userId === wiseUserId)).toHaveLength(1);
};

const signupSteps = [
  { step: 'the signup', method: 'POST', path: '/v1/user/signup/registration_code' },
  { step: 'the registration-code grant', method: 'POST', path: '/oauth/token' },
  { step: 'the personal profile', method: 'POST', path: '/v2/profiles/personal-profile' },
] as const;

describe('signup (route 1) with Wise failing', () => {
  for (const { step, method, path } of signupSteps) {
    for (const kind of KINDS) {
      proves(
        'faults.signup',
        `at ${step} (${kind}): completes with one Wise user and one profile`,
        async () => {
          // Prepare
          const { customerId, email } = freshCustomer(`fault-signup-${kind}`);
          await injectFault(kind, method, path);

          // Act
          const { first, last } = await completesOrRetries(
            () => t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) }),
            (r) => r.status === 201 || r.status === 200,
            kind,
          );

          // Assess
          if (first.status === 503) {
            const during = await t.call('GET', accountPath(customerId), { as: customerId });
            expect(['CREATING', 'ACTIVE']).toContain(during.body.status);
          }
          expect(last.body.status).toBe('ACTIVE');
          await expectOneUserAndProfile(email, last.body.wiseUserId);
        },
      );
    }
  }
});

describe('linking (routes 8, 9, 17 and 10) with Wise failing', () => {
  const linkSteps = [
    { step: 'the code exchange', method: 'POST', path: '/oauth/token' },
    { step: 'reading the granted profile', method: 'GET', path: '/v2/profiles' },
    { step: 'reading the user', method: 'GET', path: '/v1/me' },
  ] as const;
  for (const { step, method, path } of linkSteps) {
    for (const kind of KINDS) {
      proves(
        'faults.linking',
        `at ${step} in route 17 (${kind}): a clear answer, no grant kept, and a retry or a new link completes`,
        async () => {
          // Prepare: the callback keeps the code without calling Wise; route 17 exchanges it.
          const { customerId } = freshCustomer(`fault-link-${kind}`);
          const user = await existingWiseUser(t);
          const returnUrl = `${t.stack.deps.oauth.config.allowedReturnUrls[0]}app/linked`;
          const authorized = await linkThroughCallback(t, customerId, user, returnUrl);
          await injectFault(kind, method, path);

          // Act
          const first = await completeLink(t, customerId, authorized.result);
          const afterFirst = await t.stack.deps.oauth.accounts.get(customerId);
          const grantsAfterFirst = await t.stack.deps.oauth.grants.list(customerId);
          await t.clearFaults();
          await t.wiseSettled();
          // Wise not answering keeps the result; a code Wise took while we timed out is used up: link again.
          const retried = first.status === 200 ? first : await completeLink(t, customerId, authorized.result);
          const outcome =
            retried.status === 200 ? retried : await linkCustomer(t, customerId, user, returnUrl);

          // Assess
          expect(authorized.status).toBe(302);
          expect(new URL(authorized.location!).searchParams.get('status')).toBe('authorized');
          if (first.status !== 200) {
            expect(first.status).toBe(503);
            expect(first.body.code).toBe('WISE_UNAVAILABLE');
            expect(first.headers.get('retry-after')).toBeTruthy();
            expect(afterFirst?.status).toBe('LINK_PENDING');
            expect(grantsAfterFirst).toEqual([]);
          }
          if (retried.status !== 200) expect(retried.body.code).toBe('LINK_RESULT_INVALID');
          expect(outcome.status, outcome.text).toBe(200);
          expect(outcome.body).toEqual({ status: 'LINKED', profileId: user.profileId });
          const account = await t.call('GET', accountPath(customerId), { as: customerId });
          expect(account.body).toMatchObject({ status: 'LINKED', wiseUserId: user.userId });
          expect(account.body.profiles.map((p: { id: number }) => p.id)).toEqual([user.profileId]);
        },
      );
    }
  }

  proves(
    'faults.linking',
    'route 10 (code typed by the customer) at the code exchange (5xx): 503, then the same code links',
    async () => {
      // Prepare
      const { customerId } = freshCustomer('fault-code');
      const user = await existingWiseUser(t);
      await t.call('PUT', `/v1/customers/${customerId}/identity`, {
        as: partner,
        body: { dateOfBirth: user.dateOfBirth },
      });
      const consent = await t.sim_('POST', '/_sim/oauth/authorize', {
        client_id: 'local-partner',
        redirect_uri: t.stack.deps.oauth.config.oauthCallbackUrl,
        email: user.email,
        password: user.password,
        decision: 'allow',
      });
      const code = new URL(consent.body.location).searchParams.get('code')!;
      await injectFault('5xx', 'POST', '/oauth/token');

      // Act
      const { last } = await completesOrRetries(
        () =>
          t.call('POST', `/v1/customers/${customerId}/wise-link/code`, { as: customerId, body: { code } }),
        (r) => r.status === 200,
      );

      // Assess
      expect(last.body).toEqual({ status: 'LINKED', profileId: user.profileId });
    },
  );
});

describe('token refresh with Wise failing', () => {
  for (const kind of KINDS) {
    proves(
      'faults.refresh',
      `at the refresh grant (${kind}): completes or 503, tokens kept, never RELINK_REQUIRED`,
      async () => {
        // Prepare
        const c = await activeCustomer(t, `fault-refresh-${kind}`);
        await makeTokensDue(t, c.customerId);
        await injectFault(kind, 'POST', '/oauth/token');

        // Act
        const { last } = await completesOrRetries(
          () =>
            t.call('POST', `${profilePath(c.customerId, c.profileId)}/verification-check`, {
              as: c.customerId,
              body: { sourceCurrencies: ['GBP'] },
            }),
          (r) => r.status === 200,
          kind,
        );

        // Assess
        expect(last.body.canTransfer).toHaveProperty('GBP');
        const account = await t.call('GET', accountPath(c.customerId), { as: c.customerId });
        expect(account.body.status).toBe('ACTIVE');
        expect(await t.stack.deps.onboarding.tokens.has(c.customerId)).toBe(true);
      },
    );
  }
});

/**
 * Route 12 lists and creates at Wise; the hosted link is asked of Wise by route 15, once the review
 * has left NEW (Wise has no link to give before), so the PATCH faults are injected on route 15.
 */
const kycSteps = [
  {
    step: "listing Wise's reviews",
    route: 12,
    method: 'GET',
    path: (p: number) => `/v1/profiles/${p}/kyc-reviews`,
  },
  {
    step: 'creating the review',
    route: 12,
    method: 'POST',
    path: (p: number) => `/v1/profiles/${p}/kyc-reviews`,
  },
  {
    step: 'asking for the hosted link',
    route: 15,
    method: 'PATCH',
    path: (p: number) => `/v1/profiles/${p}/kyc-reviews/`,
  },
] as const;

/** How long Wise keeps a new review NEW on the simulator's clock (its default). */
const KYC_NEW_MS = 3000;

describe('KYC review creation (route 12) and its hosted link (route 15) with Wise failing', () => {
  for (const { step, route, method, path } of kycSteps) {
    for (const kind of KINDS) {
      proves(
        'faults.kyc',
        `at ${step} (${kind}): completes with one Wise review for the trigger and a fresh hosted link`,
        async () => {
          // Prepare
          const c = await activeCustomer(t, `fault-kyc-${kind}`);
          const redirectUrl = `${t.stack.deps['kyc-reviews'].config.allowedReturnUrls[0]}kyc/done`;
          const reviews = `${profilePath(c.customerId, c.profileId)}/kyc-reviews`;
          const create = () =>
            t.call('POST', reviews, {
              as: c.customerId,
              body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl },
            });
          if (route === 12) await injectFault(kind, method, path(c.profileId));

          // Act
          const created =
            route === 12
              ? (await completesOrRetries(create, (r) => r.status === 201 || r.status === 200, kind)).last
              : await create();
          await t.sim.advance(KYC_NEW_MS);
          if (route === 15) await injectFault(kind, method, path(c.profileId));
          const askLink = () =>
            t.call('POST', `${reviews}/${created.body.id as string}/link`, { as: c.customerId, body: {} });
          const { last: link } =
            route === 15
              ? await completesOrRetries(askLink, (r) => r.status === 200, kind)
              : { last: await askLink() };

          // Assess
          expect([200, 201]).toContain(created.status);
          const atWise = (await t.state()).kycReviews.filter((r) => r.profileId === c.profileId);
          expect(atWise.map((r) => r.id)).toEqual([created.body.id]);
          expect(link.status, link.text).toBe(200);
          expect(link.body.url).toEqual(expect.any(String));
          const listed = await t.call('GET', reviews, { as: c.customerId });
          expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
        },
      );
    }
  }
});

describe('a slow Wise that acts after the product gave up waiting', () => {
  proves(
    'faults.kyc',
    'creating the review (one timeout, then Wise answers): still one Wise review for the trigger',
    async () => {
      // Prepare
      const c = await activeCustomer(t, 'slow-kyc');
      const redirectUrl = `${t.stack.deps['kyc-reviews'].config.allowedReturnUrls[0]}kyc/done`;
      await t.fault({
        method: 'POST',
        path: `/v1/profiles/${c.profileId}/kyc-reviews`,
        delayMs: SLOW_WISE_MS,
        times: 1,
      });

      // Act
      const { last } = await completesOrRetries(
        () =>
          t.call('POST', `${profilePath(c.customerId, c.profileId)}/kyc-reviews`, {
            as: c.customerId,
            body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl },
          }),
        (r) => r.status === 201 || r.status === 200,
        'timeout',
      );
      // The slow first attempt lands at Wise after the product stopped waiting for it.
      await t.wiseSettled();

      // Assess
      const atWise = (await t.state()).kycReviews.filter((r) => r.profileId === c.profileId);
      expect(atWise.map((r) => r.id)).toEqual([last.body.id]);
    },
  );
});

describe('a crash right after Wise answered, then the partner retries', () => {
  const signupCrashes = [
    { step: 'the signup', path: /^\/v1\/user\/signup\/registration_code$/, body: undefined },
    { step: 'the registration-code grant', path: /^\/oauth\/token$/, body: 'grant_type=registration_code' },
    { step: 'the personal profile', path: /^\/v2\/profiles\/personal-profile$/, body: undefined },
  ];
  for (const { step, path, body } of signupCrashes) {
    proves(
      'faults.crash',
      `signup, after ${step}: the retry completes with one Wise user and one profile`,
      async () => {
        // Prepare
        const { customerId, email } = freshCustomer('crash-signup');
        t.crasher.arm('POST', path, body);

        // Act
        const crashed = await t.call('POST', accountPath(customerId), {
          as: partner,
          body: customerBody(email),
        });
        t.crasher.disarm();
        const retried = await t.call('POST', accountPath(customerId), {
          as: partner,
          body: customerBody(email),
        });

        // Assess
        expect(t.crasher.reached).toBeGreaterThanOrEqual(1);
        expect(crashed.status).toBe(503);
        expect(retried.status, retried.text).toBe(201);
        await expectOneUserAndProfile(email, retried.body.wiseUserId);
      },
    );
  }

  proves(
    'faults.crash',
    'refresh, after Wise refreshed: the retry refreshes again and the customer keeps working tokens',
    async () => {
      // Prepare
      const c = await activeCustomer(t, 'crash-refresh');
      await makeTokensDue(t, c.customerId);
      t.crasher.arm('POST', /^\/oauth\/token$/, 'grant_type=refresh_token');
      const check = () =>
        t.call('POST', `${profilePath(c.customerId, c.profileId)}/verification-check`, {
          as: c.customerId,
          body: { sourceCurrencies: ['EUR'] },
        });

      // Act
      const crashed = await check();
      t.crasher.disarm();
      const retried = await check();

      // Assess
      expect(crashed.status).toBe(503);
      expect(retried.status, retried.text).toBe(200);
      expect((await t.call('GET', accountPath(c.customerId), { as: c.customerId })).body.status).toBe(
        'ACTIVE',
      );
    },
  );

  proves(
    'faults.crash',
    'linking, after Wise exchanged the code in route 17: no grant kept, and a new link completes',
    async () => {
      // Prepare
      const { customerId } = freshCustomer('crash-link');
      const user = await existingWiseUser(t);
      const returnUrl = `${t.stack.deps.oauth.config.allowedReturnUrls[0]}app/linked`;
      const authorized = await linkThroughCallback(t, customerId, user, returnUrl);
      t.crasher.arm('POST', /^\/oauth\/token$/, 'grant_type=authorization_code');

      // Act
      const crashed = await completeLink(t, customerId, authorized.result);
      const grantsAfterCrash = await t.stack.deps.oauth.grants.list(customerId);
      t.crasher.disarm();
      const sameResult = await completeLink(t, customerId, authorized.result);
      const relinked = await linkCustomer(t, customerId, user, returnUrl);

      // Assess: Wise used the code, so the kept result cannot link; a new link does.
      expect(crashed.status).toBe(503);
      expect(grantsAfterCrash).toEqual([]);
      expect(sameResult.body.code).toBe('LINK_RESULT_INVALID');
      expect(relinked.status, relinked.text).toBe(200);
      const account = await t.call('GET', accountPath(customerId), { as: customerId });
      expect(account.body).toMatchObject({ status: 'LINKED', wiseUserId: user.userId });
    },
  );

  proves(
    'faults.crash',
    'KYC review, after Wise created the review: the retry answers one review, the one Wise holds',
    async () => {
      // Prepare
      const c = await activeCustomer(t, 'crash-kyc');
      const redirectUrl = `${t.stack.deps['kyc-reviews'].config.allowedReturnUrls[0]}kyc/done`;
      const create = () =>
        t.call('POST', `${profilePath(c.customerId, c.profileId)}/kyc-reviews`, {
          as: c.customerId,
          body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl },
        });
      t.crasher.arm('POST', /^\/v1\/profiles\/\d+\/kyc-reviews$/);

      // Act
      const crashed = await create();
      t.crasher.disarm();
      const retried = await create();

      // Assess
      expect(crashed.status).toBe(503);
      expect([200, 201]).toContain(retried.status);
      const atWise = (await t.state()).kycReviews.filter((r) => r.profileId === c.profileId);
      expect(atWise.map((r) => r.id)).toEqual([retried.body.id]);
    },
  );

  proves(
    'faults.crash',
    'KYC link, after Wise issued the hosted link: the retry answers a new link, never the lost one',
    async () => {
      // Prepare
      const c = await activeCustomer(t, 'crash-kyc-link');
      const redirectUrl = `${t.stack.deps['kyc-reviews'].config.allowedReturnUrls[0]}kyc/done`;
      const reviews = `${profilePath(c.customerId, c.profileId)}/kyc-reviews`;
      const created = await t.call('POST', reviews, {
        as: c.customerId,
        body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl },
      });
      await t.sim.advance(KYC_NEW_MS);
      const askLink = () =>
        t.call('POST', `${reviews}/${created.body.id as string}/link`, { as: c.customerId, body: {} });
      t.crasher.arm('PATCH', /^\/v1\/profiles\/\d+\/kyc-reviews\/[^/]+$/);

      // Act
      const crashed = await askLink();
      t.crasher.disarm();
      const retried = await askLink();
      const again = await askLink();

      // Assess
      expect(crashed.status).toBe(503);
      expect(retried.status, retried.text).toBe(200);
      expect(retried.body.url).toEqual(expect.any(String));
      expect(again.body.url).not.toBe(retried.body.url);
      const atWise = (await t.state()).kycReviews.filter((r) => r.profileId === c.profileId);
      expect(atWise.map((r) => r.id)).toEqual([created.body.id]);
    },
  );
});

leakScanTest(() => t);
