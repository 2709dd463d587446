import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  accessOfGrants,
  ACCOUNT_SK,
  coverageOf,
  CUSTOMER_PREFIX,
  GRANT_PREFIX,
  PUBLISHED_ACCESS,
  PUBLISHED_ACCESS_AT,
  PUBLISHED_ACCESS_VERSION,
  sameAccess,
  storedAccessMap,
} from '../../domain/partner-events';
import type { Clock } from '../../ports/clock';
import type { AccessRefresh, PublishedAccess } from '../../ports/partner-events';
import { isConditionalCheckFailure, type Table } from '../../store/dynamo';

/** Compare-and-set rounds before the record is given back to the stream (it is redelivered). */
const ATTEMPTS = 4;

/**
 * The profile access the partner was last told of, kept on the customer's account item
 * (`publishedAccess`: profile id → GRANTED | RELINK_REQUIRED, with a version). A grant change does
 * not say by itself what a profile's access became (a relink deletes one grant and keeps another
 * in one transaction, and the stream orders items separately), so each one triggers a re-read of
 * all the customer's grants; the account item's own change then carries the difference, which the
 * consumer announces from its images like any other change: one event per real change, in order.
 * On the account item, erasure removes it and nothing writes it back (the write needs the item).
 */
export class DynamoPublishedAccess implements PublishedAccess {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async refresh(customerId: string, options: { abortSignal?: AbortSignal } = {}): Promise<AccessRefresh> {
    const pk = `${CUSTOMER_PREFIX}${customerId}`;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const account = await this.table.db.send(
        new GetCommand({
          TableName: this.table.name,
          Key: { pk, sk: ACCOUNT_SK },
          ConsistentRead: true,
          ProjectionExpression: 'pk, #m, #v',
          ExpressionAttributeNames: { '#m': PUBLISHED_ACCESS, '#v': PUBLISHED_ACCESS_VERSION },
        }),
        options,
      );
      if (!account.Item) return 'no-account';
      const grants = await this.grantsOf(pk, options);
      const current = accessOfGrants(grants.map(coverageOf));
      const published = storedAccessMap(account.Item[PUBLISHED_ACCESS]);
      if (sameAccess(published, current)) return 'unchanged';
      const version =
        typeof account.Item[PUBLISHED_ACCESS_VERSION] === 'number'
          ? (account.Item[PUBLISHED_ACCESS_VERSION] as number)
          : 0;
      try {
        await this.table.db.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: { pk, sk: ACCOUNT_SK },
            UpdateExpression: 'SET #m = :m, #v = :next, #at = :at',
            ConditionExpression: `attribute_exists(pk) AND ${version === 0 ? 'attribute_not_exists(#v)' : '#v = :v'}`,
            ExpressionAttributeNames: {
              '#m': PUBLISHED_ACCESS,
              '#v': PUBLISHED_ACCESS_VERSION,
              '#at': PUBLISHED_ACCESS_AT,
            },
            ExpressionAttributeValues: {
              ':m': JSON.stringify(current),
              ':next': version + 1,
              ':at': new Date(this.clock.now()).toISOString(),
              ...(version === 0 ? {} : { ':v': version }),
            },
          }),
          options,
        );
        return 'published';
      } catch (err) {
        // Another record of this customer moved it first (or erasure removed the account): read again.
        if (!isConditionalCheckFailure(err)) throw err;
      }
    }
    throw new Error(`the published access of a customer kept moving (${ATTEMPTS} attempts)`);
  }

  private async grantsOf(
    pk: string,
    options: { abortSignal?: AbortSignal },
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :grant)',
          ExpressionAttributeValues: { ':pk': pk, ':grant': GRANT_PREFIX },
          ProjectionExpression: 'profileIds, relinkRequired, ciphertext',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
        options,
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
