import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { affectsAccess, CUSTOMER_PREFIX, partnerEventsOf, type ItemChange } from '../../shared/domain/partner-events';
import { dueListWriteOf } from '../../shared/domain/reconciliation';
import type { EventBus } from '../../shared/ports/partner-events';
import type { StoreDependencies } from '../../shared/runtime/store-dependencies';
import { streamBatchHandler, type StreamHandler } from '../../shared/streams/batch';
import { DueList } from './due-list';
import { PublishedAccess } from './published-access';

/** What the partner-events consumer needs: its table and clock, and where partner events go. */
export type PartnerEventsDependencies = Pick<StoreDependencies, 'table' | 'clock' | 'logger'> & { eventBus: EventBus };

/** A record of a customer whose earlier record in this batch failed: it waits for that one. */
export class HeldBackError extends Error {
  constructor() {
    super('an earlier record of this customer failed in this batch; redelivered after it');
    this.name = 'HeldBackError';
  }
}

/**
 * Unmarshalls an image attribute by attribute, leaving out one the SDK cannot read (DynamoDB
 * Local's stream renders an empty map as a value without a type): one odd attribute of another
 * writer must not block a customer's events.
 */
const tolerantUnmarshall = (image: Record<string, AttributeValue>): Record<string, unknown> => {
  try {
    return unmarshall(image);
  } catch {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(image)) {
      try {
        Object.assign(out, unmarshall({ [name]: value }));
      } catch {
        // left out
      }
    }
    return out;
  }
};

/** The record as an {@link ItemChange}: its keys, images (unmarshalled) and approximate time. */
export const itemChangeOf = (record: DynamoDBRecord): ItemChange | undefined => {
  const pk = record.dynamodb?.Keys?.pk?.S;
  const sk = record.dynamodb?.Keys?.sk?.S;
  if (!pk || !sk) return undefined;
  const image = (i: unknown) => (i ? tolerantUnmarshall(i as Record<string, AttributeValue>) : undefined);
  return {
    pk,
    sk,
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
    at: Math.round((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000),
  };
};

/** Each DynamoDB call gets at most this long, inside the invocation's remaining time. */
const PER_CALL_MS = 3000;
const MARGIN_MS = 1000;

/**
 * The partner events' stream consumer (the table is the outbox). For each record of a customer's
 * account, profile, KYC review or grant item, in stream order:
 * 1. publishes what changed for the partner (shared/domain/partner-events.ts) to the bus;
 * 2. after a grant change that may move a profile's access, refreshes the access the partner was
 *    told of (published-access.ts), whose account-item change comes back as step 1's access events;
 * 3. keeps reconciliation's due lists (due-list.ts).
 * Every step is idempotent, so a redelivered record changes nothing and republishes the same
 * `eventId`s. Ordering: records are handled one at a time in stream order, and once one of a
 * customer's records fails the later ones of that customer in the batch fail too, so a customer's
 * events are never published ahead of an earlier change of the same item (DynamoDB Streams orders
 * each item's changes; across items of one customer, the order the stream delivers them).
 */
export const partnerEventsConsumer = (deps: PartnerEventsDependencies): StreamHandler => {
  const access = new PublishedAccess(deps.table, deps.clock);
  const dueList = new DueList(deps.table);
  return async (event, context) => {
    const failedCustomers = new Set<string>();
    const batch = streamBatchHandler({
      logger: deps.logger,
      concurrency: 1,
      handle: async (record, ctx) => {
        const change = itemChangeOf(record);
        if (!change || !change.pk.startsWith(CUSTOMER_PREFIX)) return;
        const customerId = change.pk.slice(CUSTOMER_PREFIX.length);
        if (failedCustomers.has(customerId)) throw new HeldBackError();
        const options = () => ({ abortSignal: AbortSignal.timeout(Math.max(1, Math.min(PER_CALL_MS, ctx.remainingMs() - MARGIN_MS))) });
        try {
          const events = partnerEventsOf(change);
          if (events.length > 0) await deps.eventBus.publish(events);
          if (affectsAccess(change)) await access.refresh(customerId, options());
          const due = dueListWriteOf(change, deps.clock.now());
          if (due) await dueList.write(change.pk, change.sk, due, options());
        } catch (err) {
          failedCustomers.add(customerId);
          throw err;
        }
      },
    });
    return batch(event, context);
  };
};
