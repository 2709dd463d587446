import type { Clock } from '../../../shared/ports/clock';
import {
  MAX_KEPT_PAYLOAD_BYTES,
  WEBHOOK_EVENT_RETENTION_SECONDS,
  type NewWebhookEvent,
  type RecordOutcome,
  type StoredWebhookEvent,
  type WebhookEventStore,
} from '../../../shared/ports/webhook-events';
import type { CallBudget } from '../../../shared/webhooks/call-budget';

/**
 * The {@link WebhookEventStore} port in memory: the first copy of an event is recorded (`new`),
 * every later copy gets that record back (`existing`); a payload over the kept size is dropped.
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
      event.payload && Buffer.byteLength(event.payload) <= MAX_KEPT_PAYLOAD_BYTES ? event.payload : undefined;
    const stored: StoredWebhookEvent = {
      ...event,
      payload,
      receivedAt: now,
      expiresAt: Math.floor(now / 1000) + WEBHOOK_EVENT_RETENTION_SECONDS,
    };
    for (const [k, v] of Object.entries(stored))
      if (v === undefined) delete (stored as unknown as Record<string, unknown>)[k];
    this.events.set(event.dedupKey, structuredClone(stored));
    return { kind: 'new' };
  }

  async get(dedupKey: string): Promise<StoredWebhookEvent | undefined> {
    const event = this.events.get(dedupKey);
    return event ? structuredClone(event) : undefined;
  }
}
