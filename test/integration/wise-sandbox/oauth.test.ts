import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { createSimClock } from '../../../local/wise-sandbox';
import {
  BASIC,
  CLIENT_ID,
  REDIRECT_URI,
  call,
  clientToken,
  hiddenValue,
  signUpUser,
  simStateOf,
  start,
  submitForm,
  tokenRequest,
} from './helpers';
import { clientCredentialsToken, oauthError, userTokens } from './schemas/wise';

describe('POST /oauth/token', () => {
  let wise: WiseSandbox;
  const clock = createSimClock(Date.parse('2026-01-01T00:00:00Z'));
  beforeAll(async () => {
    wise = await start({ clock });
  });
  afterAll(() => wise.close());

  it('issues a client-credentials token without a refresh token', async () => {
    // Act
    const res = await tokenRequest(wise, { grant_type: 'client_credentials' });
    // Assess
    expect(res.status).toBe(200);
    const body = clientCredentialsToken.parse(await res.json());
    expect(body).not.toHaveProperty('refresh_token');
    expect(body.expires_at).toBe('2026-01-01T12:00:00.000Z');
  });

  it('accepts a multipart/form-data body as Wise reference clients send it', async () => {
    // Prepare
    const form = new FormData();
    form.set('grant_type', 'client_credentials');
    // Act
    const res = await fetch(`${wise.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: BASIC },
      body: form,
    });
    // Assess
    expect(res.status).toBe(200);
    clientCredentialsToken.parse(await res.json());
  });

  it('rejects a missing grant type with invalid_request', async () => {
    // Act
    const res = await tokenRequest(wise, {});
    // Assess
    expect(res.status).toBe(400);
    expect(oauthError.parse(await res.json())).toEqual({
      error: 'invalid_request',
      error_description: 'Missing grant type',
    });
  });

  it('rejects missing and wrong client credentials with 401', async () => {
    // Act
    const none = await fetch(`${wise.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const wrong = await tokenRequest(
      wise,
      { grant_type: 'client_credentials' },
      `Basic ${Buffer.from('local-partner:nope').toString('base64')}`,
    );
    // Assess
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(oauthError.parse(await wrong.json()).error).toBe('invalid_client');
  });

  it('rejects an unknown grant type', async () => {
    // Act
    const res = await tokenRequest(wise, { grant_type: 'password' });
    // Assess
    expect(res.status).toBe(400);
    expect(oauthError.parse(await res.json()).error).toBe('unsupported_grant_type');
  });

  it('registration_code grant: user tokens; a wrong code gives 401 invalid_grant', async () => {
    // Prepare
    const user = await signUpUser(wise);
    // Act
    const ok = await tokenRequest(wise, {
      grant_type: 'registration_code',
      client_id: CLIENT_ID,
      email: user.email,
      registration_code: user.registrationCode,
    });
    const bad = await tokenRequest(wise, {
      grant_type: 'registration_code',
      client_id: CLIENT_ID,
      email: user.email,
      registration_code: 'x'.repeat(36),
    });
    // Assess
    expect(ok.status).toBe(200);
    const tokens = userTokens.parse(await ok.json());
    expect(tokens.refresh_token_expires_in).toBe(628639555);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid user credentials.',
    });
  });

  it('re-issuing by registration_code kills the old refresh token but not the last access token', async () => {
    // Prepare
    const user = await signUpUser(wise);
    // Act
    const again = await tokenRequest(wise, {
      grant_type: 'registration_code',
      client_id: CLIENT_ID,
      email: user.email,
      registration_code: user.registrationCode,
    });
    const oldRefresh = await tokenRequest(wise, {
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
    });
    const oldAccess = await call(wise, 'GET', '/v1/me', user.accessToken);
    // Assess
    expect(again.status).toBe(200);
    expect(oldRefresh.status).toBe(400);
    expect(oauthError.parse(await oldRefresh.json()).error).toBe('invalid_grant');
    expect(oldAccess.status).toBe(200);
  });

  it('refresh_token grant: a new access token, and the previous one stops working at once', async () => {
    // Prepare
    const user = await signUpUser(wise);
    // Act
    const res = await tokenRequest(wise, { grant_type: 'refresh_token', refresh_token: user.refreshToken });
    const fresh = userTokens.parse(await res.json());
    const before = await call(wise, 'GET', '/v1/me', user.accessToken);
    const after = await call(wise, 'GET', '/v1/me', fresh.access_token);
    // Assess
    expect(fresh.refresh_token).toBe(user.refreshToken);
    expect(before.status).toBe(401);
    expect(await before.json()).toMatchObject({ error: 'invalid_token' });
    expect(after.status).toBe(200);
  });

  it('rejects a missing or unknown refresh token', async () => {
    // Act
    const missing = await tokenRequest(wise, { grant_type: 'refresh_token' });
    const unknown = await tokenRequest(wise, { grant_type: 'refresh_token', refresh_token: 'nope' });
    // Assess
    expect(missing.status).toBe(400);
    expect(oauthError.parse(await missing.json()).error).toBe('invalid_request');
    expect(unknown.status).toBe(400);
    expect(oauthError.parse(await unknown.json()).error).toBe('invalid_grant');
  });

  it('access tokens expire after 12 hours', async () => {
    // Prepare
    const user = await signUpUser(wise);
    // Act
    clock.advance(12 * 60 * 60 * 1000);
    const res = await call(wise, 'GET', '/v1/me', user.accessToken);
    // Assess
    expect(res.status).toBe(401);
    expect(oauthError.parse(await res.json()).error).toBe('invalid_token');
  });
});

