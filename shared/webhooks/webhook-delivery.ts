import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError, ValidationError } from '../errors/domain-error';
import type { Clock } from '../ports/clock';
import { CallBudget } from './call-budget';
import { dedupKeyOf, envelopeSchema, interpret, summaryOf, type WebhookEnvelope } from './webhook-event';
import type { NewWebhookEvent, RecordOutcome, WebhookEventStore } from './webhook-event-store';
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
  new DomainError('INVALID_SIGNATURE', { detail: 'The X-Signature-SHA256 signature is missing or does not verify.' });

/** A 5xx makes Wise redeliver (for about two weeks), so nothing is lost while the store is down. */
const notRecorded = (cause: unknown) =>
  new DomainError('WEBHOOK_NOT_RECORDED', {
    detail: 'The event could not be recorded; redeliver it later.',
    retryAfterSeconds: 60,
    cause,
  });

/** Recorded but not applied: only a redelivery can apply it, so Wise must hear a 5xx (same code: Wise only sees the status). */
const notApplied = (cause: unknown) =>
  new DomainError('WEBHOOK_NOT_RECORDED', {
    detail: 'The event could not be applied; redeliver it later.',
    retryAfterSeconds: 60,
    cause,
  });

const ok = (result: DeliveryResult): DeliveryResult => result;

/**
 * Route 11: one Wise delivery. In this order, so that nothing unverified is ever parsed or stored:
 * bound the size, verify the signature over the raw bytes, parse, then record durably (de-duplicated
 * by the event's own identity) and apply. Wise hears 200 only once the record is durable and the
 * event's effect is in the store; otherwise a 5xx, and Wise redelivers.
 *
 * An event of ours for a customer of ours costs two DynamoDB writes, issued at once: the record
 * (a conditional put, 1 WCU) and the application (one conditional update on the state's own
 * occurred_at, 1 WCU). The owner lookup before them is remembered per container (OwnerCache), so a
 * warm container makes no read. There is no "mark applied" write and no lease: a copy that finds
 * the record already there simply applies again, which changes nothing when the first copy's write
 * landed (its condition refuses a state that is not strictly newer) and finishes the job when it
 * did not (a crash, a timeout, a failed write).
 *
 * The interleavings of the two concurrent writes, and what each answer means:
 * - both succeed: 200. `applied` when this copy's write changed the store; otherwise `duplicate`
 *   when the record was already there (a redelivery or a concurrent copy), else `stale` (first
 *   record of an event older than, or as old as, the stored state).
 * - the record fails (throttled, timed out), whatever the application did: 5xx, Wise redelivers.
 *   If the application had landed, the redelivery's application is refused by its condition (no
 *   change) and its record is written then; the effect was never lost, only recorded late.
 * - the record lands, the application fails: 5xx, Wise redelivers. The redelivery finds the record
 *   (`existing`) and applies; the record already says APPLIED, which is true from then on.
 * - the process dies after either write or both, before answering: Wise sees no 200 and
 *   redelivers; the redelivery applies again (a no-op if the write had landed) and records again (a
 *   no-op if the put had landed). Nothing needs a lease or a sweeper, since the redelivery always
 *   applies.
 * - n concurrent copies: DynamoDB serialises conditional writes per item, so exactly one put
 *   creates the record and exactly one update passes its occurred_at condition (the others find
 *   the same occurred_at stored and change nothing); those need not be the same copy. Every copy
 *   whose two calls succeed answers 200: one `applied`, at most one `stale` (the copy that created
 *   the record but lost the update), the rest `duplicate`.
 * - an older and a newer event racing: each write is conditional on its own occurred_at being
 *   strictly newer than the stored one, so the newest state wins in every order.
 * - no owner (UNMATCHED): the owner lookup runs before the writes, so nothing is applied and the
 *   record says UNMATCHED; a miss is never remembered, so a redelivery after the customer linked
 *   the profile finds the owner and applies (the record keeps saying what the first copy saw).
 * - a remembered owner whose item is gone, or whose account now carries another Wise user: the
 *   write's own condition refuses it, the answer is `unmatched` and the owner is forgotten; the
 *   record, written beside it, says APPLIED with that customer (it records the decision, and the
 *   write is what guards the data).
 *
 * A duplicate therefore changes nothing, except when the first copy's effect never reached the
 * store — which is the redelivery doing its job.
 */
