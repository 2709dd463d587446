import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeUnused,
  decide,
  existingWiseUser,
  grantItems,
  recordIdentity,
  simState,
  startLinkingStack,
  userTokensOf,
  type LinkingStack,
  type WiseUser,
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

const withCode = (customerId: string, code: string | null, as: string = customerId) =>
  t.call('POST', `/v1/customers/${customerId}/wise-link/code`, { as, body: { code } });

/** A code Wise shows the customer after granting access (the authorize page without our state). */
const shownCode = async (user: WiseUser): Promise<string> => {
  const page = new URL(
    `${t.sim.url}/oauth/authorize/?client_id=local-partner&redirect_uri=${encodeURIComponent(t.callbackUrl)}`,
  );
  return (await decide(t, page, user)).searchParams.get('code') ?? '';
};

describe('the email fallback (route 10)', () => {
  it('links with a code Wise emailed to the customer after a signup found the email taken', async () => {
    // Prepare: the partner tried to sign the customer up; Wise already knows the email and emails a code.
    const customerId = customer('email');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const d = t.stack.deps.oauth;
    const clientToken = (await d.wise.clientCredentialsToken()).access_token;
    await d.wise
      .signupWithRegistrationCode(clientToken, {
        email: user.email,
        registrationCode: 'r'.repeat(40),
        sendAuthorizationCodeAsEmail: true,
      })
      .catch(() => undefined);
    const emailed = (await simState(t)).emailedAuthorizationCodes.find((e) => e.email === user.email);
    expect(emailed).toBeDefined();

    // Act
    const res = await withCode(customerId, emailed?.code ?? '');

    // Assess
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'LINKED', profileId: user.profileId });
    expect(await t.stack.deps.oauth.accounts.get(customerId)).toMatchObject({
      status: 'LINKED',
      wiseUserId: user.userId,
    });
    expect((await grantItems(t, customerId)).length).toBe(1);
  });

  it('compares with the identity on record, never with a value from the caller', async () => {
    // Prepare
    const customerId = customer('emaildob');
    const user = await existingWiseUser(t, '1970-07-07');
    await recordIdentity(t, customerId, { dateOfBirth: '1988-04-12' });
    const code = await shownCode(user);

    // Act
    const withDob = await t.call('POST', `/v1/customers/${customerId}/wise-link/code`, {
      as: customerId,
      body: { code, dateOfBirth: user.dateOfBirth },
    });
    const res = await withCode(customerId, code);

    // Assess
    expect(withDob.status).toBe(400);
    expect(withDob.body.errors.map((e: { path: string }) => e.path)).toEqual(['dateOfBirth']);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDENTITY_MISMATCH');
    expect(await grantItems(t, customerId)).toEqual([]);
    expect((await t.stack.deps.oauth.accounts.get(customerId))?.status).toBe('LINK_REJECTED');
  });

  it('refuses with 409 IDENTITY_REQUIRED before asking Wise when nothing is on record', async () => {
    // Prepare
    const customerId = customer('emailnoid');
    const user = await existingWiseUser(t);
    const code = await shownCode(user);

    // Act
    const res = await withCode(customerId, code);

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDENTITY_REQUIRED');
    expect(await codeUnused(t, code)).toBe(true);
    expect(await userTokensOf(t, user.userId)).toEqual([]);
  });

  it('refuses a wrong or already used code with 422 LINK_CODE_REJECTED, and malformed input with 400', async () => {
    // Prepare
    const customerId = customer('badcode');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const code = await shownCode(user);
    expect((await withCode(customer('first'), code, 'someone-else')).status).toBe(403);
    await t.stack.deps.oauth.wise.authorizationCodeToken(code, t.callbackUrl);

    // Act
    const used = await withCode(customerId, code);
    const wrong = await withCode(customerId, 'NOTACODE123');
    const malformed = await withCode(customerId, '<b>x</b> y');

    // Assess
    for (const r of [used, wrong]) {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('LINK_CODE_REJECTED');
      expect(r.text).not.toContain(code);
    }
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { path: string }) => e.path)).toEqual(['code']);
    expect(await grantItems(t, customerId)).toEqual([]);
  });

  it('answers the sixth bad code within an hour with 429 TOO_MANY_ATTEMPTS and Retry-After, without asking Wise', async () => {
    // Prepare
    const customerId = customer('limit');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    const bad = [];
    for (let i = 1; i <= 5; i++) bad.push(await withCode(customerId, `WRONGCODE${i}`));
    const good = await shownCode(user);

    // Act
    const sixth = await withCode(customerId, 'WRONGCODE6');
    const goodButLimited = await withCode(customerId, good);
    const goodStillUnused = await codeUnused(t, good);
    t.clock.advance(60 * 60 * 1000 + 1000);
    const afterAnHour = await withCode(customerId, await shownCode(user));

    // Assess
    expect(bad.map((r) => r.body.code)).toEqual(Array(5).fill('LINK_CODE_REJECTED'));
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('TOO_MANY_ATTEMPTS');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(goodButLimited.status).toBe(429);
    expect(goodStillUnused).toBe(true);
    expect(afterAnHour.status, afterAnHour.text).toBe(200);
    expect((await userTokensOf(t, user.userId)).length).toBe(1);
  });

  it('does not count a good code, so that a customer who links is never locked out', async () => {
    // Prepare
    const customerId = customer('goodcount');
    const user = await existingWiseUser(t);
    await recordIdentity(t, customerId, { dateOfBirth: user.dateOfBirth });
    for (let i = 1; i <= 4; i++) await withCode(customerId, `WRONG${i}`);

    // Act
    const linked = await withCode(customerId, await shownCode(user));
    const fifthBad = await withCode(customerId, 'WRONG5');
    const sixthBad = await withCode(customerId, 'WRONG6');

    // Assess
    expect(linked.status).toBe(200);
    expect(fifthBad.body.code).toBe('LINK_CODE_REJECTED');
    expect(sixthBad.body.code).toBe('TOO_MANY_ATTEMPTS');
  });
});
