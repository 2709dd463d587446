import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Clock } from '../ports/clock';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import {
  MAX_KEPT_PAYLOAD_BYTES,
  WEBHOOK_EVENT_RETENTION_SECONDS,
  type NewWebhookEvent,
  type ProjectionOutcome,
  type RecordOutcome,
  type StoredWebhookEvent,
  type WebhookEventStore as WebhookEvents,
} from '../ports/webhook-events';
import type { CallBudget } from './call-budget';

export {
  WEBHOOK_EVENT_RETENTION_SECONDS,
  type NewWebhookEvent,
  type ProjectionOutcome,
  type RecordOutcome,
  type StoredWebhookEvent,
  type WebhookEventStatus,
} from '../ports/webhook-events';

export const WEBHOOK_PK_PREFIX = 'WEBHOOK#';
export const webhookEventKey = (dedupKey: string) => ({ pk: `${WEBHOOK_PK_PREFIX}${dedupKey}`, sk: 'EVENT' });

/** A record as the table holds it (an item, a stream image) → the stored event. */
export const storedEventOf = (item: Record<string, unknown>): StoredWebhookEvent => {
  const { pk: _pk, sk: _sk, gsi1pk, ...rest } = item;
  return {
    ...(rest as unknown as StoredWebhookEvent),
    ...(typeof gsi1pk === 'string' ? { pendingKey: gsi1pk } : {}),
  };
};

/** Oldest occurrence first (arrival for events without one): the order Wise's changes happened in. */
const inOrderOfOccurrence = (a: StoredWebhookEvent, b: StoredWebhookEvent) =>
  (a.occurredAt ?? a.receivedAt) - (b.occurredAt ?? b.receivedAt) || a.receivedAt - b.receivedAt;

/** The payload is what the projection applies: always kept on RECEIVED records, bounded on the others. */
const keptPayload = (event: NewWebhookEvent): string | undefined => {
  if (event.payload === undefined) return undefined;
  if (event.status === 'RECEIVED') return event.payload;
  return Buffer.byteLength(event.payload) <= MAX_KEPT_PAYLOAD_BYTES ? event.payload : undefined;
};

/** The durable record of every verified delivery, one item per event (`WEBHOOK#{dedupKey}` / `EVENT`). */
export class WebhookEventStore implements WebhookEvents {
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
    try {
      const out = await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...webhookEventKey(event.dedupKey),
            ...event,
            payload: keptPayload(event),
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
      // ReturnValuesOnConditionCheckFailure comes back in attribute-value form, even through the document client.
      const old = (err as { Item?: Record<string, never> }).Item;
      const existing = old ? storedEventOf(unmarshall(old)) : await this.get(event.dedupKey, budget);
      if (!existing) throw new Error('webhook event record vanished between put and read', { cause: err });
      return { kind: 'existing', event: existing };
    }
  }

  async get(dedupKey: string, budget?: CallBudget): Promise<StoredWebhookEvent | undefined> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: webhookEventKey(dedupKey), ConsistentRead: true }),
      budget?.options(),
    );
    return out.Item ? storedEventOf(out.Item) : undefined;
  }

  /**
   * One conditional update: the condition is what makes a redelivered stream record, a replay or a
   * concurrent copy change nothing once an outcome is there. An UNMATCHED record carries its
   * pending key in gsi1pk (so that the profile's arrival finds it); any other outcome drops it.
   */
  async recordOutcome(dedupKey: string, outcome: ProjectionOutcome, budget: CallBudget): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':s': outcome.status,
      ':now': this.clock.now(),
      ':received': 'RECEIVED',
      ':unmatched': 'UNMATCHED',
      ':ignored': 'IGNORED',
    };
    const sets = ['#status = :s', 'projectedAt = :now'];
    let remove = ' REMOVE gsi1pk';
    if (outcome.status === 'APPLIED') {
      sets.push('outcome = :o', 'customerId = :c');
      Object.assign(values, { ':o': outcome.outcome, ':c': outcome.customerId });
    } else if (outcome.status === 'IGNORED') {
      sets.push('reason = :r');
      values[':r'] = outcome.reason;
    } else if (outcome.pendingKey !== undefined) {
      sets.push('gsi1pk = :pending');
      values[':pending'] = outcome.pendingKey;
      remove = '';
    }
    try {
      const out = await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: webhookEventKey(dedupKey),
          UpdateExpression: `SET ${sets.join(', ')}${remove}`,
          ConditionExpression:
            'attribute_exists(pk) AND #status IN (:received, :unmatched, :ignored) AND #status <> :s',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
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

  /** gsi1 holds keys only: the query finds the records, a consistent read of each brings its payload. */
  async pending(pendingKey: string, budget: CallBudget): Promise<StoredWebhookEvent[]> {
    const keys: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :k',
          ExpressionAttributeValues: { ':k': pendingKey },
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: 'TOTAL',
        }),
        budget.options(),
      );
      budget.count('read', out.ConsumedCapacity);
      for (const item of out.Items ?? []) {
        const pk = item.pk;
        if (typeof pk === 'string' && pk.startsWith(WEBHOOK_PK_PREFIX))
          keys.push(pk.slice(WEBHOOK_PK_PREFIX.length));
      }
      start = out.LastEvaluatedKey;
    } while (start);
    const records = await Promise.all(keys.map((key) => this.get(key, budget)));
    // The index lags the table: a record applied a moment ago may still be listed.
    return records
      .filter((r): r is StoredWebhookEvent => r?.status === 'UNMATCHED' && r.pendingKey === pendingKey)
      .sort(inOrderOfOccurrence);
  }

  async *receivedSince(since: number): AsyncIterable<StoredWebhookEvent> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.table.db.send(
        new ScanCommand({
          TableName: this.table.name,
          FilterExpression: 'begins_with(pk, :p) AND sk = :sk AND receivedAt >= :since',
          ExpressionAttributeValues: { ':p': WEBHOOK_PK_PREFIX, ':sk': 'EVENT', ':since': since },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) yield storedEventOf(item);
      start = out.LastEvaluatedKey;
    } while (start);
  }
}
