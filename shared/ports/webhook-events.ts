import type { CallBudget } from '../webhooks/call-budget';
import type { EventSummary } from '../webhooks/webhook-event';

/**
 * What the receiver decided for an event when it recorded it. The record is written once, by the
 * first copy to arrive, and never updated (see webhook-delivery.ts for why no status follows up).
 *
 * APPLIED: an event of ours for a customer of ours (`customerId`); its conditional write ran beside
 * the record, and the delivery was answered 200 only once both were done — when the write failed,
 * the answer was a 5xx and Wise's redelivery applies it (application is idempotent: a write that
 * finds the same or a newer state stored changes nothing). UNMATCHED: no customer of ours owned
 * its profile or user when it arrived. IGNORED: an event type (or data shape) the product does not
 * use; its data is kept. TEST: a test notification. RECEIVED: written only by earlier versions
 * (recorded before applying); a redelivery of such an event is applied like any other.
 */
export type WebhookEventStatus = 'RECEIVED' | 'APPLIED' | 'UNMATCHED' | 'IGNORED' | 'TEST';

/**
 * Wise retries a delivery for about two weeks (API-NOTES §6.6); a record must outlive the last
 * retry, or a late copy would be applied as new. 30 days leaves room for DynamoDB's lazy TTL.
 */
export const WEBHOOK_EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;
/** Events that are not applied keep their data for a later replay, while it keeps the record at 2 WCU or less. */
export const MAX_KEPT_PAYLOAD_BYTES = 2048;

export interface NewWebhookEvent extends EventSummary {
  dedupKey: string;
  eventType: string;
  status: WebhookEventStatus;
  schemaVersion?: string;
  subscriptionId?: string;
  deliveryId?: string;
  reason?: string;
  /** The event's `data`, kept only for events that are not applied (so they can be replayed later). */
  payload?: string;
  /** The customer whose items the event was applied to (APPLIED only). */
  customerId?: string;
}

export interface StoredWebhookEvent extends NewWebhookEvent {
  receivedAt: number;
  expiresAt: number;
  /** Records written by earlier versions may carry these. */
  outcome?: string;
  leaseUntil?: number;
}

export type RecordOutcome = { kind: 'new' } | { kind: 'existing'; event: StoredWebhookEvent };

/** The durable record of every verified delivery, one per event (its dedup key). */
export interface WebhookEventStore {
  /**
   * Records an event once: of concurrent copies exactly one is `new`; the others get the winner's
   * record. A payload over {@link MAX_KEPT_PAYLOAD_BYTES} is not kept.
   */
  record(event: NewWebhookEvent, budget: CallBudget): Promise<RecordOutcome>;
  get(dedupKey: string, budget?: CallBudget): Promise<StoredWebhookEvent | undefined>;
}
