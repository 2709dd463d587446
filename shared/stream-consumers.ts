import type { FunctionName } from './routes';

/**
 * The table stream's consumers, defined once (like the route table): infra/constructs/events.ts
 * turns each into a Lambda event source mapping, and the local stack's stream runner
 * (local/stream-runner) polls DynamoDB Local's stream and invokes the same handler with the same
 * filters, batch size, retries, bisection and failure destination. What runs locally is what deploys.
 *
 * A new consumer: its function's name in `FunctionName` (shared/routes.ts), its profile
 * (shared/runtime/function-profiles.ts), `functions/<fn>/handler.ts` exporting `handler`, a line
 * here, and its handler factory in local/stream-runner/consumers.ts (the compiler asks for it).
 */

/**
 * A Lambda event filter pattern over one stream record, in DynamoDB's attribute-value JSON. DynamoDB
 * event source mappings filter on the record's `dynamodb` key only (`Keys`, `NewImage`, `OldImage`),
 * so an insert is told by its missing `OldImage` and a removal by its missing `NewImage`. Only the
 * operators the local runner implements may be used: literal values, `prefix`, `exists`,
 * `anything-but` (local/stream-runner/filter.ts refuses any other, so the two cannot drift).
 */
export type FilterPattern = { readonly dynamodb: FilterFields };
export type FilterFields = { readonly [field: string]: FilterFields | readonly FilterValue[] };
export type FilterValue =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string }
  | { readonly exists: boolean }
  | { readonly 'anything-but': string | readonly string[] };

export interface StreamConsumer {
  /** Stable id: names the mapping, its failure queue and alarms, and the local failure file. */
  readonly name: string;
  /** The function that consumes (its `functions/<fn>/handler.ts` exports `handler`). */
  readonly function: FunctionName;
  readonly description: string;
  /** A record is delivered when it matches any of these; the others are skipped (and not billed). */
  readonly filters: readonly FilterPattern[];
  /** Records per invocation at most. */
  readonly batchSize: number;
  /** Seconds Lambda may wait to fill a batch (0: invoke as soon as records are there). */
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failing batch before it goes to the failure destination. */
  readonly maxRetries: number;
  /** Split a failing batch in two and retry each half, so one poison record only holds itself back. */
  readonly bisectOnError: boolean;
  /** Where the consumer starts on a new stream. */
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /**
   * Where records go after `maxRetries`: an SQS queue in AWS (Lambda sends the batch's shard and
   * sequence numbers, not the records), a file under .local locally. Its depth is an alarm.
   */
  readonly onFailure: { readonly queue: string };
}

const inserted = { OldImage: { pk: [{ exists: false }] }, NewImage: { pk: [{ exists: true }] } } as const;

/**
 * The event records route 11 wrote for the projection to apply (RECEIVED only: the receiver writes
 * test notifications and unknown event types final, and the projection's own outcome write never
 * says RECEIVED, so it does not come back).
 */
export const RECORDED_WEBHOOK_EVENTS: FilterPattern = {
  dynamodb: {
    Keys: { pk: { S: [{ prefix: 'WEBHOOK#' }] }, sk: { S: ['EVENT'] } },
    NewImage: { status: { S: ['RECEIVED'] } },
  },
};

/**
 * A profile became a customer's (a link completed, a profile created): the events kept for it can
 * apply. Inserts only: the projection's own writes to the profile are modifications.
 */
export const PROFILES_BECOMING_A_CUSTOMERS: FilterPattern = {
  dynamodb: {
    Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: [{ prefix: 'PROFILE#' }] } },
    ...inserted,
  },
};

/** An account got its first Wise user (signup or link): the users#state-change events kept for it can apply. */
export const ACCOUNTS_GETTING_THEIR_WISE_USER: FilterPattern = {
  dynamodb: {
    Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: ['ACCOUNT'] } },
    NewImage: { gsi1pk: { S: [{ prefix: 'WISEUSER#' }] } },
    OldImage: { gsi1pk: [{ exists: false }] },
  },
};

/**
 * A customer's account, profile, KYC review and grant items, every change (inserts, modifications,
 * removals): what the partner events are derived from (shared/domain/partner-events.ts).
 */
export const CUSTOMER_STATE_ITEMS: readonly FilterPattern[] = [
  { dynamodb: { Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: ['ACCOUNT'] } } } },
  { dynamodb: { Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: [{ prefix: 'PROFILE#' }] } } } },
  { dynamodb: { Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: [{ prefix: 'KYC#' }] } } } },
  { dynamodb: { Keys: { pk: { S: [{ prefix: 'CUSTOMER#' }] }, sk: { S: [{ prefix: 'GRANT#' }] } } } },
];

export const streamConsumers = [
  {
    name: 'webhook-projection',
    function: 'webhook-projection',
    description:
      "Applies recorded Wise events to the customer's state (conditional on occurred_at), and the events kept for a profile " +
      "or user nobody owned yet once it becomes a customer's.",
    filters: [RECORDED_WEBHOOK_EVENTS, PROFILES_BECOMING_A_CUSTOMERS, ACCOUNTS_GETTING_THEIR_WISE_USER],
    batchSize: 25,
    maxBatchingWindowSeconds: 0,
    maxRetries: 5,
    bisectOnError: true,
    startingPosition: 'TRIM_HORIZON',
    onFailure: { queue: 'webhook-projection-failures' },
  },
  {
    name: 'partner-events',
    function: 'partner-events',
    description:
      'Publishes partner events (account status, profile verification, KYC review status, profile access) from the changes of a ' +
      "customer's items, and keeps reconciliation's due lists.",
    filters: CUSTOMER_STATE_ITEMS,
    batchSize: 50,
    maxBatchingWindowSeconds: 0,
    // At least once: a partner event is retried long before it is given up on (bus throttling, an outage).
    maxRetries: 10,
    bisectOnError: true,
    startingPosition: 'TRIM_HORIZON',
    onFailure: { queue: 'partner-events-failures' },
  },
] as const satisfies readonly StreamConsumer[];

export type StreamConsumerName = (typeof streamConsumers)[number]['name'];

export const streamConsumerByName = (name: StreamConsumerName): StreamConsumer =>
  streamConsumers.find((c) => c.name === name) as StreamConsumer;
