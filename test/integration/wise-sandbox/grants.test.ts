import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { createSimClock } from '../../../local/wise-sandbox';
import {
  CLIENT_ID,
  REDIRECT_URI,
  businessBody,
  call,
  clientToken,
  createPersonalProfile,
  hiddenValue,
  signUpUser,
  simStateOf,
  start,
  submitForm,
  tokenRequest,
} from './helpers';
import { businessProfileV2, oauthError, profileV1, profileV2, springError, userTokens } from './schemas/wise';

/** Wise authorises one profile per grant (API-NOTES §1.3); the simulator's grants follow. */

const PASSWORD = 'pw-123456';

interface Grant {
  access_token: string;
  refresh_token: string;
}

async function simPost(wise: WiseSandbox, path: string, body: unknown): Promise<Response> {
  return fetch(`${wise.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function existingUser(
  wise: WiseSandbox,
  email: string,
): Promise<{ userId: number; profileId: number }> {
  const res = await simPost(wise, '/_sim/users', {
    email,
    password: PASSWORD,
    firstName: 'Grace',
    lastName: 'Hopper',
    dateOfBirth: '1906-12-09',
  });
  if (res.status !== 201) throw new Error(`user failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { userId: number; profileId: number };
}

async function addBusiness(
  wise: WiseSandbox,
  userId: number,
  body: Record<string, unknown> = { businessName: 'Hopper Compilers Ltd', registrationNumber: '01234567' },
): Promise<number> {
  const res = await simPost(wise, `/_sim/users/${userId}/business-profiles`, body);
  if (res.status !== 201) throw new Error(`business failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { profileId: number }).profileId;
}

/** POST /_sim/oauth/authorize with decision allow; the redirect it answers. */
async function authorize(
  wise: WiseSandbox,
  email: string,
  extra: { profileId?: number; state?: string } = {},
): Promise<URL> {
  const res = await simPost(wise, '/_sim/oauth/authorize', {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: extra.state ?? 'grant-state',
    email,
    password: PASSWORD,
    decision: 'allow',
    ...(extra.profileId !== undefined ? { profileId: extra.profileId } : {}),
  });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${await res.text()}`);
  return new URL(((await res.json()) as { location: string }).location);
}

async function exchange(wise: WiseSandbox, location: URL): Promise<Grant> {
  const res = await tokenRequest(wise, {
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    code: location.searchParams.get('code') ?? '',
    redirect_uri: REDIRECT_URI,
  });
  if (res.status !== 200) throw new Error(`exchange failed: ${res.status} ${await res.text()}`);
  return userTokens.parse(await res.json()) as Grant;
}

async function refresh(wise: WiseSandbox, refreshToken: string): Promise<Response> {
  return tokenRequest(wise, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

async function registrationGrant(wise: WiseSandbox, email: string, registrationCode: string): Promise<Grant> {
  const res = await tokenRequest(wise, {
    grant_type: 'registration_code',
    client_id: CLIENT_ID,
    email,
    registration_code: registrationCode,
  });
  if (res.status !== 200) throw new Error(`registration grant failed: ${res.status} ${await res.text()}`);
  return userTokens.parse(await res.json()) as Grant;
}

async function listedIds(wise: WiseSandbox, path: '/v2/profiles' | '/v1/profiles', token: string) {
  const res = await call(wise, 'GET', path, token);
  const body = (await res.json()) as unknown[];
  const ids = body.map((p) => (path === '/v2/profiles' ? profileV2.parse(p).id : profileV1.parse(p).id));
  return { status: res.status, ids: ids.sort() };
}

/** Every profile-scoped call the simulator serves, for one profile id. */
const profileScopedCalls = (id: number | string): [string, string, unknown?][] => [
  ['GET', `/v2/profiles/${id}`],
  ['GET', `/v1/profiles/${id}`],
  ['PUT', `/v2/profiles/${id}/business-profile`, businessBody()],
  ['POST', `/v1/profiles/${id}/update-window`],
  ['DELETE', `/v1/profiles/${id}/update-window`],
  ['GET', `/v1/profiles/${id}/directors`],
  ['GET', `/v1/profiles/${id}/ubos`],
  ['POST', `/v1/profiles/${id}/verification-documents`, { type: 'SSN', uniqueIdentifier: '123456789' }],
  ['POST', `/v3/profiles/${id}/verification-status/bank-transfer?source_currencies=GBP`],
  ['POST', `/v3/profiles/${id}/quotes`, { sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 100 }],
  ['POST', `/v1/profiles/${id}/kyc-reviews`, { triggerType: 'PROACTIVE_SEND_MONEY' }],
  ['GET', `/v1/profiles/${id}/kyc-reviews`],
  [
    'POST',
    `/v3/profiles/${id}/subscriptions`,
    { name: 'x', trigger_on: 'balances#credit', delivery: { version: '2.0.0', url: 'http://localhost:9/x' } },
  ],
  ['GET', `/v3/profiles/${id}/subscriptions`],
  ['POST', `/v1/simulation/profiles/${id}/verifications`],
  ['PUT', '/v1/profiles', { id: Number(id), type: 'business', details: { name: 'Renamed Ltd' } }],
  [
    'POST',
    '/v1/addresses',
    { profile: Number(id), details: { country: 'GB', firstLine: '1 A St', city: 'London' } },
  ],
];

describe('per-profile grants: authorization_code', () => {
  let wise: WiseSandbox;
  const clock = createSimClock(Date.parse('2026-01-01T00:00:00Z'));
  const email = 'grace@example.com';
  let userId = 0;
  let personalId = 0;
  let businessId = 0;
  beforeAll(async () => {
    wise = await start({ clock });
    ({ userId, profileId: personalId } = await existingUser(wise, email));
    businessId = await addBusiness(wise, userId);
  });
  afterAll(() => wise.close());

  it('POST /_sim/users/{userId}/business-profiles: a business profile the user made on Wise, in /_sim/state', async () => {
    // Act
    const created = await simPost(wise, `/_sim/users/${userId}/business-profiles`, {
      businessName: 'Hopper Labs Ltd',
      registrationNumber: '76543210',
    });
    const again = await simPost(wise, `/_sim/users/${userId}/business-profiles`, {
      businessName: 'Hopper Labs Ltd',
      registrationNumber: '76543210',
    });
    const missing = await simPost(wise, `/_sim/users/${userId}/business-profiles`, {
      registrationNumber: '1',
    });
    const nobody = await simPost(wise, '/_sim/users/999/business-profiles', {
      businessName: 'Nobody Ltd',
      registrationNumber: '1',
    });
    // Assess
    expect(created.status).toBe(201);
    const { profileId } = (await created.json()) as { profileId: number };
    const state = await simStateOf(wise);
    expect(state.profiles.find((p) => p.id === profileId)).toMatchObject({
      id: profileId,
      userId,
      type: 'BUSINESS',
      businessName: 'Hopper Labs Ltd',
      registrationNumber: '76543210',
      verification: 'not_verified',
    });
    expect(again.status).toBe(409);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error_description: string }).error_description).toContain(
      'businessName',
    );
    expect(nobody.status).toBe(404);
  });

  it('a token covers only the chosen profile (personal by default): the business profile answers 403 on every profile path, as an unknown id does', async () => {
    // Prepare
    const location = await authorize(wise, email);
    const grant = await exchange(wise, location);
    // Act
    const own = await call(wise, 'GET', `/v2/profiles/${personalId}`, grant.access_token);
    const refused = await Promise.all(
      profileScopedCalls(businessId).map(async ([method, path, body]) => {
        const res = await call(wise, method, path, grant.access_token, body);
        return { path, status: res.status, body: springError.parse(await res.json()) };
      }),
    );
    const unknown = await call(wise, 'GET', '/v2/profiles/99999999', grant.access_token);
    const unknownBody = springError.parse(await unknown.json());
    // Assess
    expect(location.searchParams.get('profileId')).toBe(String(personalId));
    expect(own.status).toBe(200);
    for (const r of refused) {
      expect({ path: r.path, status: r.status }).toEqual({ path: r.path, status: 403 });
      expect(r.body).toMatchObject({ status: 403, error: 'Forbidden', message: unknownBody.message });
    }
    expect(unknown.status).toBe(403);
  });

  it('GET /v2/profiles and GET /v1/profiles list only the profiles the grant covers', async () => {
    // Prepare
    const personalGrant = await exchange(wise, await authorize(wise, email));
    const businessGrant = await exchange(wise, await authorize(wise, email, { profileId: businessId }));
    // Act
    const v2Personal = await listedIds(wise, '/v2/profiles', personalGrant.access_token);
    const v1Personal = await listedIds(wise, '/v1/profiles', personalGrant.access_token);
    const v2Business = await listedIds(wise, '/v2/profiles', businessGrant.access_token);
    const v1Business = await listedIds(wise, '/v1/profiles', businessGrant.access_token);
    // Assess
    expect(v2Personal).toEqual({ status: 200, ids: [personalId] });
    expect(v1Personal).toEqual({ status: 200, ids: [personalId] });
    expect(v2Business).toEqual({ status: 200, ids: [businessId] });
    expect(v1Business).toEqual({ status: 200, ids: [businessId] });
  });

  it('the business profile is authorised separately on the HTML page; the personal grant keeps working and refreshing', async () => {
    // Prepare
    const personalGrant = await exchange(wise, await authorize(wise, email));
    const login = await submitForm(wise, '/oauth/authorize/login', {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'biz-1',
      email,
      password: PASSWORD,
    });
    const consentHtml = await login.text();
    // Act
    const consent = await submitForm(wise, '/oauth/authorize/consent', {
      ticket: hiddenValue(consentHtml, 'ticket'),
      decision: 'allow',
      profileId: String(businessId),
    });
    const location = new URL(consent.headers.get('location') ?? '');
    const businessGrant = await exchange(wise, location);
    const businessRead = await call(wise, 'GET', `/v2/profiles/${businessId}`, businessGrant.access_token);
    const businessOnPersonal = await call(
      wise,
      'GET',
      `/v2/profiles/${personalId}`,
      businessGrant.access_token,
    );
    const personalStill = await call(wise, 'GET', `/v2/profiles/${personalId}`, personalGrant.access_token);
    const refreshed = await refresh(wise, personalGrant.refresh_token);
    const refreshedToken = (userTokens.parse(await refreshed.json()) as Grant).access_token;
    const refreshedOnPersonal = await call(wise, 'GET', `/v2/profiles/${personalId}`, refreshedToken);
    const refreshedOnBusiness = await call(wise, 'GET', `/v2/profiles/${businessId}`, refreshedToken);
    // Assess
    expect(consentHtml).toContain(`value="${businessId}"`);
    expect(consent.status).toBe(302);
    expect(location.searchParams.get('state')).toBe('biz-1');
    expect(location.searchParams.get('profileId')).toBe(String(businessId));
    expect(businessRead.status).toBe(200);
    expect(businessProfileV2.parse(await businessRead.json()).businessName).toBe('Hopper Compilers Ltd');
    expect(businessOnPersonal.status).toBe(403);
    expect(personalStill.status).toBe(200);
    expect(refreshed.status).toBe(200);
    expect(refreshedOnPersonal.status).toBe(200);
    expect(refreshedOnBusiness.status).toBe(403);
  });

  it('a new grant for the same profile replaces the older one: its refresh token stops working', async () => {
    // Prepare
    const first = await exchange(wise, await authorize(wise, email, { profileId: businessId }));
    const second = await exchange(wise, await authorize(wise, email, { profileId: businessId }));
    // Act
    const oldRefresh = await refresh(wise, first.refresh_token);
    const newRefresh = await refresh(wise, second.refresh_token);
    // Assess
    expect(oldRefresh.status).toBe(400);
    expect(oauthError.parse(await oldRefresh.json()).error).toBe('invalid_grant');
    expect(newRefresh.status).toBe(200);
  });

  it('the authorize control refuses a profile of another user', async () => {
    // Prepare
    const other = await existingUser(wise, 'someone-else@example.com');
    // Act
    const res = await simPost(wise, '/_sim/oauth/authorize', {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 's',
      email,
      password: PASSWORD,
      decision: 'allow',
      profileId: other.profileId,
    });
    // Assess
    expect(res.status).toBe(400);
  });

  it('/_sim/state tokens carry kind, userId and the profileIds their grant covers', async () => {
    // Prepare
    const cc = await clientToken(wise);
    const grant = await exchange(wise, await authorize(wise, email, { profileId: businessId }));
    // Act
    const state = await simStateOf(wise);
    // Assess
    const client = state.tokens.find((t) => t.access_token === cc);
    expect(client).toMatchObject({ kind: 'client', revoked: false });
    expect(client).not.toHaveProperty('userId');
    expect(client).not.toHaveProperty('profileIds');
    expect(state.tokens.find((t) => t.access_token === grant.access_token)).toMatchObject({
      kind: 'user',
      userId,
      profileIds: [businessId],
      refresh_token: grant.refresh_token,
      revoked: false,
    });
  });
});

