import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorize,
  backTo,
  codeUnused,
  completeLink,
  decide,
  existingWiseUser,
  followToCallback,
  grantItems,
  itemsWithPrefix,
  partner,
  profileOwner,
  recordIdentity,
  startLink,
  startLinkingStack,
  tableDump,
  userTokensOf,
  type LinkingStack,
} from './linking-stack';

let t: LinkingStack;
let n = 0;
const customer = (label: string) => `${label}-${Date.now()}-${++n}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

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

const accountOf = (customerId: string) => t.stack.deps.oauth.accounts.get(customerId);

describe('starting a link (route 8)', () => {
  it('answers the authorize URL of the configured Wise web host and stores only the hash of the state', async () => {
    // Prepare
    const customerId = customer('start');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/app/done` },
    });

    // Assess
    expect(res.status, res.text).toBe(201);
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
    expect(dump).toContain(`LINKSTATE#${sha256(state)}`);
    expect((await accountOf(customerId))?.status).toBe('LINK_PENDING');
  });

  it('takes the redirect_uri from configuration, never from the request', async () => {
    // Prepare
    const customerId = customer('host');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });

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

  it('refuses with 409 IDENTITY_REQUIRED when nothing is on record, and stores nothing', async () => {
    // Prepare
    const customerId = customer('noid');

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/app/done` },
    });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDENTITY_REQUIRED');
    expect(await accountOf(customerId)).toBeUndefined();
    expect(await tableDump(t)).not.toContain(customerId);
  });

  it.each([
    ['another host', 'https://evil.example/app'],
    ['a look-alike host', 'http://localhost.evil.example/app'],
    ['userinfo', 'http://user@localhost:1/app'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['an encoded slash after a dot segment', '/app/..%2fadmin'],
    ['an encoded slash', '/app%2F..%2Fadmin'],
    ['an encoded backslash', '/app/..%5cadmin'],
    ['a backslash', '/app\\..\\admin'],
    ['a dot segment', '/app/../admin'],
    ['an encoded dot segment', '/app/%2e%2e/admin'],
    ['a double-encoded slash', '/app/..%252fadmin'],
  ])(
    'refuses a return URL off the allowlist or with a path trick (%s): RETURN_URL_NOT_ALLOWED, nothing stored',
    async (_label, target) => {
      // Prepare
      const customerId = customer('allow');
      await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });
      const returnUrl = target.startsWith('/') ? `${t.publicUrl}${target}` : target;
      const statesBefore = (await itemsWithPrefix(t, 'LINKSTATE#')).length;

      // Act
      const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
        as: customerId,
        body: { returnUrl },
      });

      // Assess
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(['RETURN_URL_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(res.body.code);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('returnUrl');
      expect(await accountOf(customerId)).toBeUndefined();
      expect((await itemsWithPrefix(t, 'LINKSTATE#')).length).toBe(statesBefore);
    },
  );

  it('stores and redirects to the normalised return URL, not the raw input', async () => {
    // Prepare
    const customerId = customer('normal');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const port = new URL(t.publicUrl).port;

    // Act
    const { authorizeUrl } = await startLink(t, customerId, {
      returnUrl: `HTTP://LocalHost:${port}/app/Linked?x=1`,
    });
    const back = backTo(await followToCallback(t, await decide(t, authorizeUrl, user)));

    // Assess
    expect(`${back.origin}${back.pathname}`).toBe(`http://localhost:${port}/app/Linked`);
    const stored = (await itemsWithPrefix(t, 'LINKSTATE#')).map((i) => i.returnUrl);
    expect(stored).not.toContain(`HTTP://LocalHost:${port}/app/Linked?x=1`);
  });

  it('refuses a date of birth from the caller (the identity on record is what counts) and names every bad field', async () => {
    // Prepare
    const customerId = customer('bad');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });

    // Act
    const res = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/ok`, dateOfBirth: '1988-04-12', claimAccount: 'yes' },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'claimAccount',
      'dateOfBirth',
    ]);
  });

  it('refuses another customer with 403 and the claim variant for an account this service did not create with 409', async () => {
    // Prepare
    const customerId = customer('guard');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });

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

  it('does not replay an answer by Idempotency-Key: each call issues a new state, and no record keeps one', async () => {
    // Prepare
    const customerId = customer('idem');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });
    const call = () =>
      t.call('POST', `/v1/customers/${customerId}/wise-link`, {
        as: customerId,
        body: { returnUrl: `${t.publicUrl}/ok` },
        headers: { 'idempotency-key': `k-${customerId}` },
      });

    // Act
    const first = await call();
    const second = await call();

    // Assess
    const stateOf = (r: { body: { authorizeUrl: string } }) =>
      new URL(r.body.authorizeUrl).searchParams.get('state');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(stateOf(first)).not.toBe(stateOf(second));
    expect(await itemsWithPrefix(t, `IDEMPOTENCY#${customerId}`)).toEqual([]);
  });
});

