import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import {
  MAX_KEPT_PAYLOAD_BYTES,
  WEBHOOK_EVENT_RETENTION_SECONDS,
  type NewWebhookEvent,
  type RecordOutcome,
  type StoredWebhookEvent,
  type WebhookEventStore as WebhookEvents,
} from '../ports/webhook-events';
import type { CallBudget } from './call-budget';

export {
  WEBHOOK_EVENT_RETENTION_SECONDS,
  type NewWebhookEvent,
  type RecordOutcome,
  type StoredWebhookEvent,
  type WebhookEventStatus,
} from '../ports/webhook-events';

const keyOf = (dedupKey: string) => ({ pk: `WEBHOOK#${dedupKey}`, sk: 'EVENT' });

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