describe('per-profile grants: registration_code', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('covers the profiles the partner created, also ones created later with the token, and keeps them on refresh', async () => {
    // Prepare
    const user = await signUpUser(wise);
    const before = (await simStateOf(wise)).tokens.find((t) => t.access_token === user.accessToken);
    // Act
    const personalId = await createPersonalProfile(wise, user.accessToken);
    const created = await call(
      wise,
      'POST',
      '/v2/profiles/business-profile',
      user.accessToken,
      businessBody(),
    );
    const businessId = businessProfileV2.parse(await created.json()).id;
    const readPersonal = await call(wise, 'GET', `/v2/profiles/${personalId}`, user.accessToken);
    const readBusiness = await call(wise, 'GET', `/v2/profiles/${businessId}`, user.accessToken);
    const refreshed = userTokens.parse(await (await refresh(wise, user.refreshToken)).json()) as Grant;
    const reissued = await registrationGrant(wise, user.email, user.registrationCode);
    const state = await simStateOf(wise);
    // Assess
    expect(before).toMatchObject({ kind: 'user', userId: user.userId, profileIds: [] });
    expect(readPersonal.status).toBe(200);
    expect(readBusiness.status).toBe(200);
    const coverage = (token: string) =>
      state.tokens.find((t) => t.access_token === token)?.profileIds?.sort();
    expect(coverage(user.accessToken)).toEqual([personalId, businessId].sort());
    expect(coverage(refreshed.access_token)).toEqual([personalId, businessId].sort());
    expect(coverage(reissued.access_token)).toEqual([personalId, businessId].sort());
    expect(await listedIds(wise, '/v2/profiles', refreshed.access_token)).toEqual({
      status: 200,
      ids: [personalId, businessId].sort(),
    });
  });

  it('does not cover a profile the user added on Wise itself', async () => {
    // Prepare
    const user = await signUpUser(wise);
    const personalId = await createPersonalProfile(wise, user.accessToken);
    const ownBusiness = await addBusiness(wise, user.userId);
    // Act
    const grant = await registrationGrant(wise, user.email, user.registrationCode);
    const read = await call(wise, 'GET', `/v2/profiles/${ownBusiness}`, grant.access_token);
    const listed = await listedIds(wise, '/v2/profiles', grant.access_token);
    // Assess
    expect(read.status).toBe(403);
    springError.parse(await read.json());
    expect(listed).toEqual({ status: 200, ids: [personalId] });
  });
});