export const receiveWebhookDelivery = async (
  ports: WebhookDeliveryPorts,
  delivery: IncomingDelivery,
): Promise<DeliveryResult> => {
  const { keyring, logger } = ports;
  if (delivery.body.length > MAX_WEBHOOK_BODY_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', { detail: `The body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes.` });
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
    logger.warn('webhook signature refused', { reason: check, bytes: delivery.body.length });
    throw unauthorized();
  }

  const envelope = parseEnvelope(delivery.body);
  const budget = CallBudget.within(delivery.remainingMs);
  const test = delivery.header('x-test-notification')?.trim().toLowerCase() === 'true';
  const interpretation = test ? undefined : interpret(envelope);
  const described = {
    dedupKey: dedupKeyOf(envelope),
    eventType: envelope.event_type,
    schemaVersion: envelope.schema_version,
    subscriptionId: envelope.subscription_id,
    deliveryId: delivery.header('x-delivery-id')?.slice(0, 64),
    ...summaryOf(envelope),
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
  const duplicate = (recorded: RecordOutcome): DeliveryResult | undefined => {
    if (recorded.kind !== 'existing') return undefined;
    log('duplicate', { recordStatus: recorded.event.status });
    return ok('duplicate');
  };

  if (interpretation?.kind !== 'event') {
    const recorded = await record(
      ports,
      {
        ...described,
        status: test ? 'TEST' : 'IGNORED',
        reason: interpretation?.reason,
        payload: JSON.stringify(envelope.data),
      },
      budget,
    );
    const answer = duplicate(recorded);
    if (answer) return answer;
    if (test) {
      log('test');
      return ok('test');
    }
    logger.warn('webhook recorded, not applied', {
      eventType: envelope.event_type,
      reason: interpretation?.reason,
    });
    log('ignored');
    return ok('ignored');
  }

  const event = interpretation.event;
  let customerId: string | undefined;
  try {
    customerId = await ports.projection.ownerOf(event, budget);
  } catch (err) {
    // Nothing is recorded yet: a 5xx, and Wise's redelivery starts over.
    logger.error('webhook owner lookup failed', {
      eventType: envelope.event_type,
      errorName: (err as Error).name,
    });
    throw notRecorded(err);
  }
  if (customerId === undefined) {
    const recorded = await record(ports, { ...described, status: 'UNMATCHED' }, budget);
    const answer = duplicate(recorded);
    if (answer) return answer;
    log('unmatched');
    return ok('unmatched');
  }

  // The two writes at once (see the interleavings above); both must succeed for a 200.
  const [recorded, applied] = await Promise.allSettled([
    ports.events.record({ ...described, status: 'APPLIED', customerId }, budget),
    ports.projection.applyFor(event, customerId, budget),
  ]);
  if (recorded.status === 'rejected') {
    logger.error('webhook not recorded', {
      eventType: envelope.event_type,
      errorName: (recorded.reason as Error).name,
      applied: applied.status === 'fulfilled' ? applied.value.outcome : 'FAILED',
    });
    throw notRecorded(recorded.reason);
  }
  if (applied.status === 'rejected') {
    logger.error('webhook not applied', {
      eventType: envelope.event_type,
      errorName: (applied.reason as Error).name,
    });
    throw notApplied(applied.reason);
  }
  const outcome = applied.value.outcome;
  if (outcome !== 'APPLIED') {
    const answer = duplicate(recorded.value);
    if (answer) return answer;
  }
  const result: DeliveryResult =
    outcome === 'APPLIED' ? 'applied' : outcome === 'STALE' ? 'stale' : 'unmatched';
  log(result, recorded.value.kind === 'existing' ? { recordStatus: recorded.value.event.status } : {});
  return ok(result);
};

/** Records the event; a failure is a 5xx, so that Wise redelivers. */
const record = async (ports: WebhookDeliveryPorts, event: NewWebhookEvent, budget: CallBudget) => {
  try {
    return await ports.events.record(event, budget);
  } catch (err) {
    ports.logger.error('webhook not recorded', {
      eventType: event.eventType,
      errorName: (err as Error).name,
    });
    throw notRecorded(err);
  }
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
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message })),
      'The body is not a Wise event envelope.',
    );
  }
  return parsed.data;
};
