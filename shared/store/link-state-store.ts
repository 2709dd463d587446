import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LinkState } from '../domain/linking/link-state';
import type { LinkStateStore as LinkStates } from '../ports/link-states';
import type { Table } from './dynamo';

const SK = 'LINKSTATE';
export const linkStatePk = (stateHash: string) => `LINKSTATE#${stateHash}`;
/** gsi1 groups a customer's pending states (`latestFor`). */
const customerIndexKey = (customerId: string) => `LINKSTATE_CUSTOMER#${customerId}`;

type LinkStateItem = Omit<LinkState, 'expiresAt'> & {
  pk: string;
  sk: string;
  gsi1pk: string;
  expiresAtMs: number;
};

const toLinkState = (item: Record<string, unknown>): LinkState => {
  const i = item as LinkStateItem;
  return {
    customerId: i.customerId,
    returnUrl: i.returnUrl,
    ...(i.claimAccount ? { claimAccount: true } : {}),
    createdAt: i.createdAt,
    // The table's TTL attribute `expiresAt` is in seconds; the exact expiry is kept in ms.
    expiresAt: i.expiresAtMs,
  };
};

/**
 * Pending OAuth states, keyed by the state's sha256 (the state itself is never stored). A state is
 * consumed by one conditional delete that returns the record: of two callbacks racing with the same
 * state, exactly one gets it.
 */
export class LinkStateStore implements LinkStates {
  constructor(private readonly table: Table) {}

  async save(stateHash: string, state: LinkState): Promise<void> {
    await this.table.db.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          pk: linkStatePk(stateHash),
          sk: SK,
          gsi1pk: customerIndexKey(state.customerId),
          customerId: state.customerId,
          returnUrl: state.returnUrl,
          ...(state.claimAccount ? { claimAccount: true } : {}),
          createdAt: state.createdAt,
          expiresAtMs: state.expiresAt,
          // DynamoDB TTL (seconds) deletes it a while after expiry; until then the callback still
          // recognises it as expired and can send the customer back with expired_state.
          expiresAt: Math.ceil(state.expiresAt / 1000) + 24 * 60 * 60,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Deletes the state and returns what it was; undefined when it is unknown or already used. */
  async consume(stateHash: string): Promise<LinkState | undefined> {
    try {
      const out = await this.table.db.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: { pk: linkStatePk(stateHash), sk: SK },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes ? toLinkState(out.Attributes) : undefined;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  /** The customer's most recently started link that is still stored (used or expired ones may be gone). */
  async latestFor(customerId: string): Promise<LinkState | undefined> {
    const keys = await this.table.db.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :k',
        ExpressionAttributeValues: { ':k': customerIndexKey(customerId) },
        Limit: 25,
      }),
    );
    let latest: LinkState | undefined;
    for (const key of keys.Items ?? []) {
      const out = await this.table.db.send(
        new GetCommand({ TableName: this.table.name, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
      );
      if (!out.Item) continue;
      const state = toLinkState(out.Item);
      if (!latest || state.createdAt > latest.createdAt) latest = state;
    }
    return latest;
  }
}
