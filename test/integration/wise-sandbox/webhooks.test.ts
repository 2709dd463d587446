import { verify, constants } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import {
  CLIENT_ID,
  call,
  clientToken,
  createPersonalProfile,
  signUpUser,
  simStateOf,
  start,
  subscribeApplication,
  WebhookReceiver,
} from './helpers';
import {
  subscription,
  testNotificationResponse,
  userStateChangeData,
  validationErrors,
  verificationStateChangeData,
  webhookEnvelope,
} from './schemas/wise';

function signatureValid(pem: string, rawBody: Buffer, signature: string | string[] | undefined): boolean {
  return verify(
    'RSA-SHA256',
    rawBody,
    { key: pem, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(String(signature), 'base64'),
  );
}

describe('webhook subscriptions', () => {
  let wise: WiseSandbox;
  let cc: string;
  beforeAll(async () => {
    wise = await start();
    cc = await clientToken(wise);
  });
  afterAll(() => wise.close());

  const appPath = `/v3/applications/${CLIENT_ID}/subscriptions`;
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Webhook Subscription #1',
    trigger_on: 'profiles#verification-state-change',
    delivery: { version: '2.0.0', url: 'https://partner.example/webhooks' },
    ...overrides,
  });

  it('application subscriptions: create (200), list, get, delete (204)', async () => {
    // Act
    const created = await call(wise, 'POST', appPath, cc, body());
    const sub = subscription.parse(await created.json());
    const list = await call(wise, 'GET', appPath, cc);
    const one = await call(wise, 'GET', `${appPath}/${sub.id}`, cc);
    const del = await call(wise, 'DELETE', `${appPath}/${sub.id}`, cc);
    const gone = await call(wise, 'GET', `${appPath}/${sub.id}`, cc);
    // Assess
    expect(created.status).toBe(200);
    expect(sub).toMatchObject({
      scope: { domain: 'application', id: CLIENT_ID },
      created_by: { type: 'application', id: CLIENT_ID },
    });
    expect(((await list.json()) as { id: string }[]).map((s) => s.id)).toContain(sub.id);
    expect(subscription.parse(await one.json()).id).toBe(sub.id);
    expect(del.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('validates trigger_on, version and delivery URL (https:443, no IP, no query; localhost allowed)', async () => {
    // Prepare
    const urls = [
      'http://partner.example/hook',
      'https://partner.example:8443/hook',
      'https://10.0.0.1/hook',
      'https://partner.example/hook?x=1',
    ];
    // Act
    const badUrls = await Promise.all(
      urls.map((url) => call(wise, 'POST', appPath, cc, body({ delivery: { version: '2.0.0', url } }))),
    );
    const badTrigger = await call(wise, 'POST', appPath, cc, body({ trigger_on: 'balances#credit' }));
    const badVersion = await call(
      wise,
      'POST',
      appPath,
      cc,
      body({ delivery: { version: '9.9.9', url: 'https://partner.example/hook' } }),
    );
    const missing = await call(wise, 'POST', appPath, cc, {});
    const local = await call(
      wise,
      'POST',
      appPath,
      cc,
      body({ delivery: { version: '2.0.0', url: 'http://127.0.0.1:3000/v1/webhooks/wise' } }),
    );
    const localhost = await call(
      wise,
      'POST',
      appPath,
      cc,
      body({ delivery: { version: '2.0.0', url: 'http://localhost:3000/v1/webhooks/wise' } }),
    );
    // Assess
    expect(badUrls.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    expect(badTrigger.status).toBe(400);
    expect(validationErrors.parse(await badTrigger.json()).errors[0]?.path).toBe('trigger_on');
    expect(badVersion.status).toBe(400);
    expect(validationErrors.parse(await missing.json()).errors.map((e) => e.path)).toEqual([
      'name',
      'trigger_on',
      'delivery',
    ]);
    expect(local.status).toBe(200);
    expect(localhost.status).toBe(200);
  });

  it('application subscriptions need a client-credentials token and the right client key', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const userToken = await call(wise, 'GET', appPath, u.accessToken);
    const wrongKey = await call(wise, 'GET', '/v3/applications/someone-else/subscriptions', cc);
    const none = await call(wise, 'GET', appPath);
    // Assess
    expect(userToken.status).toBe(403);
    expect(wrongKey.status).toBe(403);
    expect(none.status).toBe(401);
  });

  it('profile subscriptions: user token, profile scope, profile-only events', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const profileId = await createPersonalProfile(wise, u.accessToken);
    const path = `/v3/profiles/${profileId}/subscriptions`;
    // Act
    const created = await call(
      wise,
      'POST',
      path,
      u.accessToken,
      body({ trigger_on: 'transfers#state-change' }),
    );
    const sub = subscription.parse(await created.json());
    const appOnly = await call(
      wise,
      'POST',
      path,
      u.accessToken,
      body({ trigger_on: 'profiles#verification-state-change' }),
    );
    const list = await call(wise, 'GET', path, u.accessToken);
    const withClient = await call(wise, 'GET', path, cc);
    const del = await call(wise, 'DELETE', `${path}/${sub.id}`, u.accessToken);
    // Assess
    expect(sub).toMatchObject({
      scope: { domain: 'profile', id: String(profileId) },
      created_by: { type: 'user', id: String(u.userId) },
    });
    expect(appOnly.status).toBe(400);
    expect(((await list.json()) as unknown[]).length).toBe(1);
    expect(withClient.status).toBe(403);
    expect(del.status).toBe(204);
  });
});

describe('webhook deliveries', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start({ webhookRetry: { baseDelayMs: 40, factor: 2, maxAttempts: 4, timeoutMs: 300 } });
  });
  afterAll(() => wise.close());

  it('verification simulation sends profiles#verification-state-change, signed over the raw body', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    const cc = await clientToken(wise);
    await subscribeApplication(wise, receiver.url, 'profiles#verification-state-change', cc);
    const u = await signUpUser(wise);
    const profileId = await createPersonalProfile(wise, u.accessToken);
    // Act
    await call(wise, 'POST', `/v1/simulation/profiles/${profileId}/verifications`, u.accessToken);
    const [hook] = await receiver.waitFor(1);
    await receiver.close();
    // Assess
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(hook?.headers['x-delivery-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(hook?.headers['x-test-notification']).toBeUndefined();
    expect(
      signatureValid(
        wise.webhookPublicKeyPem,
        hook?.rawBody ?? Buffer.alloc(0),
        hook?.headers['x-signature-sha256'],
      ),
    ).toBe(true);
    expect(
      signatureValid(
        wise.webhookPublicKeyPem,
        Buffer.concat([hook?.rawBody ?? Buffer.alloc(0), Buffer.from(' ')]),
        hook?.headers['x-signature-sha256'],
      ),
    ).toBe(false);
    const envelope = webhookEnvelope.parse(JSON.parse(hook?.rawBody.toString() ?? ''));
    expect(envelope).toMatchObject({
      event_type: 'profiles#verification-state-change',
      schema_version: '2.0.0',
    });
    expect(envelope.sent_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(verificationStateChangeData.parse(envelope.data)).toMatchObject({
      resource: { type: 'profile', id: profileId },
      current_state: 'verified',
    });
  });

  it('retries a failing receiver with exponential backoff and a new X-Delivery-Id per attempt', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = [500, 503, 200];
    const subId = await subscribeApplication(wise, receiver.url, 'users#state-change');
    const u = await signUpUser(wise);
    // Act
    await fetch(`${wise.url}/_sim/users/${u.userId}/deactivate`, { method: 'POST' });
    const hooks = await receiver.waitFor(3);
    await new Promise((r) => setTimeout(r, 50));
    await receiver.close();
    // Assess
    const ids = hooks.map((h) => h.headers['x-delivery-id']);
    expect(new Set(ids).size).toBe(3);
    expect(hooks.every((h) => h.rawBody.equals(hooks[0]?.rawBody ?? Buffer.alloc(0)))).toBe(true);
    const gap1 = (hooks[1]?.at ?? 0) - (hooks[0]?.at ?? 0);
    const gap2 = (hooks[2]?.at ?? 0) - (hooks[1]?.at ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(35);
    expect(gap2).toBeGreaterThanOrEqual(75);
    const data = userStateChangeData.parse(JSON.parse(hooks[0]?.rawBody.toString() ?? '').data);
    expect(data).toMatchObject({
      resource: { id: u.userId, type: 'user' },
      previous_state: 'ACTIVE',
      current_state: 'DEACTIVATED',
    });
    const delivery = (await simStateOf(wise)).deliveries.find((d) => d.subscriptionId === subId);
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 200, status: 'delivered' });
  });

  it('treats no answer within the timeout as a failure, and gives up after maxAttempts', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = ['hang'];
    const subId = await subscribeApplication(wise, receiver.url, 'transfers#state-change');
    // Act
    await fetch(`${wise.url}/_sim/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'transfers#state-change' }),
    });
    await receiver.waitFor(4);
    await new Promise((r) => setTimeout(r, 500));
    await receiver.close();
    // Assess
    expect(receiver.received.length).toBe(4);
    expect((await simStateOf(wise)).deliveries.find((d) => d.subscriptionId === subId)).toMatchObject({
      attempts: 4,
      responseStatus: null,
      status: 'failed',
    });
  });

  it('honours Retry-After (compressed like the backoff)', async () => {
    // Prepare: Retry-After 120 s × (40 ms / 60 000 ms) = 80 ms instead of the 40 ms backoff
    const receiver = await new WebhookReceiver().start();
    receiver.answers = [429, 200];
    receiver.extraHeaders = { 'retry-after': '120' };
    await subscribeApplication(wise, receiver.url, 'profiles#cdd-check-state-change');
    // Act
    await fetch(`${wise.url}/_sim/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'profiles#cdd-check-state-change' }),
    });
    const hooks = await receiver.waitFor(2);
    await receiver.close();
    // Assess
    expect((hooks[1]?.at ?? 0) - (hooks[0]?.at ?? 0)).toBeGreaterThanOrEqual(75);
  });

  it('a 400 answer is attempted at most 3 times', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = [400];
    const subId = await subscribeApplication(wise, receiver.url, 'balances#update');
    // Act
    await fetch(`${wise.url}/_sim/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'balances#update' }),
    });
    await receiver.waitFor(3);
    await new Promise((r) => setTimeout(r, 400));
    await receiver.close();
    // Assess
    expect(receiver.received.length).toBe(3);
    expect((await simStateOf(wise)).deliveries.find((d) => d.subscriptionId === subId)?.status).toBe(
      'failed',
    );
  });

  it('test notifications carry X-Test-Notification: true and dummy data', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    const cc = await clientToken(wise);
    const subId = await subscribeApplication(wise, receiver.url, 'kyc-reviews#state-change', cc);
    // Act
    const res = await call(
      wise,
      'POST',
      `/v3/applications/${CLIENT_ID}/subscriptions/${subId}/test-notifications`,
      cc,
    );
    const [hook] = await receiver.waitFor(1);
    await receiver.close();
    // Assess
    expect(res.status).toBe(200);
    const [ack] = testNotificationResponse.parse(await res.json());
    expect(hook?.headers['x-test-notification']).toBe('true');
    expect(hook?.headers['x-delivery-id']).toBe(ack?.delivery_id);
    expect(
      signatureValid(
        wise.webhookPublicKeyPem,
        hook?.rawBody ?? Buffer.alloc(0),
        hook?.headers['x-signature-sha256'],
      ),
    ).toBe(true);
    expect(webhookEnvelope.parse(JSON.parse(hook?.rawBody.toString() ?? '')).subscription_id).toBe(subId);
  });

  it('GET /_sim/webhook-public-key serves the PEM deliveries are signed with', async () => {
    // Act
    const res = await fetch(`${wise.url}/_sim/webhook-public-key`);
    // Assess
    expect(await res.text()).toBe(wise.webhookPublicKeyPem);
    expect(wise.webhookPublicKeyPem).toContain('BEGIN PUBLIC KEY');
  });
});