describe('the callback (route 9)', () => {
  it('keeps the code encrypted behind a one-time result, obtains no Wise token, and sends the browser back', async () => {
    // Prepare
    const customerId = customer('cb');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { authorizeUrl } = await startLink(t, customerId);
    const location = await decide(t, authorizeUrl, user);
    const code = location.searchParams.get('code') ?? '';

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    expectCallbackHeaders(answer.headers);
    const back = backTo(answer);
    expect(`${back.origin}${back.pathname}`).toBe(`${t.publicUrl}/app/linked`);
    expect(back.searchParams.get('from')).toBe('test');
    expect(back.searchParams.get('status')).toBe('authorized');
    expect(back.searchParams.get('profileId')).toBe(String(user.profileId));
    const result = back.searchParams.get('result') ?? '';
    expect(Buffer.from(result, 'base64url').length).toBe(32);
    expect(await codeUnused(t, code)).toBe(true);
    expect(await userTokensOf(t, user.userId)).toEqual([]);
    const dump = await tableDump(t);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(result);
    expect(dump).toContain(`LINKRESULT#${sha256(result)}`);
    expect(await grantItems(t, customerId)).toEqual([]);
    expect((await accountOf(customerId))?.status).toBe('LINK_PENDING');
  });

  it('refuses a replayed callback with a 400 page, without a redirect and without a second result', async () => {
    // Prepare
    const customerId = customer('replay');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { authorizeUrl } = await startLink(t, customerId);
    const location = await decide(t, authorizeUrl, user);
    backTo(await followToCallback(t, location));
    const results = (await itemsWithPrefix(t, 'LINKRESULT#')).length;

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
    expect((await itemsWithPrefix(t, 'LINKRESULT#')).length).toBe(results);
  });

  it('refuses an unknown or missing state with a page and reflects nothing from the query', async () => {
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

  it('refuses an expired state (31 minutes) with expired_state and keeps no code', async () => {
    // Prepare
    const customerId = customer('expired');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { authorizeUrl } = await startLink(t, customerId);
    const location = await decide(t, authorizeUrl, user);
    const code = location.searchParams.get('code') ?? '';
    t.clock.advance(31 * 60 * 1000);

    // Act
    const answer = await followToCallback(t, location);

    // Assess
    expectCallbackHeaders(answer.headers);
    const back = backTo(answer);
    expect(back.searchParams.get('status')).toBe('error');
    expect(back.searchParams.get('reason')).toBe('expired_state');
    expect(back.searchParams.has('result')).toBe(false);
    expect(await codeUnused(t, code)).toBe(true);
    expect(await userTokensOf(t, user.userId)).toEqual([]);
    expect((await accountOf(customerId))?.status).toBe('LINK_PENDING');
  });

  it('sends the customer back with access_denied when they deny, and shows a way back when Wise omits the state', async () => {
    // Prepare
    const customerId = customer('deny');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const first = await startLink(t, customerId);
    const second = await startLink(t, customerId);

    // Act
    const withState = await followToCallback(
      t,
      await decide(t, first.authorizeUrl, user, 'deny', { errorState: 'echo' }),
    );
    const withoutState = await followToCallback(
      t,
      await decide(t, second.authorizeUrl, user, 'deny', { errorState: 'omit' }),
    );

    // Assess
    const back = backTo(withState);
    expect(back.searchParams.get('status')).toBe('error');
    expect(back.searchParams.get('reason')).toBe('access_denied');
    expect(back.search).not.toContain('denied%20access');
    expect(withoutState.status).toBe(400);
    expect(withoutState.headers.get('location')).toBeNull();
    expect(withoutState.text).toContain('Go back to the app');
    expect(await grantItems(t, customerId)).toEqual([]);
  });
});

describe('completing a link (route 17)', () => {
  it('exchanges the code, keeps one grant for the chosen profile, and the customer is LINKED with access', async () => {
    // Prepare
    const customerId = customer('full');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { result } = await authorize(t, customerId, user);

    // Act
    const res = await completeLink(t, customerId, result);

    // Assess
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'LINKED', profileId: user.profileId });
    const account = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    expect(account.body).toMatchObject({ status: 'LINKED', wiseUserId: user.userId });
    expect(account.body.profiles).toEqual([
      expect.objectContaining({ id: user.profileId, type: 'PERSONAL', access: 'GRANTED' }),
    ]);
    const issued = await userTokensOf(t, user.userId);
    expect(issued).toHaveLength(1);
    expect(issued[0]?.profileIds).toEqual([user.profileId]);
    const dump = await tableDump(t);
    expect(dump).not.toContain(issued[0]?.access_token);
    expect(dump).not.toContain(issued[0]?.refresh_token);
    expect(await profileOwner(t, user.profileId)).toBe(customerId);
    expect(await itemsWithPrefix(t, `LINKRESULT#${sha256(result)}`)).toEqual([]);
    const check = await t.call(
      'POST',
      `/v1/customers/${customerId}/wise-account/profiles/${user.profileId}/verification-check`,
      {
        as: customerId,
        body: { sourceCurrencies: ['GBP'] },
      },
    );
    expect(check.status, check.text).toBe(200);
  });

  it('answers a used, unknown or expired result with 400 LINK_RESULT_INVALID and exchanges nothing more', async () => {
    // Prepare
    const customerId = customer('used');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const used = await authorize(t, customerId, user);
    expect((await completeLink(t, customerId, used.result)).status).toBe(200);
    const late = await authorize(t, customerId, user);
    t.clock.advance(10 * 60 * 1000);

    // Act
    const again = await completeLink(t, customerId, used.result);
    const unknown = await completeLink(t, customerId, 'A'.repeat(43));
    const expired = await completeLink(t, customerId, late.result);

    // Assess
    for (const r of [again, unknown, expired]) {
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('LINK_RESULT_INVALID');
    }
    expect(await codeUnused(t, late.code)).toBe(true);
    expect(await userTokensOf(t, user.userId)).toHaveLength(1);
  });

  it("refuses a cross-customer completion with the victim's and the attacker's session; no Wise token is obtained", async () => {
    // Prepare: the attacker starts a link and sends the genuine authorize URL to the victim, who consents.
    const attacker = customer('attacker');
    const victim = customer('victim');
    const victimPerson = await existingWiseUser(t, '1999-09-09');
    await recordIdentity(t, attacker, { dateOfBirth: '1980-01-01' });
    await recordIdentity(t, victim, { dateOfBirth: victimPerson.dateOfBirth });
    const { authorizeUrl } = await startLink(t, attacker);
    const location = await decide(t, authorizeUrl, victimPerson);
    const code = location.searchParams.get('code') ?? '';
    // The callback sends the victim's browser, with the result, back to the partner's app.
    const result = backTo(await followToCallback(t, location)).searchParams.get('result') ?? '';

    // Act: the app completes in the victim's own session; the attacker never got the result.
    const asVictim = await completeLink(t, victim, result);
    const asAttacker = await completeLink(t, attacker, 'B'.repeat(43));
    const attackerOnVictim = await completeLink(t, victim, result, attacker);

    // Assess
    expect(asVictim.status).toBe(400);
    expect(asVictim.body.code).toBe('LINK_RESULT_INVALID');
    expect(asAttacker.status).toBe(400);
    expect(asAttacker.body.code).toBe('LINK_RESULT_INVALID');
    expect(attackerOnVictim.status).toBe(403);
    expect(await codeUnused(t, code)).toBe(true);
    expect(await userTokensOf(t, victimPerson.userId)).toEqual([]);
    expect(await grantItems(t, attacker)).toEqual([]);
    expect(await grantItems(t, victim)).toEqual([]);
    expect((await accountOf(attacker))?.status).toBe('LINK_PENDING');
    expect(await profileOwner(t, victimPerson.profileId)).toBeUndefined();
  });

  it('lets the partner backend complete for the customer', async () => {
    // Prepare
    const customerId = customer('bybackend');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { result } = await authorize(t, customerId, user);

    // Act
    const res = await completeLink(t, customerId, result, partner);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('LINKED');
  });

  it('rejects a profile that is not the customer on record: 422 IDENTITY_MISMATCH, LINK_REJECTED, no grant', async () => {
    // Prepare
    const customerId = customer('mismatch');
    const user = await existingWiseUser(t, '1975-11-30');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });
    const { result } = await authorize(t, customerId, user);

    // Act
    const res = await completeLink(t, customerId, result);

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDENTITY_MISMATCH');
    expect(await grantItems(t, customerId)).toEqual([]);
    const account = await accountOf(customerId);
    expect(account?.status).toBe('LINK_REJECTED');
    expect(account?.profiles).toEqual([]);
    expect(await profileOwner(t, user.profileId)).toBeUndefined();
    expect((await completeLink(t, customerId, result)).body.code).toBe('LINK_RESULT_INVALID');
  });

  it('links a business profile whose registration number matches, and refuses a different one with IDENTITY_MISMATCH', async () => {
    // Prepare
    const matching = customer('biz');
    const other = customer('bizother');
    const owner = await existingWiseUser(t);
    const otherOwner = await existingWiseUser(t);
    const business = await t.sim_('POST', `/_sim/users/${owner.userId}/business-profiles`, {
      businessName: 'Lovelace Engines',
      registrationNumber: 'HRB 12345',
    });
    const otherBusiness = await t.sim_('POST', `/_sim/users/${otherOwner.userId}/business-profiles`, {
      businessName: 'Babbage Mills',
      registrationNumber: 'HRB 99999',
    });
    await recordIdentity(t, matching, { registrationNumber: 'hrb-12345' });
    await recordIdentity(t, other, { registrationNumber: 'HRB 12345' });
    const a = await authorize(t, matching, owner, { profileId: business.body.profileId });
    const b = await authorize(t, other, otherOwner, { profileId: otherBusiness.body.profileId });

    // Act
    const linked = await completeLink(t, matching, a.result);
    const refused = await completeLink(t, other, b.result);

    // Assess
    expect(linked.status, linked.text).toBe(200);
    expect(linked.body).toEqual({ status: 'LINKED', profileId: business.body.profileId });
    expect((await accountOf(matching))?.profiles).toEqual([
      expect.objectContaining({ id: business.body.profileId, type: 'BUSINESS' }),
    ]);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('IDENTITY_MISMATCH');
    expect(await grantItems(t, other)).toEqual([]);
  });

  it('refuses with 422 IDENTITY_UNVERIFIABLE when nothing is on record for the profile type', async () => {
    // Prepare: a date of birth on record, but the customer grants a business profile.
    const customerId = customer('unverifiable');
    const user = await existingWiseUser(t);
    const business = await t.sim_('POST', `/_sim/users/${user.userId}/business-profiles`, {
      businessName: 'Ada Analytics',
      registrationNumber: '0800-111',
    });
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { result } = await authorize(t, customerId, user, { profileId: business.body.profileId });

    // Act
    const res = await completeLink(t, customerId, result);

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDENTITY_UNVERIFIABLE');
    expect(await grantItems(t, customerId)).toEqual([]);
  });

  it('links the personal then the business profile of one Wise user: both answer route 5', async () => {
    // Prepare
    const customerId = customer('two');
    const user = await existingWiseUser(t);
    const business = await t.sim_('POST', `/_sim/users/${user.userId}/business-profiles`, {
      businessName: 'Two Profiles Ltd',
      registrationNumber: 'SC-424242',
    });
    const businessId = business.body.profileId as number;
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth, registrationNumber: 'SC424242' });

    // Act
    const personal = await completeLink(t, customerId, (await authorize(t, customerId, user)).result);
    const second = await completeLink(
      t,
      customerId,
      (await authorize(t, customerId, user, { profileId: businessId })).result,
    );

    // Assess
    expect(personal.body).toEqual({ status: 'LINKED', profileId: user.profileId });
    expect(second.body).toEqual({ status: 'LINKED', profileId: businessId });
    for (const profileId of [user.profileId, businessId]) {
      const check = await t.call(
        'POST',
        `/v1/customers/${customerId}/wise-account/profiles/${profileId}/verification-check`,
        {
          as: customerId,
          body: { sourceCurrencies: ['GBP'] },
        },
      );
      expect(check.status, `route 5 for ${profileId}: ${check.text}`).toBe(200);
    }
    const account = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    expect(account.body.profiles.map((p: { id: number; access: string }) => [p.id, p.access])).toEqual([
      [user.profileId, 'GRANTED'],
      [businessId, 'GRANTED'],
    ]);
    expect((await userTokensOf(t, user.userId)).map((x) => x.profileIds)).toEqual([
      [user.profileId],
      [businessId],
    ]);
  });

  it('refuses a Wise profile already linked to another customer with 409 PROFILE_LINKED_ELSEWHERE', async () => {
    // Prepare: A links; B (same date of birth on record) presents A's Wise login.
    const customerA = customer('holderA');
    const customerB = customer('holderB');
    const person = await existingWiseUser(t);
    await recordIdentity(t, customerA, { dateOfBirth: person.dateOfBirth });
    await recordIdentity(t, customerB, { dateOfBirth: person.dateOfBirth });
    expect((await completeLink(t, customerA, (await authorize(t, customerA, person)).result)).status).toBe(
      200,
    );
    const { result } = await authorize(t, customerB, person);

    // Act
    const res = await completeLink(t, customerB, result);

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PROFILE_LINKED_ELSEWHERE');
    expect(await grantItems(t, customerB)).toEqual([]);
    expect(await profileOwner(t, person.profileId)).toBe(customerA);
    expect((await accountOf(customerA))?.status).toBe('LINKED');
  });

  it('never moves a LINKED account to another Wise user: 409 LINKED_TO_ANOTHER_WISE_USER, the first link keeps working', async () => {
    // Prepare
    const customerId = customer('otheruser');
    const first = await existingWiseUser(t);
    const second = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: first.dateOfBirth });
    expect((await completeLink(t, customerId, (await authorize(t, customerId, first)).result)).status).toBe(
      200,
    );
    const { result } = await authorize(t, customerId, second);

    // Act
    const res = await completeLink(t, customerId, result);

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('LINKED_TO_ANOTHER_WISE_USER');
    expect(await accountOf(customerId)).toMatchObject({ status: 'LINKED', wiseUserId: first.userId });
    expect((await grantItems(t, customerId)).length).toBe(1);
    expect(await profileOwner(t, second.profileId)).toBeUndefined();
  });

  it('keeps the result usable when Wise does not answer the exchange, and the retry links', async () => {
    // Prepare
    const customerId = customer('outage');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const { result } = await authorize(t, customerId, user);
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', status: 503, times: 10 });

    // Act
    const during = await completeLink(t, customerId, result);
    await t.sim_('DELETE', '/_sim/faults');
    const after = await completeLink(t, customerId, result);

    // Assess
    expect(during.status).toBe(503);
    expect(during.body.code).toBe('WISE_UNAVAILABLE');
    expect(during.headers.get('retry-after')).toBeTruthy();
    expect(after.status, after.text).toBe(200);
    expect(after.body.status).toBe('LINKED');
  });
});

