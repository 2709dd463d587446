import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError, ValidationError } from '../errors/domain-error';
import type { Metrics } from '../ports/metrics';
import type { NewWebhookEvent, RecordOutcome, WebhookEventStore } from '../ports/webhook-events';
import { CallBudget } from './call-budget';
import {
  APPLIED_EVENT_TYPES,
  dedupKeyOf,
  envelopeSchema,
  summaryOf,
  testDedupKeyOf,
  type WebhookEnvelope,
} from './webhook-event';
import { checkWebhookSignature, type WebhookKeyring } from './webhook-signature';

/** Wise's events are small JSON documents (no PII, a few hundred bytes); far larger bodies are refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/**
 * What a delivery did, as the 200 body says it (Wise ignores the body; operators and tests read it):
 * `recorded` — a new event the projection will apply; `ignored` — a new event of a type the product
 * does not use; `test` — a new test notification; `duplicate` — already recorded.
 */
export type DeliveryResult = 'recorded' | 'ignored' | 'test' | 'duplicate';
export const DELIVERY_RESULTS = [
  'recorded',
  'ignored',
  'test',
  'duplicate',
] as const satisfies readonly DeliveryResult[];

export interface IncomingDelivery {
  /** The request body exactly as Wise sent it (API Gateway's base64 already undone). */
  body: Buffer;
  header(name: string): string | undefined;
  /** Milliseconds before the Lambda times out. */
  remainingMs: number;
}

/** What the receiver needs: the keys to verify with and the event records. Nothing that reads or writes state. */
export interface WebhookDeliveryPorts {
  keyring: WebhookKeyring;
  events: WebhookEventStore;
  logger: Logger;
  /** Delivery results, signature refusals and lag (shared/metrics/names.ts). */
  metrics?: Metrics;
}

const unauthorized = () =>
  new DomainError('INVALID_SIGNATURE', {
    detail: 'The X-Signature-SHA256 signature is missing or does not verify.',
  });

/** A 5xx makes Wise redeliver (for about two weeks), so nothing is lost while the store is down. */
const notRecorded = (cause: unknown) =>
  new DomainError('WEBHOOK_NOT_RECORDED', {
    detail: 'The event could not be recorded; redeliver it later.',
    retryAfterSeconds: 60,
    cause,
  });

/**
 * Route 11, storage-first (Wise's guidance for receivers: validate, store, answer 2xx within 5 s,
 * process asynchronously). In this order, so that nothing unverified is parsed or stored: bound the
 * size, verify the signature over the raw bytes, parse the envelope, then ONE conditional put of the
 * event record — the de-duplicating log entry, kept 30 days — and 200. No owner lookup and no state
 * write here: the table's stream carries the new record to the projection
 * (functions/webhook-projection), which applies it with the rules of WiseStateProjection.
 *
 * Why this is enough, whatever fails:
 * - the put fails (throttled, timed out, table gone): 5xx, Wise redelivers; nothing was recorded.
 * - the put lands and the process dies before answering: Wise redelivers, the copy finds the
 *   record (`duplicate`, 200); the record's stream record is already on its way to the projection.
 * - n concurrent copies: DynamoDB serialises conditional puts per item, so exactly one creates the
 *   record (one stream record, one application) and the others answer `duplicate`.
 * - the projection fails: the stream retries it (bounded, bisected), then the failure queue and
 *   `npm run webhooks:replay` take over; the record stays RECEIVED until an outcome is recorded.
 *
 * A test notification (X-Test-Notification, which the signature does not cover) is recorded under
 * a key of its own and never applied; an event type the product does not use is recorded IGNORED.
 */
export const receiveWebhookDelivery = async (
  ports: WebhookDeliveryPorts,
  delivery: IncomingDelivery,
): Promise<DeliveryResult> => {
  const { keyring, logger } = ports;
  if (delivery.body.length > MAX_WEBHOOK_BODY_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', {
      detail: `The body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes.`,
    });
  }
  // Fail closed: without a key no delivery can be trusted. 503 rather than 401, because the fault is
  // ours (configuration) and Wise keeps retrying a 5xx for two weeks while the operator fixes it.
  if (keyring.keys.length === 0) {
    logger.error('webhook keys not configured', { problem: keyring.problem });
    throw new DomainError('WEBHOOK_KEYS_NOT_CONFIGURED', {
      detail: 'Webhook verification is not configured; deliveries are refused.',
      retryAfterSeconds: 300,
    });
  }
  const check = checkWebhookSignature(delivery.body, delivery.header('x-signature-sha256'), keyring.keys);
  if (check !== 'valid') {
    ports.metrics?.emit('webhookSignatureRejected', 1);
    logger.warn('webhook signature refused', { reason: check, bytes: delivery.body.length });
    throw unauthorized();
  }

  const envelope = parseEnvelope(delivery.body);
  const test = delivery.header('x-test-notification')?.trim().toLowerCase() === 'true';
  const applied = !test && APPLIED_EVENT_TYPES.has(envelope.event_type);
  const event: NewWebhookEvent = {
    dedupKey: test ? testDedupKeyOf(envelope) : dedupKeyOf(envelope),
    eventType: envelope.event_type,
    schemaVersion: envelope.schema_version,
    subscriptionId: envelope.subscription_id,
    deliveryId: delivery.header('x-delivery-id')?.slice(0, 64),
    ...summaryOf(envelope),
    status: test ? 'TEST' : applied ? 'RECEIVED' : 'IGNORED',
    reason: test || applied ? undefined : 'UNKNOWN_TYPE',
    payload: JSON.stringify(envelope.data),
  };

  const budget = CallBudget.within(delivery.remainingMs);
  let recorded: RecordOutcome;
  try {
    recorded = await ports.events.record(event, budget);
  } catch (err) {
    logger.error('webhook not recorded', { eventType: event.eventType, errorName: (err as Error).name });
    throw notRecorded(err);
  }
  const result: DeliveryResult =
    recorded.kind === 'existing' ? 'duplicate' : test ? 'test' : applied ? 'recorded' : 'ignored';
  ports.metrics?.emit('webhookResults', 1, { result: recorded.kind === 'existing' ? 'DUPLICATE' : 'STORED' });
  if (recorded.kind === 'new' && !test && event.occurredAt !== undefined)
    ports.metrics?.emit('webhookLag', Math.max(0, Date.now() - event.occurredAt));
  logger.info('webhook', {
    eventType: event.eventType,
    result,
    test,
    writeUnits: budget.writeUnits,
    ...(recorded.kind === 'existing' ? { recordStatus: recorded.event.status } : {}),
  });
  return result;
};

/** A verified body that is not Wise's envelope is a broken delivery, not a transient fault: 400. */
const parseEnvelope = (body: Buffer): WebhookEnvelope => {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ValidationError([{ path: '(body)', message: 'not valid JSON' }], 'The body is not valid JSON.');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({
        path: i.path.map(String).join('.') || '(body)',
        message: i.message,
      })),
      'The body is not a Wise event envelope.',
    );
  }
  return parsed.data;
};
