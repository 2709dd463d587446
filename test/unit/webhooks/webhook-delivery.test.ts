import { generateKeyPairSync, sign } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { ProblemError } from '../../../shared/http/problem';
import { ManualClock } from '../../../shared/ports/clock';
import {
  MAX_WEBHOOK_BODY_BYTES,
  receiveWebhookDelivery,
  type WebhookDeliveryPorts,
} from '../../../shared/webhooks/webhook-delivery';
import type { StoredWebhookEvent, WebhookEventStore } from '../../../shared/webhooks/webhook-event-store';
import { webhookKeyringFor } from '../../../shared/webhooks/webhook-signature';
import type { WiseStateProjection } from '../../../shared/webhooks/wise-state-projection';

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
    record: vi.fn(async () => ({ kind: 'new' as const })),
    takeOver: vi.fn(async () => true),
    finish: vi.fn(async () => undefined),
    release: vi.fn(async () => undefined),
    ...overrides.events,
  };
  const projection = {
    apply: vi.fn(async () => ({ outcome: 'APPLIED' as const, customerId: 'c1' })),
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

const problemOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemError);
  return err as ProblemError;
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

  it('answers 5xx, so that Wise retries, when the record cannot be written, and applies nothing', async () => {
    // Prepare
    const { ports, projection } = fakes({
      events: { record: vi.fn(async () => Promise.reject(new Error('throttled'))) },
    });

    // Act
    const err = await problemOf(receiveWebhookDelivery(ports, delivery()));

    // Assess
    expect([err.status, err.code, err.headers['Retry-After']]).toEqual([503, 'WEBHOOK_NOT_RECORDED', '60']);
    expect(projection.apply).not.toHaveBeenCalled();
  });

  it('answers 5xx and gives up its lease when applying fails, so the retry applies at once', async () => {
    // Prepare
    const { ports, events } = fakes({
      projection: { apply: vi.fn(async () => Promise.reject(new Error('timeout'))) },
    });

    // Act
    const err = await problemOf(receiveWebhookDelivery(ports, delivery()));

    // Assess
    expect(err.status).toBe(503);
    expect(events.release).toHaveBeenCalledTimes(1);
    expect(events.finish).not.toHaveBeenCalled();
  });

  it('answers 200 when the event is applied but its record cannot be closed', async () => {
    // Prepare
    const { ports } = fakes({ events: { finish: vi.fn(async () => Promise.reject(new Error('timeout'))) } });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(result).toEqual({ status: 200, body: { result: 'applied' } });
  });

  it('leaves a copy that another attempt is applying right now to that attempt', async () => {
    // Prepare
    const existing = { status: 'RECEIVED', leaseUntil: 1_000_000 + 3000 } as StoredWebhookEvent;
    const { ports, projection } = fakes({
      events: { record: vi.fn(async () => ({ kind: 'existing' as const, event: existing })) },
    });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(result.body).toEqual({ result: 'duplicate' });
    expect(projection.apply).not.toHaveBeenCalled();
  });

  it('takes over and applies an event whose applying attempt died (lease over)', async () => {
    // Prepare
    const existing = { status: 'RECEIVED', leaseUntil: 999_000 } as StoredWebhookEvent;
    const { ports, events, projection } = fakes({
      events: { record: vi.fn(async () => ({ kind: 'existing' as const, event: existing })) },
    });

    // Act
    const result = await receiveWebhookDelivery(ports, delivery());

    // Assess
    expect(result.body).toEqual({ result: 'applied' });
    expect(events.takeOver).toHaveBeenCalledWith(
      expect.any(String),
      999_000,
      expect.any(Number),
      expect.anything(),
    );
    expect(projection.apply).toHaveBeenCalledTimes(1);
  });

  it('records a test notification as TEST and applies nothing', async () => {
    // Prepare
    const { ports, events, projection } = fakes();

    // Act
    const result = await receiveWebhookDelivery(ports, delivery(BODY, { 'x-test-notification': 'true' }));

    // Assess
    expect(result.body).toEqual({ result: 'test' });
    expect(events.record).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'TEST' }),
      expect.anything(),
    );
    expect(projection.apply).not.toHaveBeenCalled();
  });
});
