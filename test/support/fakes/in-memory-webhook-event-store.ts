import type { Clock } from '../../../shared/ports/clock';
import {
  MAX_KEPT_PAYLOAD_BYTES,
  WEBHOOK_EVENT_RETENTION_SECONDS,
  type NewWebhookEvent,
  type ProjectionOutcome,
  type RecordOutcome,
  type StoredWebhookEvent,
  type WebhookEventStore,
} from '../../../shared/ports/webhook-events';
import type { CallBudget } from '../../../shared/webhooks/call-budget';

const OPEN_STATUSES = new Set(['RECEIVED', 'UNMATCHED', 'IGNORED']);

/**
 * The {@link WebhookEventStore} port in memory: the first copy of an event is recorded (`new`),
 * every later copy gets that record back (`existing`); an IGNORED record's payload over the kept
 * size is dropped; an outcome moves only a RECEIVED, UNMATCHED or IGNORED record to another status.
 * Counts writes on the budget as the DynamoDB store does (a refused write costs at least 1 WCU).
 */
export class InMemoryWebhookEventStore implements WebhookEventStore {
  readonly events = new Map<string, StoredWebhookEvent>();

  constructor(private readonly clock: Clock) {}

  async record(event: NewWebhookEvent, budget: CallBudget): Promise<RecordOutcome> {
    const existing = this.events.get(event.dedupKey);
    if (existing) {
      budget.countRefusedWrite();
      return { kind: 'existing', event: structuredClone(existing) };
    }
    const now = this.clock.now();
    const payload =
      event.payload !== undefined &&
      (event.status === 'RECEIVED' || Buffer.byteLength(event.payload) <= MAX_KEPT_PAYLOAD_BYTES)
        ? event.payload
        : undefined;
    const stored: StoredWebhookEvent = {
      ...event,
      payload,
      receivedAt: now,
      expiresAt: Math.floor(now / 1000) + WEBHOOK_EVENT_RETENTION_SECONDS,
    };
    this.events.set(event.dedupKey, withoutUndefined(stored));
    return { kind: 'new' };
  }

  async get(dedupKey: string): Promise<StoredWebhookEvent | undefined> {
    const event = this.events.get(dedupKey);
    return event ? structuredClone(event) : undefined;
  }

  async recordOutcome(dedupKey: string, outcome: ProjectionOutcome, budget: CallBudget): Promise<boolean> {
    const event = this.events.get(dedupKey);
    if (!event || !OPEN_STATUSES.has(event.status) || event.status === outcome.status) {
      budget.countRefusedWrite();
      return false;
    }
    const next: StoredWebhookEvent = { ...event, status: outcome.status, projectedAt: this.clock.now() };
    delete next.pendingKey;
    if (outcome.status === 'APPLIED')
      Object.assign(next, { outcome: outcome.outcome, customerId: outcome.customerId });
    else if (outcome.status === 'IGNORED') next.reason = outcome.reason;
    else if (outcome.pendingKey !== undefined) next.pendingKey = outcome.pendingKey;
    this.events.set(dedupKey, withoutUndefined(next));
    budget.writeUnits += 1;
    return true;
  }

  async pending(pendingKey: string): Promise<StoredWebhookEvent[]> {
    return [...this.events.values()]
      .filter((e) => e.status === 'UNMATCHED' && e.pendingKey === pendingKey)
      .sort(
        (a, b) =>
          (a.occurredAt ?? a.receivedAt) - (b.occurredAt ?? b.receivedAt) || a.receivedAt - b.receivedAt,
      )
      .map((e) => structuredClone(e));
  }

  async *receivedSince(since: number): AsyncIterable<StoredWebhookEvent> {
    for (const event of [...this.events.values()])
      if (event.receivedAt >= since) yield structuredClone(event);
  }
}

const withoutUndefined = (event: StoredWebhookEvent): StoredWebhookEvent => {
  const copy = structuredClone(event);
  for (const [k, v] of Object.entries(copy))
    if (v === undefined) delete (copy as unknown as Record<string, unknown>)[k];
  return copy;
};
