import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  auditPk,
  auditSk,
  DEFAULT_AUDIT_RETENTION_DAYS,
  type AuditEvent,
  type AuditPage,
  type AuditPosition,
  type AuditTrail,
  type AuditTransactWrite,
  type RecordedAuditEvent,
} from '../../ports/audit';
import type { Clock } from '../../ports/clock';
import type { Table } from '../../store/dynamo';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * The last instant handed out in this process. Events are ordered by their time, and one request
 * often records two in the same millisecond (signup started, status changed): each new event gets
 * a strictly later instant than the previous one of the process, so their order is the order they
 * were recorded in. Shared by every adapter of the process (the local gateway runs all functions).
 */
let lastMs = 0;
const nextInstant = (now: number): number => (lastMs = Math.max(now, lastMs + 1));

interface AuditItem extends RecordedAuditEvent {
  pk: string;
  sk: string;
  expiresAt: number;
}

/** The {@link AuditTrail} port on the application table; events expire through the table's TTL. */
export class DynamoAuditTrail implements AuditTrail {
  private readonly retentionSeconds: number;

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    options: { retentionDays?: number } = {},
  ) {
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS) * DAY_SECONDS;
  }

  private item(customerId: string, event: AuditEvent): AuditItem {
    const ms = nextInstant(this.clock.now());
    const recorded: RecordedAuditEvent = {
      id: randomUUID(),
      at: new Date(ms).toISOString(),
      action: event.action,
      actor: event.actor.subject === undefined ? { kind: event.actor.kind } : { ...event.actor },
      ...(event.details && Object.keys(event.details).length > 0 ? { details: { ...event.details } } : {}),
    };
    return {
      pk: auditPk(customerId),
      sk: auditSk(recorded),
      ...recorded,
      expiresAt: Math.floor(ms / 1000) + this.retentionSeconds,
    };
  }

  private put(item: AuditItem) {
    // Append-only: an event is written once and never replaced.
    return { TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' };
  }

  async record(customerId: string, event: AuditEvent): Promise<RecordedAuditEvent> {
    const item = this.item(customerId, event);
    await this.table.db.send(new PutCommand(this.put(item)));
    return recordedOf(item);
  }

  transactItem(customerId: string, event: AuditEvent): AuditTransactWrite {
    return { Put: this.put(this.item(customerId, event)) };
  }

  async list(customerId: string, options: { limit: number; after?: AuditPosition }): Promise<AuditPage> {
    const pk = auditPk(customerId);
    // One more than asked: whether a next page exists is known without a second, empty read.
    const out = await this.table.db.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: options.limit + 1,
        ConsistentRead: true,
        ...(options.after !== undefined ? { ExclusiveStartKey: { pk, sk: options.after } } : {}),
      }),
    );
    const items = (out.Items ?? []) as AuditItem[];
    const page = items.slice(0, options.limit).map(recordedOf);
    const last = page[page.length - 1];
    return items.length > options.limit && last ? { items: page, next: auditSk(last) } : { items: page };
  }
}

const recordedOf = (item: AuditItem): RecordedAuditEvent => ({
  id: item.id,
  at: item.at,
  action: item.action,
  actor: item.actor,
  ...(item.details ? { details: item.details } : {}),
});
