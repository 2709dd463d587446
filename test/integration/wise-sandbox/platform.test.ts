import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
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
import { oauthError, springError } from './schemas/wise';

const json = { 'content-type': 'application/json' };

/** Polls (I/O, not a fixed sleep) until `check` yields a value; fails after 5 s. */
const eventually = async <T>(check: () => Promise<T | undefined>): Promise<T> => {
  for (const until = Date.now() + 5000; Date.now() < until;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not met within 5 s');
};

describe('cross-cutting behaviour', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start({ seedDemoUser: true });
  });
  afterAll(() => wise.close());

  it('puts x-trace-id on every response and echoes X-External-Correlation-Id', async () => {
    // Act
    const ok = await tokenRequest(wise, { grant_type: 'client_credentials' });
    const notFound = await fetch(`${wise.url}/v9/nothing`, {
      headers: { 'X-External-Correlation-Id': '3f1b2c4d-0000-4000-8000-000000000001' },
    });
    const page = await fetch(`${wise.url}/oauth/authorize?client_id=x`);
    // Assess
    for (const res of [ok, notFound, page]) expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(notFound.headers.get('x-external-correlation-id')).toBe('3f1b2c4d-0000-4000-8000-000000000001');
    expect(notFound.status).toBe(404);
    springError.parse(await notFound.json());
  });

  it('401 invalid_token for missing, unknown and revoked tokens', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const missing = await call(wise, 'GET', '/v2/profiles');
    const unknown = await call(wise, 'GET', '/v2/profiles', 'not-a-token');
    const revoke = await fetch(`${wise.url}/_sim/users/${u.userId}/revoke-tokens`, { method: 'POST' });
    const revoked = await call(wise, 'GET', '/v2/profiles', u.accessToken);
    const refresh = await tokenRequest(wise, { grant_type: 'refresh_token', refresh_token: u.refreshToken });
    // Assess
    for (const res of [missing, unknown, revoked]) {
      expect(res.status).toBe(401);
      expect(oauthError.parse(await res.json()).error).toBe('invalid_token');
    }
    expect(await revoke.json()).toMatchObject({ userId: u.userId });
    expect(refresh.status).toBe(400);
    const state = await simStateOf(wise);
    expect(state.tokens.filter((t) => t.userId === u.userId).every((t) => t.revoked)).toBe(true);
  });

  it('a deactivated user: users#state-change state, 401 on calls, registration grant refused', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const res = await fetch(`${wise.url}/_sim/users/${u.userId}/deactivate`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ deactivationType: 'ACCOUNT_SUSPENSION' }),
    });
    const me = await call(wise, 'GET', '/v1/me', u.accessToken);
    const grant = await tokenRequest(wise, {
      grant_type: 'registration_code',
      client_id: CLIENT_ID,
      email: u.email,
      registration_code: u.registrationCode,
    });
    // Assess
    expect(await res.json()).toEqual({ userId: u.userId, state: 'DEACTIVATED' });
    expect(me.status).toBe(401);
    expect(grant.status).toBe(401);
    expect((await simStateOf(wise)).users.find((x) => x.id === u.userId)?.active).toBe(false);
  });

  it('faults: prefix match with times, status and Retry-After; then the real answer again', async () => {
    // Prepare
    const cc = await clientToken(wise);
    await fetch(`${wise.url}/_sim/faults`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ method: 'POST', path: '/v1/users', status: 503, times: 1, retryAfter: 7 }),
    });
    // Act
    const failed = await call(wise, 'POST', '/v1/users/exists', cc, { email: 'a@b.com' });
    const recovered = await call(wise, 'POST', '/v1/users/exists', cc, { email: 'a@b.com' });
    // Assess
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    springError.parse(await failed.json());
    expect(recovered.status).toBe(200);
  });

  it('/_sim/requests counts the API requests being served, a held one too, and not its own', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    const inProgress = async () =>
      ((await (await fetch(`${wise.url}/_sim/requests`)).json()) as { inProgress: number }).inProgress;
    await fetch(`${wise.url}/_sim/faults`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ path: '/v2/profiles', delayMs: 150, times: 1 }),
    });
    const idle = await inProgress();
    // Act
    const slowCall = call(wise, 'GET', `/v2/profiles/${id}`, u.accessToken);
    const whileHeld = await eventually(async () => ((await inProgress()) === 1 ? 1 : undefined));
    const slow = await slowCall;
    const afterwards = await inProgress();
    await fetch(`${wise.url}/_sim/faults`, { method: 'DELETE' });
    // Assess
    expect([idle, whileHeld, slow.status, afterwards]).toEqual([0, 1, 200, 0]);
  });

  it('faults: * patterns, rate 0 never fires, delayMs slows the real answer, DELETE clears', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    const add = (fault: unknown) =>
      fetch(`${wise.url}/_sim/faults`, { method: 'POST', headers: json, body: JSON.stringify(fault) });
    await add({ path: '/v2/profiles/*/business-profile', status: 500 });
    await add({ path: '/v1/me', status: 500, rate: 0 });
    await add({ path: '/v2/profiles', delayMs: 150, times: 1 });
    const badFault = await add({ path: 'no-slash', status: 500 });
    // Act: while the fault holds the answer, /_sim/faults says so (no wall-clock measurement)
    const slowCall = call(wise, 'GET', `/v2/profiles/${id}`, u.accessToken);
    const holding = await eventually(async () => {
      const faults = (await (await fetch(`${wise.url}/_sim/faults`)).json()) as {
        path: string;
        held: number;
        hits: number;
      }[];
      return faults.find((f) => f.path === '/v2/profiles' && f.held === 1);
    });
    const slow = await slowCall;
    const afterwards = (await (await fetch(`${wise.url}/_sim/faults`)).json()) as {
      path: string;
      held: number;
    }[];
    const patterned = await call(wise, 'PUT', `/v2/profiles/${id}/business-profile`, u.accessToken, {});
    const neverFires = await call(wise, 'GET', '/v1/me', u.accessToken);
    const cleared = await fetch(`${wise.url}/_sim/faults`, { method: 'DELETE' });
    const afterClear = await call(wise, 'PUT', `/v2/profiles/${id}/business-profile`, u.accessToken, {});
    // Assess
    expect(badFault.status).toBe(400);
    expect(holding).toMatchObject({ held: 1, hits: 1 });
    expect(slow.status).toBe(200);
    expect(afterwards.find((f) => f.path === '/v2/profiles')?.held).toBe(0);
    expect(patterned.status).toBe(500);
    expect(neverFires.status).toBe(200);
    expect(cleared.status).toBe(204);
    expect(afterClear.status).toBe(400);
  });

  it('POST /_sim/users makes a Wise user that can log in; duplicates 409; /_sim/oauth/authorize deny', async () => {
    // Act
    const created = await fetch(`${wise.url}/_sim/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        email: 'sim@example.com',
        password: 'pw',
        firstName: 'Sim',
        lastName: 'User',
        dateOfBirth: '1991-01-01',
      }),
    });
    const dup = await fetch(`${wise.url}/_sim/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'sim@example.com', password: 'pw', firstName: 'Sim', lastName: 'User' }),
    });
    const deny = await fetch(`${wise.url}/_sim/oauth/authorize`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        state: 'abc',
        email: 'sim@example.com',
        password: 'pw',
        decision: 'deny',
      }),
    });
    const badPassword = await fetch(`${wise.url}/_sim/oauth/authorize`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        state: 'abc',
        email: 'sim@example.com',
        password: 'nope',
        decision: 'allow',
      }),
    });
    // Assess
    expect(created.status).toBe(201);
    const { userId, profileId } = (await created.json()) as { userId: number; profileId: number };
    expect(dup.status).toBe(409);
    const location = new URL(((await deny.json()) as { location: string }).location);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('abc');
    expect(badPassword.status).toBe(401);
    const state = await simStateOf(wise);
    expect(state.profiles.find((p) => p.id === profileId)).toMatchObject({
      userId,
      type: 'PERSONAL',
      firstName: 'Sim',
      dateOfBirth: '1991-01-01',
      verification: 'not_verified',
    });
  });

  it('GET /_sim/state holds the seeded demo user with a personal profile born 1990-01-01', async () => {
    // Act
    const state = await simStateOf(wise);
    // Assess
    expect(wise.demoUser).toMatchObject({ email: 'demo@wise-sandbox.local', password: 'demo-password-1' });
    expect(state.users.find((u) => u.id === wise.demoUser?.userId)?.email).toBe('demo@wise-sandbox.local');
    expect(state.profiles.find((p) => p.id === wise.demoUser?.profileId)).toMatchObject({
      type: 'PERSONAL',
      dateOfBirth: '1990-01-01',
    });
  });

  it('POST /_sim/clock moves the clock (tokens expire)', async () => {
    // Prepare
    const cc = await clientToken(wise);
    // Act
    const moved = await fetch(`${wise.url}/_sim/clock`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ advanceMs: 13 * 60 * 60 * 1000 }),
    });
    const res = await call(wise, 'POST', '/v1/users/exists', cc, { email: 'a@b.com' });
    // Assess
    expect(moved.status).toBe(200);
    expect(res.status).toBe(401);
  });

  it('POST /_sim/reset empties the state and re-seeds the demo user', async () => {
    // Prepare
    await signUpUser(wise);
    // Act
    const res = await fetch(`${wise.url}/_sim/reset`, { method: 'POST' });
    const state = await simStateOf(wise);
    // Assess
    expect(res.status).toBe(204);
    expect(state.users.map((u) => u.email)).toEqual(['demo@wise-sandbox.local']);
    expect(state.tokens).toEqual([]);
  });
});

