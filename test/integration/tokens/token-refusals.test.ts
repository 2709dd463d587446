import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customerContext } from '../../../shared/ports/cipher';
import { REGISTRATION_CODE_PURPOSE } from '../../../shared/tokens/remint';
import { problemOf } from '../../support/problems';
import { personalBody } from '../wise-sandbox/helpers';
import {
  customerId,
  deadline,
  deps,
  enterRefreshWindow,
  keepGrant,
  linkedAccount,
  startTokensStack,
  wiseUser,
  type TokensStack,
} from './support';

/**
 * Every refusal Wise documents for a grant (API-NOTES §1.2, issue #19 item 8), end to end against
 * the simulator: after an email change at Wise token generation fails with 400 `invalid_grant` or
 * a 403 Spring body without an OAuth error; a reclaimed account refuses its registration code with
 * 400 `invalid_grant` "Invalid user credentials.". Each one ends in RELINK_REQUIRED (409), never a
 * 502 that repeats forever; a refusal of our own client credentials keeps the grant.
 */
let t: TokensStack;

beforeAll(async () => {
  t = await startTokensStack();
});
afterEach(async () => {
  await t.sim_('DELETE', '/_sim/faults');
});
afterAll(async () => {
  await t?.close();
});

const changeEmailAtWise = async (userId: number, refusalStatus: 400 | 403) => {
  const res = await t.sim_('POST', `/_sim/users/${userId}/change-email`, {
    email: `changed-${randomUUID()}@example.com`,
    refusalStatus,
  });
  expect(res.status, res.text).toBe(200);
};

/** A user this service created (route 1's Wise calls), with its registration-code grant and a personal profile. */
const createdCustomer = async (label: string) => {
  const d = deps(t);
  const id = customerId(label);
  const email = `${id}@example.com`;
  const code = randomUUID() + randomUUID();
  await d.accounts.create({
    customerId: id,
    status: 'ACTIVE',
    origin: 'CREATED',
    email,
    registrationCodeCiphertext: await d.cipher.encrypt(code, customerContext(id, REGISTRATION_CODE_PURPOSE)),
  });
  const client = await d.wise.clientCredentialsToken();
  const user = await d.wise.signupWithRegistrationCode(client.access_token, {
    email,
    registrationCode: code,
  });
  await d.accounts.update(id, { wiseUserId: user.id });
  await d.grants.keep(id, await d.wise.registrationCodeToken(email, code), {
    kind: 'registration_code',
    profileIds: [],
  });
  const personal = await d
    .wiseAs(id, { deadline: deadline() })
    .createPersonalProfile(
      personalBody({ contactDetails: { email, phoneNumber: '+14085551234' } }),
      randomUUID(),
    );
  await d.accounts.putProfile(id, { id: personal.id, type: 'PERSONAL' });
  return { id, email, code, userId: user.id, profileId: personal.id };
};

/** The customer takes their account over at Wise with the claim code (the claim page), as route 7 lets them. */
const reclaimAtWise = async (c: { email: string; code: string; id: string }) => {
  const d = deps(t);
  const access = await d.wise.registrationCodeToken(c.email, c.code);
  const claim = await fetch(`${t.sim.url}/v1/user/claim-account`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ registrationCode: c.code }),
  });
  expect(claim.status).toBe(200);
  const claimCode = ((await claim.json()) as { claimAccountCode: string }).claimAccountCode;
  const redirectUri = d.config.oauthCallbackUrl;
  const form = await fetch(`${t.sim.url}/oauth/authorize/claim`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
    body: new URLSearchParams({
      client_id: 'local-partner',
      redirect_uri: redirectUri,
      claim_account_code: claimCode,
      password: 'a-long-password',
      confirmPassword: 'a-long-password',
    }).toString(),
  });
  expect(form.status).toBeLessThan(400);
};

describe('a grant Wise refuses for good ends in RELINK_REQUIRED', () => {
  it.each([400, 403] as const)(
    'a linked profile after an email change at Wise (token generation refused with %i)',
    async (refusalStatus) => {
      // Prepare
      const d = deps(t);
      const id = customerId(`email-${refusalStatus}`);
      const user = await wiseUser(t);
      await linkedAccount(t, id, user);
      await keepGrant(t, id, user, user.personalId);
      await changeEmailAtWise(user.userId, refusalStatus);
      enterRefreshWindow(t);

      // Act
      const refused = await problemOf(d.grants.accessToken(id, user.personalId, { deadline: deadline() }));
      const again = await problemOf(d.grants.accessToken(id, user.personalId, { deadline: deadline() }));

      // Assess
      expect([refused.code, refused.status]).toEqual(['RELINK_REQUIRED', 409]);
      expect(again.code).toBe('RELINK_REQUIRED');
      expect((await d.grants.accessOf(id)).get(user.personalId)).toBe('RELINK_REQUIRED');
      expect((await d.accounts.get(id))?.status).toBe('RELINK_REQUIRED');
    },
  );

  it.each([400, 403] as const)(
    'a user this service created, after an email change at Wise: the re-mint is refused too (%i)',
    async (refusalStatus) => {
      // Prepare
      const d = deps(t);
      const c = await createdCustomer(`created-email-${refusalStatus}`);
      await changeEmailAtWise(c.userId, refusalStatus);

      // Act
      const refused = await problemOf(d.wiseAs(c.id, { deadline: deadline() }).getProfile(c.profileId));

      // Assess
      expect([refused.code, refused.status]).toEqual(['RELINK_REQUIRED', 409]);
      expect((await d.accounts.get(c.id))?.status).toBe('RELINK_REQUIRED');
    },
  );

  it('a user this service created who reclaimed the account at Wise: the registration code is refused', async () => {
    // Prepare
    const d = deps(t);
    const c = await createdCustomer('reclaimed');
    await reclaimAtWise(c);
    await t.sim_('POST', `/_sim/users/${c.userId}/revoke-tokens`);

    // Act
    const refused = await problemOf(d.wiseAs(c.id, { deadline: deadline() }).getProfile(c.profileId));

    // Assess
    expect([refused.code, refused.status]).toEqual(['RELINK_REQUIRED', 409]);
    expect((await d.accounts.get(c.id))?.status).toBe('RELINK_REQUIRED');
  });
});

describe('a refusal of our own client credentials keeps every grant', () => {
  it('invalid_client on the refresh: the call fails, the grant and the account stay as they were', async () => {
    // Prepare
    const d = deps(t);
    const id = customerId('invalid-client');
    const user = await wiseUser(t);
    await linkedAccount(t, id, user);
    await keepGrant(t, id, user, user.personalId);
    enterRefreshWindow(t);
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', status: 401, times: 1 });

    // Act
    const failed = await d.grants.accessToken(id, user.personalId, { deadline: deadline() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const next = await d.grants.accessToken(id, user.personalId, { deadline: deadline() });

    // Assess
    expect(failed).toBeDefined();
    expect(next.accessToken).toEqual(expect.any(String));
    expect((await d.grants.accessOf(id)).get(user.personalId)).toBe('GRANTED');
    expect((await d.accounts.get(id))?.status).toBe('LINKED');
  });
});
