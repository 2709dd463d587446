import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import type { CallBudget } from './call-budget';
import type { EventSummary } from './webhook-event';

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
const MAX_KEPT_PAYLOAD_BYTES = 2048;

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

const keyOf = (dedupKey: string) => ({ pk: `WEBHOOK#${dedupKey}`, sk: 'EVENT' });

/** The durable record of every verified delivery, one item per event (`WEBHOOK#{dedupKey}` / `EVENT`). */
export class WebhookEventStore {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  /**
   * Records an event once: a conditional put, so concurrent copies race on DynamoDB and exactly
   * one wins. The losers get the winner's record back from the same call (no extra read).
   */
  async record(event: NewWebhookEvent, budget: CallBudget): Promise<RecordOutcome> {
    const now = this.clock.now();
    const payload =
      event.payload && Buffer.byteLength(event.payload) <= MAX_KEPT_PAYLOAD_BYTES ? event.payload : undefined;
    try {
      const out = await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...keyOf(event.dedupKey),
            ...event,
            payload,
            receivedAt: now,
            expiresAt: Math.floor(now / 1000) + WEBHOOK_EVENT_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
        budget.options(),
      );
      budget.count('write', out.ConsumedCapacity);
      return { kind: 'new' };
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
      budget.countRefusedWrite();
      const old = (err as { Item?: Record<string, unknown> }).Item;
      const existing = old ? unmarshalled(old) : await this.get(event.dedupKey, budget);
      if (!existing) throw new Error('webhook event record vanished between put and read', { cause: err });
      return { kind: 'existing', event: existing };
    }
  }

  async get(dedupKey: string, budget?: CallBudget): Promise<StoredWebhookEvent | undefined> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: keyOf(dedupKey), ConsistentRead: true }),
      budget?.options(),
    );
    return out.Item ? unmarshalled(out.Item) : undefined;
  }
}

/** ReturnValuesOnConditionCheckFailure comes back in DynamoDB's attribute-value form, even through the document client. */
const unmarshalled = (item: Record<string, unknown>): StoredWebhookEvent => {
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const av = v as { S?: string; N?: string; BOOL?: boolean; NULL?: boolean };
      if (av.S !== undefined) plain[k] = av.S;
      else if (av.N !== undefined) plain[k] = Number(av.N);
      else if (av.BOOL !== undefined) plain[k] = av.BOOL;
      else if (av.NULL) plain[k] = null;
      else plain[k] = v;
    } else {
      plain[k] = v;
    }
  }
  const { pk: _pk, sk: _sk, ...rest } = plain;
  return rest as unknown as StoredWebhookEvent;
};