describe('rate limits', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start({ rateLimit: { perSecond: 1000, perMinute: 5 } });
  });
  afterAll(() => wise.close());

  it('answers 429 with Retry-After past the limit; /_sim/ is never limited', async () => {
    // Act
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await tokenRequest(wise, { grant_type: 'client_credentials' });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    const control = await fetch(`${wise.url}/_sim/state`);
    // Assess
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.headers.get('x-rate-limited-by')).toBe('wise-public-api');
    expect(control.status).toBe(200);
  });
});

describe('snapshot, restart and start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wise-sandbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps users, tokens, profiles, subscriptions and the signing key across a restart', async () => {
    // Prepare
    const first = await start({ snapshotDir: dir, seedDemoUser: true });
    const u = await signUpUser(first);
    const profileId = await createPersonalProfile(first, u.accessToken);
    const cc = await clientToken(first);
    await call(first, 'POST', `/v3/applications/${CLIENT_ID}/subscriptions`, cc, {
      name: 'x',
      trigger_on: 'users#state-change',
      delivery: { version: '2.0.0', url: 'http://127.0.0.1:9/hook' },
    });
    const key = first.webhookPublicKeyPem;
    const demo = first.demoUser;
    await first.close();
    // Act
    const startedAt = performance.now();
    const second = await start({ snapshotDir: dir, seedDemoUser: true });
    const startMs = performance.now() - startedAt;
    const profile = await call(second, 'GET', `/v2/profiles/${profileId}`, u.accessToken);
    const state = await simStateOf(second);
    await second.close();
    // Assess
    console.info(`wise-sandbox restart with a persisted snapshot and key: ${startMs.toFixed(0)} ms`);
    expect(profile.status).toBe(200);
    expect(second.webhookPublicKeyPem).toBe(key);
    expect(second.demoUser).toEqual(demo);
    expect(state.users.filter((x) => x.email === 'demo@wise-sandbox.local')).toHaveLength(1);
    expect(state.subscriptions).toHaveLength(1);
  });
});

describe('mTLS listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wise-sandbox-mtls-'));
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start({ snapshotDir: dir, mtls: {} });
  });
  afterAll(async () => {
    await wise.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (withClientCert: boolean) =>
    new Promise<number>((resolve, reject) => {
      const m = wise.mtls;
      if (!m) return reject(new Error('no mtls'));
      const req = httpsRequest(
        `${m.url}/_sim/state`,
        { ca: m.caPem, ...(withClientCert ? { cert: m.clientCertPem, key: m.clientKeyPem } : {}) },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('serves the same API to a client with the issued certificate and refuses one without', async () => {
    // Act
    const withCert = await get(true);
    const without = await get(false).then(
      (status) => `status ${status}`,
      () => 'refused',
    );
    // Assess
    expect(wise.mtls?.dir).toBe(join(dir, 'mtls'));
    expect(withCert).toBe(200);
    expect(without).toBe('refused');
  });
});
