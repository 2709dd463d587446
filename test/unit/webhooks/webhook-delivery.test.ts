import { generateKeyPairSync, sign } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import type { NewWebhookEvent, RecordOutcome } from '../../../shared/ports/webhook-events';
import type { CallBudget } from '../../../shared/webhooks/call-budget';
import {
  MAX_WEBHOOK_BODY_BYTES,
  receiveWebhookDelivery,
  type WebhookDeliveryPorts,
} from '../../../shared/webhooks/webhook-delivery';
import { dedupKeyOf } from '../../../shared/webhooks/webhook-event';
import { webhookKeyringFor } from '../../../shared/webhooks/webhook-signature';
import { InMemoryWebhookEventStore, ManualClock } from '../../support/fakes';
import { problemOf } from '../../support/problems';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyring = webhookKeyringFor('local', pair.publicKey.export({ type: 'spki', format: 'pem' }) as string);
const DATA = {
  resource: { type: 'profile', id: 111 },
  current_state: 'verified',
  occurred_at: '2026-01-01T00:00:00Z',
};
const envelopeOf = (eventType: string, data: Record<string, unknown> = DATA) =>
  JSON.stringify({
    data,
    subscription_id: 's',
    event_type: eventType,
    schema_version: '2.0.0',
    sent_at: '2026-01-01T00:00:01Z',
  });
const BODY = envelopeOf('profiles#verification-state-change');

/** The event store, counting its calls; `failing` makes every record throw (a throttled or missing table). */
class CountingEventStore extends InMemoryWebhookEventStore {
  calls = 0;
  failing: Error | undefined;
  override async record(event: NewWebhookEvent, budget: CallBudget): Promise<RecordOutcome> {
    this.calls++;
    if (this.failing) throw this.failing;
    return super.record(event, budget);
  }
}

const fakes = () => {
  const events = new CountingEventStore(new ManualClock(1_000_000));
  const ports: WebhookDeliveryPorts = { keyring, events, logger: new Logger({ logLevel: 'SILENT' }) };
  return { ports, events };
};

const delivery = (body = BODY, headers: Record<string, string> = {}) => {
  const all: Record<string, string> = {
    'x-signature-sha256': sign('RSA-SHA256', Buffer.from(body), pair.privateKey).toString('base64'),
    ...headers,
  };
  return { body: Buffer.from(body), header: (n: string) => all[n], remainingMs: 5000 };
};

describe('receiveWebhookDelivery refuses before storing', () => {
  it('refuses everything when no key is configured (fail closed, 503) and touches no store', async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const err = await problemOf(
      receiveWebhookDelivery({ ...ports, keyring: webhookKeyringFor('local') }, delivery()),
    );

    // Assess
    expect([err.status, err.code, err.retryAfterSeconds]).toEqual([503, 'WEBHOOK_KEYS_NOT_CONFIGURED', 300]);
    expect(events.calls).toBe(0);
  });

  it('answers 413 to an oversized body before looking at its signature', async () => {
    // Prepare
    const { ports, events } = fakes();
    const big = 'x'.repeat(MAX_WEBHOOK_BODY_BYTES + 1);

    // Act
    const err = await problemOf(
      receiveWebhookDelivery(ports, { body: Buffer.from(big), header: () => undefined, remainingMs: 5000 }),
    );

    // Assess
    expect(err.status).toBe(413);
    expect(events.calls).toBe(0);
  });

  it('answers 401 without parsing or storing when the signature does not verify', async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const err = await problemOf(
      receiveWebhookDelivery(ports, { ...delivery(), body: Buffer.from('{not json at all') }),
    );

    // Assess
    expect([err.status, err.code]).toEqual([401, 'INVALID_SIGNATURE']);
    expect(events.calls).toBe(0);
  });

  it("answers 400 to a signed body that is not Wise's envelope, storing nothing", async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const notJson = await problemOf(receiveWebhookDelivery(ports, delivery('{oops')));
    const noType = await problemOf(receiveWebhookDelivery(ports, delivery('{"data":{}}')));

    // Assess
    expect([notJson.status, noType.status]).toEqual([400, 400]);
    expect(events.calls).toBe(0);
  });
});

describe('receiveWebhookDelivery records, and only records', () => {
  it('records an applicable event RECEIVED with its data, in one write, and answers recorded', async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const result = await receiveWebhookDelivery(ports, delivery(BODY, { 'x-delivery-id': 'd-1' }));

    // Assess
    expect(result).toBe('recorded');
    expect(events.calls).toBe(1);
    expect(await events.get(dedupKeyOf(JSON.parse(BODY)))).toMatchObject({
      status: 'RECEIVED',
      eventType: 'profiles#verification-state-change',
      deliveryId: 'd-1',
      resourceId: '111',
      state: 'verified',
      occurredAt: Date.parse('2026-01-01T00:00:00Z'),
      payload: JSON.stringify(DATA),
    });
  });

  it('answers a second copy duplicate and leaves the first record as it was', async () => {
    // Prepare
    const { ports, events } = fakes();
    await receiveWebhookDelivery(ports, delivery(BODY, { 'x-delivery-id': 'd-1' }));
    const before = await events.get(dedupKeyOf(JSON.parse(BODY)));

    // Act
    const again = await receiveWebhookDelivery(ports, delivery(BODY, { 'x-delivery-id': 'd-2' }));

    // Assess
    expect(again).toBe('duplicate');
    expect(await events.get(dedupKeyOf(JSON.parse(BODY)))).toEqual(before);
  });

  it('records an event type the product does not use as IGNORED, keeping its data, and answers ignored', async () => {
    // Prepare
    const { ports, events } = fakes();
    const body = envelopeOf('balances#update', { amount: 10 });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery(body));

    // Assess
    expect(result).toBe('ignored');
    expect(await events.get(dedupKeyOf(JSON.parse(body)))).toMatchObject({
      status: 'IGNORED',
      reason: 'UNKNOWN_TYPE',
      payload: '{"amount":10}',
    });
  });

  it("records a test notification TEST under a key of its own, so it never takes the real event's key", async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const test = await receiveWebhookDelivery(ports, delivery(BODY, { 'x-test-notification': 'true' }));
    const real = await receiveWebhookDelivery(ports, delivery(BODY));

    // Assess
    expect([test, real]).toEqual(['test', 'recorded']);
    const key = dedupKeyOf(JSON.parse(BODY));
    expect(await events.get(`TEST#${key}`)).toMatchObject({ status: 'TEST' });
    expect(await events.get(key)).toMatchObject({ status: 'RECEIVED' });
  });

  it('answers 503 WEBHOOK_NOT_RECORDED with Retry-After when the record cannot be written, so that Wise retries', async () => {
    // Prepare
    const { ports, events } = fakes();
    events.failing = Object.assign(new Error('throttled'), {
      name: 'ProvisionedThroughputExceededException',
    });

    // Act
    const err = await problemOf(receiveWebhookDelivery(ports, delivery()));
    events.failing = undefined;
    const retry = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect([err.status, err.code, err.retryAfterSeconds]).toEqual([503, 'WEBHOOK_NOT_RECORDED', 60]);
    expect(retry).toBe('recorded');
  });
});
