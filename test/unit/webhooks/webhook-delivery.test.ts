import { generateKeyPairSync, sign } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../shared/ports/clock';
import {
  MAX_WEBHOOK_BODY_BYTES,
  receiveWebhookDelivery,
  type WebhookDeliveryPorts,
} from '../../../shared/webhooks/webhook-delivery';
import type {
  RecordOutcome,
  StoredWebhookEvent,
  WebhookEventStore,
} from '../../../shared/webhooks/webhook-event-store';
import { webhookKeyringFor } from '../../../shared/webhooks/webhook-signature';
import type { Application, WiseStateProjection } from '../../../shared/webhooks/wise-state-projection';
import { problemOf } from '../../support/problems';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyring = webhookKeyringFor('local', pair.publicKey.export({ type: 'spki', format: 'pem' }) as string);
const BODY = JSON.stringify({
  data: {
    resource: { type: 'profile', id: 111 },
    current_state: 'verified',
    occurred_at: '2026-01-01T00:00:00Z',
  },
  subscription_id: 's',
  event_type: 'profiles#verification-state-change',
  schema_version: '2.0.0',
  sent_at: '2026-01-01T00:00:01Z',
});

const fakes = (
  overrides: { events?: Partial<WebhookEventStore>; projection?: Partial<WiseStateProjection> } = {},
) => {
  const events = {
    record: vi.fn(async (): Promise<RecordOutcome> => ({ kind: 'new' })),
    ...overrides.events,
  };
  const projection = {
    ownerOf: vi.fn(async (): Promise<string | undefined> => 'c1'),
    applyFor: vi.fn(async (): Promise<Application> => ({ outcome: 'APPLIED', customerId: 'c1' })),
    ...overrides.projection,
  };
  const clock = new ManualClock(1_000_000);
  const ports: WebhookDeliveryPorts = {
    keyring,
    events: events as unknown as WebhookEventStore,
    projection: projection as unknown as WiseStateProjection,
    clock,
    logger: new Logger({ logLevel: 'SILENT' }),
  };
  return { ports, events, projection, clock };
};

const delivery = (body = BODY, headers: Record<string, string> = {}) => {
  const all: Record<string, string> = {
    'x-signature-sha256': sign('RSA-SHA256', Buffer.from(body), pair.privateKey).toString('base64'),
    ...headers,
  };
  return { body: Buffer.from(body), header: (n: string) => all[n], remainingMs: 5000 };
};

