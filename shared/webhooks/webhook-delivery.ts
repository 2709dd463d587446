import type { Logger } from '@aws-lambda-powertools/logger';
import { ProblemError } from '../http/problem';
import type { HttpResult } from '../http/types';
import type { Clock } from '../ports/clock';
import { CallBudget } from './call-budget';
import { dedupKeyOf, envelopeSchema, interpret, summaryOf, type WebhookEnvelope } from './webhook-event';
import type { WebhookEventStore, NewWebhookEvent } from './webhook-event-store';
import { checkWebhookSignature, type WebhookKeyring } from './webhook-signature';
import type { WiseStateProjection } from './wise-state-projection';

/** Wise's events are small JSON documents (no PII, a few hundred bytes); far larger bodies are refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** What a delivery did, as the 200 body says it (Wise ignores the body; operators and tests read it). */
export type DeliveryResult = 'applied' | 'stale' | 'unmatched' | 'ignored' | 'test' | 'duplicate';

export interface IncomingDelivery {
  /** The request body exactly as Wise sent it (API Gateway's base64 already undone). */
  body: Buffer;
  header(name: string): string | undefined;
  /** Milliseconds before the Lambda times out. */
  remainingMs: number;
}

export interface WebhookDeliveryPorts {
  keyring: WebhookKeyring;
  events: WebhookEventStore;
  projection: WiseStateProjection;
  clock: Clock;
  logger: Logger;
}

const unauthorized = () =>
  new ProblemError(
    401,
    'INVALID_SIGNATURE',
    'The X-Signature-SHA256 signature is missing or does not verify.',
  );

/** A 5xx makes Wise redeliver (for about two weeks), so nothing is lost while the store is down. */
const notRecorded = (cause: unknown) =>
  new ProblemError(503, 'WEBHOOK_NOT_RECORDED', 'The event could not be recorded; redeliver it later.', {
    headers: { 'Retry-After': '60' },
    cause,
  });

const ok = (result: DeliveryResult): HttpResult => ({ status: 200, body: { result } });

/**
 * Route 11: one Wise delivery. In this order, so that nothing unverified is ever parsed or stored:
 * bound the size, verify the signature over the raw bytes, parse, record durably (de-duplicated
 * by the event's own identity), apply, close the record. Wise hears 200 only once the record is
 * durable; a failure before that is a 5xx, and Wise retries.
 */
