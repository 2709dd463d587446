import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import {
  CLIENT_ID,
  REDIRECT_URI,
  call,
  clientToken,
  createPersonalProfile,
  signUpUser,
  simStateOf,
  start,
  tokenRequest,
} from './helpers';
import { user as userSchema, validationErrors } from './schemas/wise';

describe('users', () => {
  let wise: WiseSandbox;
  let cc: string;
  beforeAll(async () => {
    wise = await start({ seedDemoUser: true });
    cc = await clientToken(wise);
  });
  afterAll(() => wise.close());

  it('signs up a user with a registration code: 200 and the user object', async () => {
    // Act
    const res = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {
      email: 'new.user@domain.com',
      registrationCode: randomUUID(),
      language: 'EN',
    });
    // Assess
    expect(res.status).toBe(200);
    const body = userSchema.parse(await res.json());
    expect(body).toMatchObject({ name: null, email: 'new.user@domain.com', active: true, details: null });
  });

  it('answers 409 NOT_UNIQUE with Wise body for an existing email', async () => {
    // Act
    const res = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {
      email: 'demo@wise-sandbox.local',
      registrationCode: randomUUID(),
    });
    // Assess
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      errors: [
        {
          code: 'NOT_UNIQUE',
          message: "You're already a member. Please login",
          path: 'email',
          arguments: ['email', 'class com.transferwise.fx.api.ApiRegisterCommand', 'demo@wise-sandbox.local'],
        },
      ],
    });
  });

  it('validates: missing fields 400 NotNull, short code 400 Size, bad email 422', async () => {
    // Act
    const missing = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {});
    const short = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {
      email: 'a@b.com',
      registrationCode: 'short',
    });
    const badEmail = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {
      email: 'not-an-email',
      registrationCode: randomUUID(),
    });
    // Assess
    expect(missing.status).toBe(400);
    expect(validationErrors.parse(await missing.json()).errors.map((e) => [e.code, e.path])).toEqual([
      ['NotNull', 'email'],
      ['NotNull', 'registrationCode'],
    ]);
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({
      errors: [
        {
          code: 'Size',
          message: 'size must be between 32 and 2147483647',
          path: 'registrationCode',
          arguments: ['2147483647', '32'],
        },
      ],
    });
    expect(badEmail.status).toBe(422);
    expect(validationErrors.parse(await badEmail.json()).errors[0]).toMatchObject({
      code: 'ERROR',
      message: 'Please provide a valid email',
      path: 'email',
    });
  });

  it('signup needs a client-credentials token: none 401, user token 403', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const none = await call(wise, 'POST', '/v1/user/signup/registration_code', undefined, {
      email: 'x@y.com',
      registrationCode: randomUUID(),
    });
    const userToken = await call(wise, 'POST', '/v1/user/signup/registration_code', u.accessToken, {
      email: 'x@y.com',
      registrationCode: randomUUID(),
    });
    // Assess
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'invalid_token' });
    expect(userToken.status).toBe(403);
  });

  it('sendAuthorizationCodeAsEmail on an existing email records an emailed, single-use authorization code', async () => {
    // Act
    const res = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {
      email: 'demo@wise-sandbox.local',
      registrationCode: randomUUID(),
      sendAuthorizationCodeAsEmail: true,
    });
    const state = await simStateOf(wise);
    const emailed = state.emailedAuthorizationCodes.find((e) => e.email === 'demo@wise-sandbox.local');
    const exchange = await tokenRequest(wise, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: emailed?.code ?? '',
      redirect_uri: REDIRECT_URI,
    });
    const again = await tokenRequest(wise, {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: emailed?.code ?? '',
      redirect_uri: REDIRECT_URI,
    });
    // Assess
    expect(res.status).toBe(409);
    expect(emailed?.code).toBeTruthy();
    expect(exchange.status).toBe(200);
    expect(again.status).toBe(400);
  });

  it('POST /v1/users/exists tells whether an email is known', async () => {
    // Act
    const yes = await call(wise, 'POST', '/v1/users/exists', cc, { email: 'demo@wise-sandbox.local' });
    const no = await call(wise, 'POST', '/v1/users/exists', cc, { email: 'nobody@example.com' });
    // Assess
    expect(await yes.json()).toEqual({ exists: true });
    expect(await no.json()).toEqual({ exists: false });
  });

  it('GET /v1/me and /v1/users/{id}: own user; another user 403; name after a profile', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const other = await signUpUser(wise);
    await createPersonalProfile(wise, u.accessToken);
    // Act
    const me = await call(wise, 'GET', '/v1/me', u.accessToken);
    const byId = await call(wise, 'GET', `/v1/users/${u.userId}`, u.accessToken);
    const foreign = await call(wise, 'GET', `/v1/users/${other.userId}`, u.accessToken);
    // Assess
    expect(userSchema.parse(await me.json())).toMatchObject({
      id: u.userId,
      email: u.email,
      name: 'Oliver Wilson',
    });
    expect(byId.status).toBe(200);
    expect(foreign.status).toBe(403);
  });

  it('PUT and GET /v1/users/{id}/contact-email', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const put = await call(wise, 'PUT', `/v1/users/${u.userId}/contact-email`, u.accessToken, {
      email: 'real@example.com',
    });
    const get = await call(wise, 'GET', `/v1/users/${u.userId}/contact-email`, u.accessToken);
    const bad = await call(wise, 'PUT', `/v1/users/${u.userId}/contact-email`, u.accessToken, {
      email: 'nope',
    });
    // Assess
    expect(put.status).toBe(200);
    expect(await get.json()).toEqual({ email: 'real@example.com' });
    expect(bad.status).toBe(422);
  });

  it('POST /v1/user/claim-account returns a claim code for the right registration code', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const res = await call(wise, 'POST', '/v1/user/claim-account', u.accessToken, {
      registrationCode: u.registrationCode,
    });
    const missing = await call(wise, 'POST', '/v1/user/claim-account', u.accessToken, {});
    // Assess
    expect(res.status).toBe(200);
    expect(((await res.json()) as { claimAccountCode: string }).claimAccountCode).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.status).toBe(400);
  });
});