describe('the identity on record (route 18)', () => {
  it('keeps only keyed digests, answers what is on record, and is for the partner backend only', async () => {
    // Prepare
    const customerId = customer('identity');

    // Act
    const recorded = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
      as: partner,
      body: { dateOfBirth: '1971-03-14', registrationNumber: 'FR 552 100 554' },
    });
    const forgotten = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
      as: partner,
      body: { registrationNumber: null },
    });
    const byCustomer = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
      as: customerId,
      body: { dateOfBirth: '1990-01-01' },
    });
    const empty = await t.call('PUT', `/v1/customers/${customerId}/identity`, { as: partner, body: {} });
    const badDate = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
      as: partner,
      body: { dateOfBirth: '1971-02-30' },
    });

    // Assess
    expect(recorded.status).toBe(200);
    expect(recorded.body).toEqual({ customerId, dateOfBirth: true, registrationNumber: true });
    expect(forgotten.body).toEqual({ customerId, dateOfBirth: true, registrationNumber: false });
    expect(byCustomer.status).toBe(403);
    expect(byCustomer.body.code).toBe('FORBIDDEN');
    expect(empty.status).toBe(400);
    expect(badDate.status).toBe(400);
    const dump = await tableDump(t);
    for (const plain of ['1971-03-14', '19710314', 'FR 552 100 554', 'FR552100554', '1990-01-01'])
      expect(dump).not.toContain(plain);
    const item = await t.stack.deps.oauth.identities.summary(customerId);
    expect(item).toEqual({ dateOfBirth: true, registrationNumber: false });
  });
});

