import { DynamoDueLists } from '../../shared/adapters/dynamodb/due-lists';
import { DynamoPublishedAccess } from '../../shared/adapters/dynamodb/published-access';
import { itemChangeOf } from '../../shared/adapters/dynamodb/stream-images';
import { affectsAccess, CUSTOMER_PREFIX, partnerEventsOf } from '../../shared/domain/partner-events';
import { dueListWriteOf } from '../../shared/domain/reconciliation';
import type { EventBus, PublishedAccess } from '../../shared/ports/partner-events';
import type { DueLists } from '../../shared/ports/reconciliation';
import type { StoreDependencies } from '../../shared/runtime/store-dependencies';
import { streamBatchHandler, type StreamHandler } from '../../shared/streams/batch';

/** What the partner-events consumer needs: its table and clock, and where partner events go. */
export type PartnerEventsDependencies = Pick<StoreDependencies, 'table' | 'clock' | 'logger'> & {
  eventBus: EventBus;
};

export interface PartnerEventsPorts {
  eventBus: EventBus;
  access: PublishedAccess;
  dueLists: Pick<DueLists, 'write'>;
}

/** A record of a customer whose earlier record in this batch failed: it waits for that one. */
export class HeldBackError extends Error {
  constructor() {
    super('an earlier record of this customer failed in this batch; redelivered after it');
    this.name = 'HeldBackError';
  }
}

/** Each DynamoDB call gets at most this long, inside the invocation's remaining time. */
const PER_CALL_MS = 3000;
const MARGIN_MS = 1000;

export const partnerEventsPorts = (deps: PartnerEventsDependencies): PartnerEventsPorts => ({
  eventBus: deps.eventBus,
  access: new DynamoPublishedAccess(deps.table, deps.clock),
  dueLists: new DynamoDueLists(deps.table),
});

/**
 * The partner events' stream consumer (the table is the outbox). For each record of a customer's
 * account, profile, KYC review or grant item, in stream order:
 * 1. publishes what changed for the partner (shared/domain/partner-events.ts) to the bus;
 * 2. after a grant change that may move a profile's access, refreshes the access the partner was
 *    told of (shared/adapters/dynamodb/published-access.ts), whose account-item change comes back
 *    as step 1's access events;
 * 3. keeps reconciliation's due lists (shared/domain/reconciliation.ts).
 * Every step is idempotent, so a redelivered record changes nothing and republishes the same
 * `eventId`s. Ordering: records are handled one at a time in stream order, and once one of a
 * customer's records fails the later ones of that customer in the batch fail too, so a customer's
 * events are never published ahead of an earlier change of the same item (DynamoDB Streams orders
 * each item's changes; across items of one customer, the order the stream delivers them).
 */
export const partnerEventsConsumer =
  (deps: PartnerEventsDependencies, ports: PartnerEventsPorts = partnerEventsPorts(deps)): StreamHandler =>
  async (event, context) => {
    const failedCustomers = new Set<string>();
    const batch = streamBatchHandler({
      logger: deps.logger,
      concurrency: 1,
      handle: async (record, ctx) => {
        const change = itemChangeOf(record);
        if (!change || !change.pk.startsWith(CUSTOMER_PREFIX)) return;
        const customerId = change.pk.slice(CUSTOMER_PREFIX.length);
        if (failedCustomers.has(customerId)) throw new HeldBackError();
        const options = () => ({
          abortSignal: AbortSignal.timeout(Math.max(1, Math.min(PER_CALL_MS, ctx.remainingMs() - MARGIN_MS))),
        });
        try {
          const events = partnerEventsOf(change);
          if (events.length > 0) await ports.eventBus.publish(events);
          if (affectsAccess(change)) await ports.access.refresh(customerId, options());
          const due = dueListWriteOf(change, deps.clock.now());
          if (due) await ports.dueLists.write(change.pk, change.sk, due, options());
        } catch (err) {
          failedCustomers.add(customerId);
          throw err;
        }
      },
    });
    return batch(event, context);
  };
