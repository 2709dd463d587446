import { randomUUID } from 'node:crypto';
import {
  auditPk,
  auditSk,
  type AuditEvent,
  type AuditPage,
  type AuditPosition,
  type AuditTrail,
  type AuditTransactWrite,
  type RecordedAuditEvent,
} from '../../../shared/ports/audit';
import type { Clock } from '../../../shared/ports/clock';
import { InMemoryItems, type Item } from './in-memory-items';

/**
 * The {@link AuditTrail} port in memory, with DynamoAuditTrail's rules: events under
 * `AUDIT#{cid}` / `{at}#{id}` on the shared {@link InMemoryItems}, strictly increasing instants,
 * newest first with a position after the last event of a page. A `transactItem` is recorded only
 * when a fake that runs the transaction hands it to {@link commit} (or the test does), as DynamoDB
 * records it only when the transaction commits.
 *
 * @example
 * const audit = new InMemoryAuditTrail(clock);
 * audit.failNext(new Error('ProvisionedThroughputExceededException'));
 * expect(audit.actions('c1')).toEqual(['customer.signup_started', 'status.changed']);
 */
export class InMemoryAuditTrail implements AuditTrail {
  private last = 0;
  private failure?: unknown;

  constructor(
    private readonly clock: Clock,
    readonly items: InMemoryItems = new InMemoryItems(),
  ) {}

  /** The next `record` throws this (a store outage), once. */
  failNext(
    error: unknown = Object.assign(new Error('store unavailable'), { name: 'InternalServerError' }),
  ): void {
    this.failure = error;
  }

  private event(customerId: string, event: AuditEvent): Item & { pk: string; sk: string } {
    this.last = Math.max(this.clock.now(), this.last + 1);
    const recorded: RecordedAuditEvent = {
      id: randomUUID(),
      at: new Date(this.last).toISOString(),
      action: event.action,
      actor: { ...event.actor },
      ...(event.details ? { details: { ...event.details } } : {}),
    };
    return { pk: auditPk(customerId), sk: auditSk(recorded), ...recorded };
  }

  async record(customerId: string, event: AuditEvent): Promise<RecordedAuditEvent> {
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
    const item = this.event(customerId, event);
    this.items.put(item);
    return recordedOf(item);
  }

  transactItem(customerId: string, event: AuditEvent): AuditTransactWrite {
    return {
      Put: {
        TableName: 'in-memory',
        Item: this.event(customerId, event),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** Records a {@link transactItem} as its transaction's commit would. */
  commit(write: AuditTransactWrite): void {
    const item = write.Put?.Item as (Item & { pk: string; sk: string }) | undefined;
    if (item && typeof item.pk === 'string' && item.pk.startsWith('AUDIT#')) this.items.put(item);
  }

  async list(customerId: string, options: { limit: number; after?: AuditPosition }): Promise<AuditPage> {
    const newestFirst = this.items.partition(auditPk(customerId)).reverse();
    const start =
      options.after === undefined ? 0 : newestFirst.findIndex((i) => String(i.sk) < options.after!);
    const rest = start < 0 ? [] : newestFirst.slice(start);
    const page = rest.slice(0, options.limit).map(recordedOf);
    const last = page[page.length - 1];
    return rest.length > options.limit && last ? { items: page, next: auditSk(last) } : { items: page };
  }

  /** The customer's events, oldest first (for assertions). */
  events(customerId: string): RecordedAuditEvent[] {
    return this.items.partition(auditPk(customerId)).map(recordedOf);
  }

  /** The customer's actions, oldest first (for assertions). */
  actions(customerId: string): string[] {
    return this.events(customerId).map((e) => e.action);
  }
}

const recordedOf = (item: Item): RecordedAuditEvent => {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...event } = item;
  return event as unknown as RecordedAuditEvent;
};
