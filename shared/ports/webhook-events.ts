import type { CallBudget } from '../webhooks/call-budget';
import type { EventSummary } from '../webhooks/webhook-event';

/**
 * Where an event record stands. Route 11 writes the record once, before its 200 (storage-first):
 * RECEIVED for an event type the product applies, TEST for a test notification, IGNORED for an
 * event type it does not use. The stream consumer then records its outcome on RECEIVED records:
 * APPLIED (projected onto `customerId`'s items; `outcome` says whether that changed them),
 * UNMATCHED (no customer of ours owns its profile or user yet: kept under `pendingKey`, and applied
 * when one does), IGNORED (data the product does not recognise). An outcome is recorded once: a
 * redelivered stream record, a replay or a second copy finds it there and changes nothing.
 */
export type WebhookEventStatus = 'RECEIVED' | 'APPLIED' | 'UNMATCHED' | 'IGNORED' | 'TEST';

/**
 * Wise retries a delivery for about two weeks (API-NOTES §6.6); a record must outlive the last
 * retry, or a late copy would be applied as new. 30 days leaves room for DynamoDB's lazy TTL.
 */
export const WEBHOOK_EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;
/**
 * Records the product does not apply (IGNORED) keep their data for a later look while it keeps
 * the record at 2 WCU or less. RECEIVED records always keep it: the projection applies from it.
 */
export const MAX_KEPT_PAYLOAD_BYTES = 2048;

export interface NewWebhookEvent extends EventSummary {
  dedupKey: string;
  eventType: string;
  status: WebhookEventStatus;
  schemaVersion?: string;
  subscriptionId?: string;
  deliveryId?: string;
  reason?: string;
  /** The event's `data` as JSON: what the projection applies (and replay re-applies). */
  payload?: string;
  /** The customer whose items the event was applied to (APPLIED only). */
  customerId?: string;
}

export interface StoredWebhookEvent extends NewWebhookEvent {
  receivedAt: number;
  expiresAt: number;
  /** APPLIED records: whether the projection changed the state (APPLIED) or found it as new or newer (STALE). */
  outcome?: string;
  /** Epoch ms the outcome was recorded. */
  projectedAt?: number;
  /** UNMATCHED records: the owner key they wait for (`PENDING_PROFILE#{id}`, `PENDING_USER#{id}`). */
  pendingKey?: string;
  /** Records written by earlier versions may carry this. */
  leaseUntil?: number;
}

export type RecordOutcome = { kind: 'new' } | { kind: 'existing'; event: StoredWebhookEvent };

/** What the projection found for a recorded event (see {@link WebhookEventStatus}). */
export type ProjectionOutcome =
  | { status: 'APPLIED'; outcome: 'APPLIED' | 'STALE'; customerId: string }
  | { status: 'UNMATCHED'; pendingKey?: string }
  | { status: 'IGNORED'; reason: string };

/** The durable record of every verified delivery, one per event (its dedup key). */
export interface WebhookEventStore {
  /**
   * Records an event once: of concurrent copies exactly one is `new`; the others get the winner's
   * record. An IGNORED record's payload over {@link MAX_KEPT_PAYLOAD_BYTES} is not kept.
   */
  record(event: NewWebhookEvent, budget: CallBudget): Promise<RecordOutcome>;
  get(dedupKey: string, budget?: CallBudget): Promise<StoredWebhookEvent | undefined>;
  /**
   * Records the projection's outcome. Only a RECEIVED, UNMATCHED or IGNORED record moves, and only
   * to another status (an APPLIED record is final; an UNMATCHED one found unmatched again stays as
   * it is). False when nothing changed.
   */
  recordOutcome(dedupKey: string, outcome: ProjectionOutcome, budget: CallBudget): Promise<boolean>;
  /** The UNMATCHED records waiting for `pendingKey`'s profile or user, in order of occurrence. */
  pending(pendingKey: string, budget: CallBudget): Promise<StoredWebhookEvent[]>;
  /** Every record received at or after `since` (epoch ms), for replay: a full read of the records. */
  receivedSince(since: number): AsyncIterable<StoredWebhookEvent>;
}