describe('disconnecting (route 19)', () => {
  it('forgets every grant, answers 204 also when repeated, lists the profiles with access NONE, and route 8 links again', async () => {
    // Prepare
    const customerId = customer('disconnect');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    expect((await completeLink(t, customerId, (await authorize(t, customerId, user)).result)).status).toBe(
      200,
    );
    const pending = await authorize(t, customerId, user);

    // Act
    const first = await t.call('DELETE', `/v1/customers/${customerId}/wise-link`, { as: customerId });
    const repeated = await t.call('DELETE', `/v1/customers/${customerId}/wise-link`, { as: partner });
    const between = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    const stale = await completeLink(t, customerId, pending.result);
    const relinked = await completeLink(t, customerId, (await authorize(t, customerId, user)).result);

    // Assess
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    expect(repeated.status).toBe(204);
    expect(between.body.status).toBe('DISCONNECTED');
    expect(between.body.profiles).toEqual([expect.objectContaining({ id: user.profileId, access: 'NONE' })]);
    expect(stale.body.code).toBe('LINK_RESULT_INVALID');
    expect(relinked.status, relinked.text).toBe(200);
    const after = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    expect(after.body.status).toBe('LINKED');
    expect(after.body.profiles).toEqual([expect.objectContaining({ id: user.profileId, access: 'GRANTED' })]);
    expect((await grantItems(t, customerId)).length).toBe(1);
  });

  it('answers 204 for a customer never seen, and stores nothing', async () => {
    // Prepare
    const customerId = customer('never');

    // Act
    const res = await t.call('DELETE', `/v1/customers/${customerId}/wise-link`, { as: customerId });

    // Assess
    expect(res.status).toBe(204);
    expect(await accountOf(customerId)).toBeUndefined();
  });
});
