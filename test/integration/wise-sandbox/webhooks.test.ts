import { verify, constants } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { createSimClock } from '../../../local/wise-sandbox';
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
  // Retries and the 5 s delivery timeout run on the simulator's clock: the test moves it.
  const clock = createSimClock(Date.parse('2026-05-01T00:00:00Z'));
  beforeAll(async () => {
    wise = await start({ clock });
  });
  afterAll(() => wise.close());

  const deliveryOf = async (subId: string) => {
    const d = (await simStateOf(wise)).deliveries.find((x) => x.subscriptionId === subId);
    if (!d) throw new Error(`no delivery for ${subId}`);
    return d;
  };
  const at = (offsetMs: number, from: number) => new Date(from + offsetMs).toISOString();
  const sendEvent = (eventType: string) =>
    fetch(`${wise.url}/_sim/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: eventType }),
    });

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

  it("retries a failing receiver on Wise's backoff (1 min, then 2 min) with a new X-Delivery-Id per attempt", async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = [500, 503, 200];
    const subId = await subscribeApplication(wise, receiver.url, 'users#state-change');
    const u = await signUpUser(wise);
    const t0 = clock.now();
    // Act
    await fetch(`${wise.url}/_sim/users/${u.userId}/deactivate`, { method: 'POST' });
    const afterFirst = await deliveryOf(subId);
    await wise.advance(60_000 - 1);
    const beforeRetry = await deliveryOf(subId);
    await wise.advance(1);
    const afterSecond = await deliveryOf(subId);
    await wise.advance(2 * 60_000);
    const done = await deliveryOf(subId);
    const hooks = await receiver.waitFor(3);
    await receiver.close();
    // Assess
    expect(afterFirst).toMatchObject({ attempts: 1, responseStatus: 500, nextAttemptAt: at(60_000, t0) });
    expect(beforeRetry.attempts).toBe(1);
    expect(afterSecond).toMatchObject({ attempts: 2, responseStatus: 503, nextAttemptAt: at(180_000, t0) });
    expect(done).toMatchObject({
      attempts: 3,
      responseStatus: 200,
      status: 'delivered',
      nextAttemptAt: null,
    });
    expect(done.attemptedAt).toEqual([at(0, t0), at(60_000, t0), at(180_000, t0)]);
    const ids = hooks.map((h) => h.headers['x-delivery-id']);
    expect(new Set(ids).size).toBe(3);
    expect(done.deliveryIds).toEqual(ids);
    expect(hooks.every((h) => h.rawBody.equals(hooks[0]?.rawBody ?? Buffer.alloc(0)))).toBe(true);
    const data = userStateChangeData.parse(JSON.parse(hooks[0]?.rawBody.toString() ?? '').data);
    expect(data).toMatchObject({
      resource: { id: u.userId, type: 'user' },
      previous_state: 'ACTIVE',
      current_state: 'DEACTIVATED',
    });
  });

  it('after eleven backoff retries Wise retries daily, 26 attempts in all', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = [503];
    const subId = await subscribeApplication(wise, receiver.url, 'transfers#state-change');
    // Act
    await sendEvent('transfers#state-change');
    const gaps: number[] = [];
    for (let i = 0; i < 25; i++) {
      const d = await deliveryOf(subId);
      const next = Date.parse(d.nextAttemptAt ?? '');
      gaps.push(next - Date.parse(d.attemptedAt.at(-1) ?? ''));
      await wise.advance(next - clock.now());
    }
    const last = await deliveryOf(subId);
    await receiver.close();
    // Assess
    const minute = 60_000;
    const day = 24 * 60 * minute;
    expect(gaps).toEqual([
      ...[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].map((m) => m * minute),
      ...Array<number>(14).fill(day),
    ]);
    expect(last).toMatchObject({ attempts: 26, status: 'failed', nextAttemptAt: null });
    expect(receiver.received).toHaveLength(26);
  });

  it('no answer within 5 s on the simulator clock is a failed attempt', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = ['hang', 200];
    const subId = await subscribeApplication(wise, receiver.url, 'profiles#state-change');
    const t0 = clock.now();
    // Act
    const sent = sendEvent('profiles#state-change');
    await receiver.waitFor(1);
    const hanging = await deliveryOf(subId);
    await wise.advance(5000);
    await sent;
    const timedOut = await deliveryOf(subId);
    await wise.advance(60_000);
    const delivered = await deliveryOf(subId);
    await receiver.close();
    // Assess
    expect(hanging).toMatchObject({
      attempts: 1,
      status: 'pending',
      responseStatus: null,
      nextAttemptAt: null,
    });
    expect(timedOut).toMatchObject({ attempts: 1, responseStatus: null, nextAttemptAt: at(65_000, t0) });
    expect(delivered).toMatchObject({ attempts: 2, status: 'delivered' });
  });

  it('honours Retry-After, in seconds and as an HTTP date', async () => {
    // Prepare
    const seconds = await new WebhookReceiver().start();
    seconds.answers = [429, 200];
    seconds.extraHeaders = { 'retry-after': '120' };
    const bySeconds = await subscribeApplication(wise, seconds.url, 'profiles#cdd-check-state-change');
    const date = await new WebhookReceiver().start();
    date.answers = [503, 200];
    date.extraHeaders = { 'retry-after': new Date(clock.now() + 300_000).toUTCString() };
    const byDate = await subscribeApplication(wise, date.url, 'profiles#cdd-check-state-change');
    const t0 = clock.now();
    // Act
    await sendEvent('profiles#cdd-check-state-change');
    const first = [await deliveryOf(bySeconds), await deliveryOf(byDate)];
    await wise.advance(300_000);
    const last = [await deliveryOf(bySeconds), await deliveryOf(byDate)];
    await seconds.close();
    await date.close();
    // Assess
    expect(first.map((d) => d.nextAttemptAt)).toEqual([at(120_000, t0), at(300_000, t0)]);
    expect(last.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(last.map((d) => d.attemptedAt[1])).toEqual([at(120_000, t0), at(300_000, t0)]);
  });

  it('a 400 answer is attempted at most 3 times', async () => {
    // Prepare
    const receiver = await new WebhookReceiver().start();
    receiver.answers = [400];
    const subId = await subscribeApplication(wise, receiver.url, 'balances#update');
    // Act
    await sendEvent('balances#update');
    await wise.advance(60_000);
    await wise.advance(120_000);
    const failed = await deliveryOf(subId);
    await wise.advance(24 * 60 * 60 * 1000);
    await receiver.close();
    // Assess
    expect(failed).toMatchObject({ attempts: 3, status: 'failed', nextAttemptAt: null });
    expect(receiver.received).toHaveLength(3);
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
