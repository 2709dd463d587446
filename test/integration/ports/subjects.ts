import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureTable } from '../../../local/dynamodb/create-table';
import { DynamoLease } from '../../../shared/adapters/dynamodb/lease';
import { IdempotencyRecords } from '../../../shared/http/idempotency';
import type { AccountStore } from '../../../shared/ports/accounts';
import { ManualClock } from '../../../shared/ports/clock';
import type { IdempotencyStore } from '../../../shared/ports/idempotency';
import type { KycReviewStore } from '../../../shared/ports/kyc-reviews';
import type { Lease } from '../../../shared/ports/lease';
import type { LinkStateStore } from '../../../shared/ports/link-states';
import type { WebhookEventStore } from '../../../shared/ports/webhook-events';
import { AccountStore as DynamoAccountStore } from '../../../shared/store/account-store';
import { createDocumentClient, type Table } from '../../../shared/store/dynamo';
import { KycReviewStore as DynamoKycReviewStore } from '../../../shared/store/kyc-review-store';
import { LinkStateStore as DynamoLinkStateStore } from '../../../shared/store/link-state-store';
import { WebhookEventStore as DynamoWebhookEventStore } from '../../../shared/webhooks/webhook-event-store';
import { inMemoryStores } from '../../support/fakes';

/** The ports under contract, on one clock; the lease shares the account store's items. */
export interface PortSet {
  clock: ManualClock;
  accounts: AccountStore;
  lease: Lease;
  linkStates: LinkStateStore;
  kycReviews: KycReviewStore;
  webhookEvents: WebhookEventStore;
  idempotency: IdempotencyStore;
}

export interface Subject {
  name: string;
  /** Once per file: the DynamoDB table is created here. */
  setUp(): Promise<void>;
  /** Fresh ports on a fresh clock for one case. */
  ports(): PortSet;
}

export const START = Date.parse('2026-03-01T10:00:00.000Z');

/** The DynamoDB adapters on a fresh table in the run's DynamoDB Local. */
const dynamo = (): Subject => {
  let table: Table | undefined;
  return {
    name: 'DynamoDB adapters',
    async setUp() {
      const endpoint = inject('dynamoEndpoint');
      const name = `ports-${randomUUID()}`;
      await ensureTable(endpoint, name);
      table = { db: createDocumentClient({ endpoint }), name };
    },
    ports() {
      if (!table) throw new Error('setUp first');
      const clock = new ManualClock(START);
      return {
        clock,
        accounts: new DynamoAccountStore(table, clock),
        lease: new DynamoLease(table, clock),
        linkStates: new DynamoLinkStateStore(table),
        kycReviews: new DynamoKycReviewStore(table, clock),
        webhookEvents: new DynamoWebhookEventStore(table, clock),
        idempotency: new IdempotencyRecords(table, clock),
      };
    },
  };
};

const inMemory = (): Subject => ({
  name: 'in-memory fakes',
  async setUp() {},
  ports() {
    const clock = new ManualClock(START);
    return { clock, ...inMemoryStores(clock) };
  },
});

/** Every case of a contract runs against both, so a fake cannot drift from the adapter it stands for. */
export const subjects = (): Subject[] => [dynamo(), inMemory()];

/** Ids unique across cases and subjects (the DynamoDB table is shared by the file's cases). */
export const unique = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;