export const receiveWebhookDelivery = async (
  ports: WebhookDeliveryPorts,
  delivery: IncomingDelivery,
): Promise<HttpResult> => {
  const { keyring, logger } = ports;
  if (delivery.body.length > MAX_WEBHOOK_BODY_BYTES) {
    throw new ProblemError(413, 'PAYLOAD_TOO_LARGE', `The body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes.`);
  }
  // Fail closed: without a key no delivery can be trusted. 503 rather than 401, because the fault is
  // ours (configuration) and Wise keeps retrying a 5xx for two weeks while the operator fixes it.
  if (keyring.keys.length === 0) {
    logger.error('webhook keys not configured', { problem: keyring.problem });
    throw new ProblemError(
      503,
      'WEBHOOK_KEYS_NOT_CONFIGURED',
      'Webhook verification is not configured; deliveries are refused.',
      {
        headers: { 'Retry-After': '300' },
      },
    );
  }
  const check = checkWebhookSignature(delivery.body, delivery.header('x-signature-sha256'), keyring.keys);
  if (check !== 'valid') {
    logger.warn('webhook signature refused', { reason: check, bytes: delivery.body.length });
    throw unauthorized();
  }

  const envelope = parseEnvelope(delivery.body);
  const budget = CallBudget.within(delivery.remainingMs);
  const dedupKey = dedupKeyOf(envelope);
  const test = delivery.header('x-test-notification')?.trim().toLowerCase() === 'true';
  const interpretation = test ? undefined : interpret(envelope);
  const applies = interpretation?.kind === 'event';
  const now = ports.clock.now();
  const leaseUntil = now + budget.remainingMs();

  const record: NewWebhookEvent = {
    dedupKey,
    eventType: envelope.event_type,
    schemaVersion: envelope.schema_version,
    subscriptionId: envelope.subscription_id,
    deliveryId: delivery.header('x-delivery-id')?.slice(0, 64),
    ...summaryOf(envelope),
    status: test ? 'TEST' : applies ? 'RECEIVED' : 'IGNORED',
    reason: interpretation?.kind === 'record-only' ? interpretation.reason : undefined,
    payload: applies ? undefined : JSON.stringify(envelope.data),
    leaseUntil: applies ? leaseUntil : undefined,
  };
  const log = (result: DeliveryResult, extra: Record<string, unknown> = {}) =>
    logger.info('webhook', {
      eventType: envelope.event_type,
      result,
      test,
      writeUnits: budget.writeUnits,
      readUnits: budget.readUnits,
      ...extra,
    });

  let recorded;
  try {
    recorded = await ports.events.record(record, budget);
  } catch (err) {
    logger.error('webhook not recorded', { eventType: envelope.event_type, errorName: (err as Error).name });
    throw notRecorded(err);
  }

  if (recorded.kind === 'existing') {
    const existing = recorded.event;
    // A RECEIVED record whose lease ran out belongs to an attempt that died between recording and
    // applying; this copy finishes the job (application is idempotent). A live lease means another
    // copy is applying right now: that attempt answers Wise itself, and Wise retries it if it fails.
    const abandoned = existing.status === 'RECEIVED' && (existing.leaseUntil ?? 0) <= now;
    if (
      !abandoned ||
      !applies ||
      !(await takeOver(ports, dedupKey, existing.leaseUntil, leaseUntil, budget))
    ) {
      log('duplicate', { recordStatus: existing.status });
      return ok('duplicate');
    }
  }
  if (test) {
    log('test');
    return ok('test');
  }
  if (interpretation?.kind !== 'event') {
    logger.warn('webhook recorded, not applied', {
      eventType: envelope.event_type,
      reason: interpretation?.reason,
    });
    log('ignored');
    return ok('ignored');
  }

  let application;
  try {
    application = await ports.projection.apply(interpretation.event, budget);
  } catch (err) {
    logger.error('webhook not applied', { eventType: envelope.event_type, errorName: (err as Error).name });
    await ports.events.release(dedupKey, CallBudget.within(1000, 0, 500)).catch(() => undefined);
    throw notRecorded(err);
  }

  const status = application.outcome === 'UNMATCHED' ? 'UNMATCHED' : 'APPLIED';
  const customerId = application.outcome === 'UNMATCHED' ? undefined : application.customerId;
  try {
    await ports.events.finish(dedupKey, status, { outcome: application.outcome, customerId }, budget);
  } catch (err) {
    // The effect is stored and the event is recorded: Wise has nothing to redo. The record stays
    // RECEIVED, and a later copy would re-apply it harmlessly.
    logger.warn('webhook record not closed', {
      eventType: envelope.event_type,
      errorName: (err as Error).name,
    });
  }
  const result: DeliveryResult =
    application.outcome === 'APPLIED' ? 'applied' : application.outcome === 'STALE' ? 'stale' : 'unmatched';
  log(result);
  return ok(result);
};

const takeOver = async (
  ports: WebhookDeliveryPorts,
  dedupKey: string,
  stale: number | undefined,
  lease: number,
  budget: CallBudget,
) => {
  try {
    return await ports.events.takeOver(dedupKey, stale, lease, budget);
  } catch (err) {
    throw notRecorded(err);
  }
};

/** A verified body that is not Wise's envelope is a broken delivery, not a transient fault: 400. */
const parseEnvelope = (body: Buffer): WebhookEnvelope => {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'The body is not valid JSON.', {
      errors: [{ path: '(body)', message: 'not valid JSON' }],
    });
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'The body is not a Wise event envelope.', {
      errors: parsed.error.issues.map((i) => ({
        path: i.path.map(String).join('.') || '(body)',
        message: i.message,
      })),
    });
  }
  return parsed.data;
};