describe('authorization_code grant and the authorize page', () => {
  let wise: WiseSandbox;
  const clock = createSimClock(Date.parse('2026-01-01T00:00:00Z'));
  let userId = 0;
  let profileId = 0;
  beforeAll(async () => {
    wise = await start({ clock });
    const res = await fetch(`${wise.url}/_sim/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'existing@example.com',
        password: 'pw-123456',
        firstName: 'Ex',
        lastName: 'Isting',
        dateOfBirth: '1980-02-03',
      }),
    });
    ({ userId, profileId } = (await res.json()) as { userId: number; profileId: number });
  });
  afterAll(() => wise.close());

  const authorizeUrl = (params: Record<string, string>) =>
    `${wise.url}/oauth/authorize/?${new URLSearchParams(params).toString()}`;

  it('shows a login page with email and password inputs, with and without the trailing slash', async () => {
    // Act
    const withSlash = await fetch(
      authorizeUrl({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: 's1' }),
    );
    const without = await fetch(
      `${wise.url}/oauth/authorize?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    );
    // Assess
    expect(withSlash.status).toBe(200);
    const html = await withSlash.text();
    expect(html).toContain('name="email"');
    expect(html).toContain('name="password"');
    expect(without.status).toBe(200);
  });

  it('shows an error page and never redirects for a redirect_uri that is not registered', async () => {
    // Act
    const res = await fetch(
      authorizeUrl({ client_id: CLIENT_ID, redirect_uri: 'http://localhost:3000/v1/oauth/callback?x=1' }),
      { redirect: 'manual' },
    );
    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('login → consent (Allow) → redirect with code, state and profileId → tokens; the code is single-use', async () => {
    // Prepare
    const login = await submitForm(wise, '/oauth/authorize/login', {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'st-1',
      email: 'existing@example.com',
      password: 'pw-123456',
    });
    const consentHtml = await login.text();
    expect(consentHtml).toContain('name="profileId"');
    // Act
    const consent = await submitForm(wise, '/oauth/authorize/consent', {
      ticket: hiddenValue(consentHtml, 'ticket'),
      decision: 'allow',
      profileId: String(profileId),
    });
    const location = new URL(consent.headers.get('location') ?? '');
    const code = location.searchParams.get('code') ?? '';
    const first = await tokenRequest(wise, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      redirect_uri: REDIRECT_URI,
    });
    const second = await tokenRequest(wise, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      redirect_uri: REDIRECT_URI,
    });
    // Assess
    expect(consent.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('profileId')).toBe(String(profileId));
    expect(first.status).toBe(200);
    userTokens.parse(await first.json());
    expect(second.status).toBe(400);
    expect(oauthError.parse(await second.json()).error).toBe('invalid_grant');
    const state = await simStateOf(wise);
    expect(state.authorizationCodes.find((c) => c.code === code)).toMatchObject({ userId, used: true });
  });

  it('a wrong password shows the login page again with 401', async () => {
    // Act
    const res = await submitForm(wise, '/oauth/authorize/login', {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      email: 'existing@example.com',
      password: 'wrong',
    });
    // Assess
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('name="password"');
  });

  it('Deny redirects with error=access_denied, error_description and state', async () => {
    // Prepare
    const login = await submitForm(wise, '/oauth/authorize/login', {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'st-2',
      email: 'existing@example.com',
      password: 'pw-123456',
    });
    // Act
    const res = await submitForm(wise, '/oauth/authorize/consent', {
      ticket: hiddenValue(await login.text(), 'ticket'),
      decision: 'deny',
    });
    // Assess
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('st-2');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('rejects a code with a different redirect_uri, and a code older than 30 minutes', async () => {
    // Prepare
    const simAuthorize = async () => {
      const res = await fetch(`${wise.url}/_sim/oauth/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: CLIENT_ID,
          redirect_uri: REDIRECT_URI,
          state: 'x',
          email: 'existing@example.com',
          password: 'pw-123456',
          decision: 'allow',
        }),
      });
      return new URL(((await res.json()) as { location: string }).location).searchParams.get('code') ?? '';
    };
    const codeA = await simAuthorize();
    const codeB = await simAuthorize();
    // Act
    const mismatch = await tokenRequest(wise, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: codeA,
      redirect_uri: 'http://localhost:3000/other',
    });
    clock.advance(30 * 60 * 1000 + 1);
    const expired = await tokenRequest(wise, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: codeB,
      redirect_uri: REDIRECT_URI,
    });
    // Assess
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Redirect URI mismatch.',
    });
    expect(expired.status).toBe(400);
    expect(oauthError.parse(await expired.json()).error).toBe('invalid_grant');
  });

  it('claim account: claim code → set password → consent → code; the registration code then stops working', async () => {
    // Prepare
    const user = await signUpUser(wise, 'claimer@example.com');
    const claim = await call(wise, 'POST', '/v1/user/claim-account', user.accessToken, {
      registrationCode: user.registrationCode,
    });
    const { claimAccountCode } = (await claim.json()) as { claimAccountCode: string };
    // Act
    const pageRes = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        state: 'c1',
        claim_account_code: claimAccountCode,
      }),
    );
    const pageHtml = await pageRes.text();
    const setPassword = await submitForm(wise, '/oauth/authorize/claim', {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'c1',
      claim_account_code: claimAccountCode,
      password: 'new-password-1',
      confirmPassword: 'new-password-1',
    });
    const consent = await submitForm(wise, '/oauth/authorize/consent', {
      ticket: hiddenValue(await setPassword.text(), 'ticket'),
      decision: 'allow',
    });
    const regGrant = await tokenRequest(wise, {
      grant_type: 'registration_code',
      client_id: CLIENT_ID,
      email: user.email,
      registration_code: user.registrationCode,
    });
    const reuse = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        claim_account_code: claimAccountCode,
      }),
    );
    // Assess
    expect(claim.status).toBe(200);
    expect(pageHtml).toContain('name="password"');
    expect(setPassword.status).toBe(200);
    expect(consent.status).toBe(302);
    expect(new URL(consent.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
    expect(regGrant.status).toBe(401);
    expect(reuse.status).toBe(400);
  });

  it('claim account codes expire after 5 minutes', async () => {
    // Prepare
    const user = await signUpUser(wise);
    const claim = await call(wise, 'POST', '/v1/user/claim-account', user.accessToken, {
      registrationCode: user.registrationCode,
    });
    const { claimAccountCode } = (await claim.json()) as { claimAccountCode: string };
    const wrong = await call(wise, 'POST', '/v1/user/claim-account', user.accessToken, {
      registrationCode: 'y'.repeat(40),
    });
    // Act
    clock.advance(5 * 60 * 1000 + 1);
    const res = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        claim_account_code: claimAccountCode,
      }),
    );
    // Assess
    expect(wrong.status).toBe(400);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('expired');
  });

  it('the client-credentials token cannot call user endpoints (403)', async () => {
    // Prepare
    const cc = await clientToken(wise);
    // Act
    const res = await call(wise, 'GET', '/v1/me', cc);
    // Assess
    expect(res.status).toBe(403);
  });
});
