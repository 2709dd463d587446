import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import type { CallBudget } from './call-budget';
import type { EventSummary } from './webhook-event';

/**
 * RECEIVED: recorded, not yet applied (or the applying attempt died). APPLIED: its effect is in the
 * store (or a newer state already was). UNMATCHED: no customer of ours owns its profile or user.
 * IGNORED: an event type (or data shape) the product does not use. TEST: a test notification.
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
  /** Until when (epoch ms, product clock) the recording attempt owns the event's application. */
  leaseUntil?: number;
}

export interface StoredWebhookEvent extends NewWebhookEvent {
  receivedAt: number;
  expiresAt: number;
  customerId?: string;
  outcome?: string;
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

  /** Takes over a RECEIVED event whose applying attempt died (its lease ran out); false if another copy got there first. */
  async takeOver(
    dedupKey: string,
    staleLease: number | undefined,
    leaseUntil: number,
    budget: CallBudget,
  ): Promise<boolean> {
    try {
      const out = await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keyOf(dedupKey),
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression:
            staleLease === undefined
              ? '#s = :received AND attribute_not_exists(leaseUntil)'
              : '#s = :received AND leaseUntil = :stale',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':lease': leaseUntil,
            ':received': 'RECEIVED',
            ...(staleLease === undefined ? {} : { ':stale': staleLease }),
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
        budget.options(),
      );
      budget.count('write', out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
      budget.countRefusedWrite();
      return false;
    }
  }

  /** Closes an event after its application: its final status, the outcome and the customer it concerned. */
  async finish(
    dedupKey: string,
    status: Exclude<WebhookEventStatus, 'RECEIVED'>,
    details: { outcome?: string; customerId?: string },
    budget: CallBudget,
  ): Promise<void> {
    const names: Record<string, string> = { '#s': 'status' };
    const values: Record<string, unknown> = { ':s': status };
    const sets = ['#s = :s'];
    for (const [name, value] of Object.entries(details)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const out = await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keyOf(dedupKey),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseUntil`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      }),
      budget.options(),
    );
    budget.count('write', out.ConsumedCapacity);
  }

  /** Gives up the lease after a failed application, so Wise's retry applies the event at once. */
  async release(dedupKey: string, budget: CallBudget): Promise<void> {
    await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keyOf(dedupKey),
        UpdateExpression: 'SET leaseUntil = :expired',
        ConditionExpression: '#s = :received',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':expired': 0, ':received': 'RECEIVED' },
      }),
      budget.options(),
    );
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