describe('claim account: the callback carries state', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  const hiddenFields = (html: string): Record<string, string> =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [
        m[1] ?? '',
        (m[2] ?? '')
          .replaceAll('&quot;', '"')
          .replaceAll('&#39;', "'")
          .replaceAll('&lt;', '<')
          .replaceAll('&gt;', '>')
          .replaceAll('&amp;', '&'),
      ]),
    );

  it('a claim URL with state and redirect_uri ends in redirect_uri?code&state&profileId, like the authorize page', async () => {
    // Prepare
    const user = await signUpUser(wise);
    const personalId = await createPersonalProfile(wise, user.accessToken);
    const claim = await call(wise, 'POST', '/v1/user/claim-account', user.accessToken, {
      registrationCode: user.registrationCode,
    });
    const { claimAccountCode } = (await claim.json()) as { claimAccountCode: string };
    const state = 'claim-Zq9_+/= "<&>';
    const claimUrl = new URL(`${wise.url}/oauth/authorize/`);
    claimUrl.searchParams.set('client_id', CLIENT_ID);
    claimUrl.searchParams.set('redirect_uri', REDIRECT_URI);
    claimUrl.searchParams.set('state', state);
    claimUrl.searchParams.set('claim_account_code', claimAccountCode);
    // Act
    const page = await fetch(claimUrl);
    const pageHtml = await page.text();
    const setPassword = await submitForm(wise, '/oauth/authorize/claim', {
      ...hiddenFields(pageHtml),
      password: 'claimed-password-1',
      confirmPassword: 'claimed-password-1',
    });
    const consentHtml = await setPassword.text();
    const consent = await submitForm(wise, '/oauth/authorize/consent', {
      ...hiddenFields(consentHtml),
      decision: 'allow',
    });
    const location = new URL(consent.headers.get('location') ?? '');
    const grant = await exchange(wise, location);
    const coverage = (await simStateOf(wise)).tokens.find((t) => t.access_token === grant.access_token);
    // Assess
    expect(page.status).toBe(200);
    expect(hiddenFields(pageHtml)).toMatchObject({
      state,
      redirect_uri: REDIRECT_URI,
      claim_account_code: claimAccountCode,
    });
    expect(setPassword.status).toBe(200);
    expect(consent.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('profileId')).toBe(String(personalId));
    expect(coverage).toMatchObject({ kind: 'user', userId: user.userId, profileIds: [personalId] });
  });

  it('a claim URL with an unregistered redirect_uri shows an error page and never redirects', async () => {
    // Prepare
    const user = await signUpUser(wise);
    const claim = await call(wise, 'POST', '/v1/user/claim-account', user.accessToken, {
      registrationCode: user.registrationCode,
    });
    const { claimAccountCode } = (await claim.json()) as { claimAccountCode: string };
    const claimUrl = new URL(`${wise.url}/oauth/authorize/`);
    claimUrl.searchParams.set('client_id', CLIENT_ID);
    claimUrl.searchParams.set('redirect_uri', 'https://attacker.example/callback');
    claimUrl.searchParams.set('state', 's');
    claimUrl.searchParams.set('claim_account_code', claimAccountCode);
    // Act
    const res = await fetch(claimUrl, { redirect: 'manual' });
    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('snapshots written before per-profile grants', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wise-sandbox-grants-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a held user token still reaches every profile of its user after a restart', async () => {
    // Prepare: a partner user with a personal and a business profile, snapshot stripped of grants.
    const first = await start({ snapshotDir: dir });
    const user = await signUpUser(first);
    const personalId = await createPersonalProfile(first, user.accessToken);
    const created = await call(
      first,
      'POST',
      '/v2/profiles/business-profile',
      user.accessToken,
      businessBody(),
    );
    const businessId = businessProfileV2.parse(await created.json()).id;
    await first.close();
    const file = join(dir, 'state.json');
    const old = JSON.parse(readFileSync(file, 'utf8')) as {
      tokens: Record<string, unknown>[];
      profiles: Record<string, unknown>[];
    };
    for (const t of old.tokens) delete t.profileIds;
    for (const p of old.profiles) delete p.createdByClientId;
    writeFileSync(file, JSON.stringify(old));
    // Act
    const second = await start({ snapshotDir: dir });
    const listed = await listedIds(second, '/v2/profiles', user.accessToken);
    const reissued = await registrationGrant(second, user.email, user.registrationCode);
    const reissuedList = await listedIds(second, '/v2/profiles', reissued.access_token);
    await second.close();
    // Assess
    expect(listed).toEqual({ status: 200, ids: [personalId, businessId].sort() });
    expect(reissuedList).toEqual({ status: 200, ids: [personalId, businessId].sort() });
  });
});