describe('receiveWebhookDelivery', () => {
  it('refuses everything when no key is configured (fail closed, 503) and touches no store', async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const err = await problemOf(
      receiveWebhookDelivery({ ...ports, keyring: webhookKeyringFor('local') }, delivery()),
    );

    // Assess
    expect([err.status, err.code]).toEqual([503, 'WEBHOOK_KEYS_NOT_CONFIGURED']);
    expect(events.record).not.toHaveBeenCalled();
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
    expect(events.record).not.toHaveBeenCalled();
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
    expect(events.record).not.toHaveBeenCalled();
  });

  it("answers 400 to a signed body that is not Wise's envelope, storing nothing", async () => {
    // Prepare
    const { ports, events } = fakes();

    // Act
    const notJson = await problemOf(receiveWebhookDelivery(ports, delivery('{oops')));
    const noType = await problemOf(receiveWebhookDelivery(ports, delivery('{"data":{}}')));

    // Assess
    expect([notJson.status, noType.status]).toEqual([400, 400]);
    expect(events.record).not.toHaveBeenCalled();
  });

  it('answers 5xx, so that Wise retries, when the record cannot be written, even if the state was applied', async () => {
    // Prepare
    const { ports, projection } = fakes({
      events: { record: vi.fn(async () => Promise.reject(new Error('throttled'))) },
    });

    // Act
    const err = await problemOf(receiveWebhookDelivery(ports, delivery()));

    // Assess
    expect([err.status, err.code, err.retryAfterSeconds]).toEqual([503, 'WEBHOOK_NOT_RECORDED', 60]);
    expect(projection.applyFor).toHaveBeenCalledTimes(1);
  });

  it("answers Wise's retry of a delivery whose record failed after its state was applied with 200, recording it", async () => {
    // Prepare: the first attempt's write landed; the retry's is refused by its occurred_at condition.
    const { ports, events } = fakes({
      projection: {
        applyFor: vi.fn(async (): Promise<Application> => ({ outcome: 'STALE', customerId: 'c1' })),
      },
    });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(result).toBe('stale');
    expect(events.record).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'APPLIED', customerId: 'c1' }),
      expect.anything(),
    );
  });

  it('answers 5xx when applying fails after the record landed, and the redelivery applies it', async () => {
    // Prepare
    const record = vi.fn(async (): Promise<RecordOutcome> => ({ kind: 'new' }));
    const applyFor = vi.fn(async (): Promise<Application> => ({ outcome: 'APPLIED', customerId: 'c1' }));
    const { ports, projection } = fakes({ events: { record }, projection: { applyFor } });
    applyFor.mockRejectedValueOnce(new Error('timeout'));

    // Act
    const err = await problemOf(receiveWebhookDelivery(ports, delivery()));
    record.mockResolvedValueOnce({ kind: 'existing', event: { status: 'APPLIED' } as StoredWebhookEvent });
    const again = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(err.status).toBe(503);
    expect(again).toBe('applied');
    expect(projection.applyFor).toHaveBeenCalledTimes(2);
  });

  it('issues the record and the application at once, not one after the other', async () => {
    // Prepare: the record hangs until the application has been issued.
    let release: (outcome: RecordOutcome) => void = () => undefined;
    const record = vi.fn(() => new Promise<RecordOutcome>((resolve) => (release = resolve)));
    const { ports, projection } = fakes({ events: { record } });

    // Act
    const pending = receiveWebhookDelivery(ports, delivery());
    await vi.waitFor(() => expect(projection.applyFor).toHaveBeenCalledTimes(1));
    expect(record).toHaveBeenCalledTimes(1);
    release({ kind: 'new' });

    // Assess
    expect(await pending).toBe('applied');
  });

  it('answers a redelivery of an applied event "duplicate": its application is refused as not newer', async () => {
    // Prepare
    const existing = { status: 'APPLIED', customerId: 'c1' } as StoredWebhookEvent;
    const { ports } = fakes({
      events: { record: vi.fn(async (): Promise<RecordOutcome> => ({ kind: 'existing', event: existing })) },
      projection: {
        applyFor: vi.fn(async (): Promise<Application> => ({ outcome: 'STALE', customerId: 'c1' })),
      },
    });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(result).toBe('duplicate');
  });

  it('applies a recorded event whose first attempt died before its write landed (no lease needed)', async () => {
    // Prepare: a record left by an attempt that crashed, including one written by the previous version.
    for (const existing of [
      { status: 'APPLIED', customerId: 'c1' },
      { status: 'RECEIVED', leaseUntil: 1_000_000 + 3000 },
    ] as StoredWebhookEvent[]) {
      const { ports, projection } = fakes({
        events: {
          record: vi.fn(async (): Promise<RecordOutcome> => ({ kind: 'existing', event: existing })),
        },
      });

      // Act
      const result = await receiveWebhookDelivery(ports, delivery());

      // Assess
      expect(result).toBe('applied');
      expect(projection.applyFor).toHaveBeenCalledTimes(1);
    }
  });

  it('records an event no customer owns as UNMATCHED and applies nothing', async () => {
    // Prepare
    const { ports, events, projection } = fakes({ projection: { ownerOf: vi.fn(async () => undefined) } });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(result).toBe('unmatched');
    expect(events.record).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'UNMATCHED' }),
      expect.anything(),
    );
    expect(projection.applyFor).not.toHaveBeenCalled();
  });

  it('answers 5xx and records nothing when the owner cannot be looked up', async () => {
    // Prepare
    const { ports, events } = fakes({
      projection: { ownerOf: vi.fn(async () => Promise.reject(new Error('timeout'))) },
    });

    // Act
    const err = await problemOf(receiveWebhookDelivery(ports, delivery()));

    // Assess
    expect(err.status).toBe(503);
    expect(events.record).not.toHaveBeenCalled();
  });

  it('records an event type it does not use as IGNORED, with its data, and applies nothing', async () => {
    // Prepare
    const { ports, events, projection } = fakes();
    const body = JSON.stringify({
      data: { amount: 10 },
      event_type: 'balances#update',
      schema_version: '2.0.0',
    });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery(body));

    // Assess
    expect(result).toBe('ignored');
    expect(events.record).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'IGNORED', reason: 'UNKNOWN_TYPE', payload: '{"amount":10}' }),
      expect.anything(),
    );
    expect(projection.ownerOf).not.toHaveBeenCalled();
    expect(projection.applyFor).not.toHaveBeenCalled();
  });

  it('records a test notification as TEST and applies nothing', async () => {
    // Prepare
    const { ports, events, projection } = fakes();

    // Act
    const result = await receiveWebhookDelivery(ports, delivery(BODY, { 'x-test-notification': 'true' }));

    // Assess
    expect(result).toBe('test');
    expect(events.record).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'TEST' }),
      expect.anything(),
    );
    expect(projection.applyFor).not.toHaveBeenCalled();
  });
});
