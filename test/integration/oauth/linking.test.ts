import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decide,
  existingWiseUser,
  followToCallback,
  linkCustomer,
  simState,
  startLink,
  startLinkingStack,
  tableDump,
  tokensItem,
  type LinkingStack,
} from './linking-stack';

let t: LinkingStack;
let n = 0;
const customer = (label: string) => `${label}-${Date.now()}-${++n}`;

beforeAll(async () => {
  t = await startLinkingStack();
});
afterAll(async () => {
  await t?.close();
});

const expectCallbackHeaders = (headers: Headers) => {
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
};

describe('starting a link (route 8)', () => {
  it('answers with the authorize URL of the configured Wise web host and stores only the hash of the state', async () => {
    // Prepare
    const customerId = customer('start');

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/app/done`, dateOfBirth: '1988-04-12' },
    });

    // Assess
    expect(res.status).toBe(201);
    const url = new URL(res.body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${t.sim.url}/oauth/authorize/`);
    expect(url.searchParams.get('client_id')).toBe('local-partner');
    expect(url.searchParams.get('redirect_uri')).toBe(t.callbackUrl);
    expect(url.searchParams.has('claim_account_code')).toBe(false);
    const state = url.searchParams.get('state') ?? '';
    expect(Buffer.from(state, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(Date.parse(res.body.expiresAt) - t.clock.now()).toBe(30 * 60 * 1000);
    const dump = await tableDump(t);
    expect(dump).not.toContain(state);
    expect(dump).toContain(`LINKSTATE#${createHash('sha256').update(state).digest('hex')}`);
    const account = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    if (account.status === 200) expect(account.body.status).toBe('LINK_PENDING');
    expect((await t.stack.deps.oauth.accounts.get(customerId))?.status).toBe('LINK_PENDING');
  });

  it('takes the redirect_uri from configuration, never from the request', async () => {
    // Prepare
    const customerId = customer('host');

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/app/done` },
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });

    // Assess
    expect(res.status).toBe(201);
    expect(new URL(res.body.authorizeUrl).searchParams.get('redirect_uri')).toBe(t.callbackUrl);
  });

  it.each([
    ['another host', 'https://evil.example/app'],
    ['a look-alike host', 'http://localhost.evil.example/app'],
    ['userinfo', 'http://user@localhost:1/app'],
    ['a javascript URL', 'javascript:alert(1)'],
  ])('refuses a return URL off the allowlist (%s) with RETURN_URL_NOT_ALLOWED and stores nothing', async (_label, returnUrl) => {
    // Prepare
    const customerId = customer('allow');

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, { as: customerId, body: { returnUrl } });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(['RETURN_URL_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(res.body.code);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('returnUrl');
    expect(await t.stack.deps.oauth.accounts.get(customerId)).toBeUndefined();
  });

  it('names every bad field: a malformed date of birth and a non-boolean claim flag', async () => {
    // Prepare
    const customerId = customer('bad');

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/ok`, dateOfBirth: '1990-02-30', claimAccount: 'yes' },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['claimAccount', 'dateOfBirth']);
  });

  it('refuses another customer with 403 and the claim variant for an account this service did not create with 409', async () => {
    // Prepare
    const customerId = customer('guard');

    // Act
    const other = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customer('intruder'),
      body: { returnUrl: `${t.publicUrl}/ok` },
    });
    const claim = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/ok`, claimAccount: true },
    });

    // Assess
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('FORBIDDEN');
    expect(claim.status).toBe(409);
    expect(claim.body.code).toBe('CLAIM_NOT_AVAILABLE');
  });
});

describe('the callback (route 9)', () => {
  it('completes a full link: tokens stored encrypted, profile recorded, LINKED, 302 to the return URL', async () => {
    // Prepare
    const customerId = customer('full');
    const user = await existingWiseUser(t);
    const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: user.dateOfBirth });
    const location = await decide(t, authorizeUrl, user);

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    expect(answer.status).toBe(302);
    expectCallbackHeaders(answer.headers);
    const back = new URL(answer.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(`${t.publicUrl}/app/linked`);
    expect(back.searchParams.get('from')).toBe('test');
    expect(back.searchParams.get('status')).toBe('linked');
    expect(back.searchParams.get('profileId')).toBe(String(user.profileId));
    const account = await t.stack.deps.oauth.accounts.get(customerId);
    expect(account).toMatchObject({ status: 'LINKED', origin: 'LINKED', wiseUserId: user.userId });
    expect(account?.profiles.map((p) => p.id)).toEqual([user.profileId]);
    expect(await t.stack.deps.webhooks.accounts.customerOfProfile(user.profileId)).toBe(customerId);
    const issued = (await simState(t)).tokens.filter((x: { kind: string; userId?: number }) => x.kind === 'user' && x.userId === user.userId);
    expect(issued).toHaveLength(1);
    const dump = await tableDump(t);
    expect(dump).not.toContain(issued[0].access_token);
    expect(dump).not.toContain(issued[0].refresh_token);
    expect(await t.stack.deps.oauth.tokens.accessToken(customerId)).toBe(issued[0].access_token);
  });

  it('refuses a replayed callback with a 400 page, without a redirect and without a second exchange', async () => {
    // Prepare
    const customerId = customer('replay');
    const user = await existingWiseUser(t);
    const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: user.dateOfBirth });
    const location = await decide(t, authorizeUrl, user);
    expect((await followToCallback(t, location)).status).toBe(302);

    // Act
    const replay = await followToCallback(t, location);

    // Assess
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
    expect(replay.headers.get('content-type')).toContain('text/html');
    expect(replay.headers.get('content-security-policy')).toContain("default-src 'none'");
    expectCallbackHeaders(replay.headers);
    expect(replay.text).not.toContain(location.searchParams.get('code') ?? '<none>');
    expect(replay.text).not.toContain(location.searchParams.get('state') ?? '<none>');
    const issued = (await simState(t)).tokens.filter((x: { kind: string; userId?: number }) => x.kind === 'user' && x.userId === user.userId);
    expect(issued).toHaveLength(1);
  });

  it('refuses an unknown or missing state with the same page and reflects nothing from the query', async () => {
    // Prepare
    const probe = '<script>alert(1)</script>';
    const paths = [
      `/v1/oauth/callback?state=${encodeURIComponent(probe)}&code=${encodeURIComponent(probe)}`,
      `/v1/oauth/callback?code=abc&profileId=1`,
      `/v1/oauth/callback?error=${encodeURIComponent(probe)}&error_description=${encodeURIComponent(probe)}`,
      `/v1/oauth/callback?state=${'x'.repeat(5000)}`,
    ];

    // Act
    const answers = await Promise.all(paths.map((p) => t.call('GET', p)));

    // Assess
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(a.headers.get('location')).toBeNull();
      expectCallbackHeaders(a.headers);
      expect(a.text).not.toContain('<script');
      expect(a.text).not.toContain('alert(1)');
    }
  });

  it('refuses an expired state (31 minutes) with expired_state and never calls Wise', async () => {
    // Prepare
    const customerId = customer('expired');
    const user = await existingWiseUser(t);
    const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: user.dateOfBirth });
    const location = await decide(t, authorizeUrl, user);
    const code = location.searchParams.get('code');
    t.clock.advance(31 * 60 * 1000);

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    expect(answer.status).toBe(302);
    expectCallbackHeaders(answer.headers);
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('status')).toBe('error');
    expect(back.searchParams.get('reason')).toBe('expired_state');
    const state = await simState(t);
    expect(state.authorizationCodes.find((c: { code: string }) => c.code === code)).toMatchObject({ used: false });
    expect(state.tokens.filter((x: { userId?: number }) => x.userId === user.userId)).toHaveLength(0);
    expect(await tokensItem(t, customerId)).toBeUndefined();
    expect((await t.stack.deps.oauth.accounts.get(customerId))?.status).toBe('LINK_PENDING');
  });

  it('sends the customer back with access_denied when they deny access at Wise', async () => {
    // Prepare
    const customerId = customer('deny');
    const user = await existingWiseUser(t);
    const { authorizeUrl } = await startLink(t, customerId);
    const location = await decide(t, authorizeUrl, user, 'deny');

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    expect(answer.status).toBe(302);
    expectCallbackHeaders(answer.headers);
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('status')).toBe('error');
    expect(back.searchParams.get('reason')).toBe('access_denied');
    expect(back.search).not.toContain('denied%20access');
    expect(await tokensItem(t, customerId)).toBeUndefined();
  });

  it('rejects a Wise profile whose date of birth is not the partner\'s: tokens dropped, LINK_REJECTED, identity_mismatch', async () => {
    // Prepare
    const customerId = customer('mismatch');
    const user = await existingWiseUser(t, '1975-11-30');
    const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: '1988-04-12' });
    const location = await decide(t, authorizeUrl, user);

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('status')).toBe('error');
    expect(back.searchParams.get('reason')).toBe('identity_mismatch');
    expect(back.searchParams.has('profileId')).toBe(false);
    expect(await tokensItem(t, customerId)).toBeUndefined();
    const account = await t.stack.deps.oauth.accounts.get(customerId);
    expect(account?.status).toBe('LINK_REJECTED');
    expect(account?.profiles).toEqual([]);
    expect(await t.stack.deps.webhooks.accounts.customerOfProfile(user.profileId)).toBeUndefined();
  });

  it('answers exchange_failed when Wise fails the code exchange, and keeps nothing', async () => {
    // Prepare
    const customerId = customer('exchange');
    const user = await existingWiseUser(t);
    const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: user.dateOfBirth });
    const location = await decide(t, authorizeUrl, user);
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', status: 503, times: 1 });

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    await t.sim_('DELETE', '/_sim/faults');
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('reason')).toBe('exchange_failed');
    expect(await tokensItem(t, customerId)).toBeUndefined();
    expect((await t.stack.deps.oauth.accounts.get(customerId))?.status).toBe('LINK_PENDING');
  });

  it('answers exchange_failed for a code Wise already consumed', async () => {
    // Prepare: the code is redeemed elsewhere first (a leaked code), then the real callback arrives.
    const customerId = customer('usedcode');
    const user = await existingWiseUser(t);
    const { authorizeUrl } = await startLink(t, customerId, { dateOfBirth: user.dateOfBirth });
    const location = await decide(t, authorizeUrl, user);
    await t.stack.deps.oauth.wise.authorizationCodeToken(location.searchParams.get('code') ?? '', t.callbackUrl);

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('status')).toBe('error');
    expect(back.searchParams.get('reason')).toBe('exchange_failed');
    expect(await tokensItem(t, customerId)).toBeUndefined();
  });
});

describe('a state is bound to the customer it was issued for', () => {
  it('links only customer A with A\'s state, and refuses it when someone else\'s Wise account answers it', async () => {
    // Prepare: A starts a link; B (another person with a Wise account) completes A's authorize URL.
    const customerA = customer('A');
    const customerB = customer('B');
    const personA = await existingWiseUser(t, '1980-01-01');
    const personB = await existingWiseUser(t, '1999-09-09');
    const { authorizeUrl } = await startLink(t, customerA, { dateOfBirth: personA.dateOfBirth });

    // Act
    const answer = await followToCallback(t, await decide(t, authorizeUrl, personB));

    // Assess: nothing of B's reaches A, and B's customer record is untouched.
    expect(new URL(answer.headers.get('location') ?? '').searchParams.get('reason')).toBe('identity_mismatch');
    expect((await t.stack.deps.oauth.accounts.get(customerA))?.status).toBe('LINK_REJECTED');
    expect(await tokensItem(t, customerA)).toBeUndefined();
    expect(await t.stack.deps.oauth.accounts.get(customerB)).toBeUndefined();
    expect(await tokensItem(t, customerB)).toBeUndefined();
  });

  it('refuses to link customer B to a Wise profile customer A already holds', async () => {
    // Prepare: A links; B then presents A's Wise login (no date of birth given for B).
    const customerA = customer('holderA');
    const customerB = customer('holderB');
    const personA = await existingWiseUser(t);
    const linked = await linkCustomer(t, customerA, personA);
    expect(linked.searchParams.get('status')).toBe('linked');
    const { authorizeUrl } = await startLink(t, customerB);

    // Act
    const answer = await followToCallback(t, await decide(t, authorizeUrl, personA));

    // Assess
    expect(new URL(answer.headers.get('location') ?? '').searchParams.get('reason')).toBe('identity_mismatch');
    expect(await tokensItem(t, customerB)).toBeUndefined();
    expect(await t.stack.deps.webhooks.accounts.customerOfProfile(personA.profileId)).toBe(customerA);
    expect((await t.stack.deps.oauth.accounts.get(customerA))?.status).toBe('LINKED');
  });
});

describe('the email fallback (route 10)', () => {
  it('links with a code Wise emailed to the customer after a signup found the email taken', async () => {
    // Prepare: the partner tried to sign the customer up; Wise already knows the email and emails a code.
    const customerId = customer('email');
    const user = await existingWiseUser(t);
    const d = t.stack.deps.oauth;
    const clientToken = (await d.wise.clientCredentialsToken()).access_token;
    await d.wise
      .signupWithRegistrationCode(clientToken, { email: user.email, registrationCode: 'r'.repeat(40), sendAuthorizationCodeAsEmail: true })
      .catch(() => undefined);
    const emailed = (await simState(t)).emailedAuthorizationCodes.find((e: { email: string }) => e.email === user.email);
    expect(emailed).toBeDefined();

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link/code`, {
      as: customerId,
      body: { code: emailed.code, dateOfBirth: user.dateOfBirth },
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'LINKED', profileId: user.profileId });
    expect(await t.stack.deps.oauth.accounts.get(customerId)).toMatchObject({ status: 'LINKED', wiseUserId: user.userId });
    expect(await t.stack.deps.oauth.tokens.has(customerId)).toBe(true);
  });

  it('checks the date of birth of the customer\'s latest link when the body gives none', async () => {
    // Prepare
    const customerId = customer('emaildob');
    const user = await existingWiseUser(t, '1970-07-07');
    await startLink(t, customerId, { dateOfBirth: '1988-04-12' });
    const location = await decide(t, new URL(`${t.sim.url}/oauth/authorize/?client_id=local-partner&redirect_uri=${encodeURIComponent(t.callbackUrl)}`), user);

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link/code`, {
      as: customerId,
      body: { code: location.searchParams.get('code') },
    });

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDENTITY_MISMATCH');
    expect(await tokensItem(t, customerId)).toBeUndefined();
    expect((await t.stack.deps.oauth.accounts.get(customerId))?.status).toBe('LINK_REJECTED');
  });

  it('refuses a wrong or already used code with 422 LINK_CODE_REJECTED, and malformed input with 400', async () => {
    // Prepare
    const customerId = customer('badcode');
    const user = await existingWiseUser(t);
    const location = await decide(t, new URL(`${t.sim.url}/oauth/authorize/?client_id=local-partner&redirect_uri=${encodeURIComponent(t.callbackUrl)}`), user);
    const code = location.searchParams.get('code');
    expect((await t.call('POST', `/v1/customers/${customer('first')}/wise-link/code`, { as: 'x', body: { code } })).status).toBe(403);
    await t.stack.deps.oauth.wise.authorizationCodeToken(code ?? '', t.callbackUrl);

    // Act
    const used = await t.call('POST', `/v1/customers/${customerId}/wise-link/code`, { as: customerId, body: { code } });
    const wrong = await t.call('POST', `/v1/customers/${customerId}/wise-link/code`, { as: customerId, body: { code: 'NOTACODE123' } });
    const malformed = await t.call('POST', `/v1/customers/${customerId}/wise-link/code`, {
      as: customerId,
      body: { code: '<b>x</b> y', dateOfBirth: 'yesterday' },
    });

    // Assess
    for (const r of [used, wrong]) {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('LINK_CODE_REJECTED');
      expect(r.text).not.toContain(code ?? '<none>');
    }
    expect(malformed.status).toBe(400);
    expect([...new Set(malformed.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['code', 'dateOfBirth']);
    expect(await tokensItem(t, customerId)).toBeUndefined();
  });
});
