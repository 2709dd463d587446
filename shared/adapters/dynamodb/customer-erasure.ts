import {
  BatchWriteCommand,
  DeleteCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { auditPk, type AuditPosition } from '../../ports/audit';
import type { CustomerErasure, ErasureOutcome } from '../../ports/erasure';
import { isConditionalCheckFailure, type Table } from '../../store/dynamo';

type Key = { pk: string; sk: string };

/** BatchWriteItem's own limit. */
const BATCH = 25;
const RETRY_BASE_MS = 25;
const RETRY_MAX_MS = 800;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The deadline passed: what is deleted stays deleted, a repeat finishes. */
class DeadlineReached extends Error {}

/**
 * The gsi1 keys under which a customer's items outside its partition are found: link states, kept
 * link results, Idempotency-Key records, and webhook records applied to it (when they carry one).
 */
export const customerIndexKeys = (customerId: string): string[] => [
  `LINKSTATE_CUSTOMER#${customerId}`,
  `LINKRESULT_CUSTOMER#${customerId}`,
  `IDEMPOTENCY_CUSTOMER#${customerId}`,
  `WEBHOOK_CUSTOMER#${customerId}`,
];

/**
 * {@link CustomerErasure} on the application table. Everything is found by key or index, never a
 * scan: the customer's partition, gsi1 (`LINKSTATE_CUSTOMER#`, `LINKRESULT_CUSTOMER#`,
 * `IDEMPOTENCY_CUSTOMER#`), the ownership records of the profiles the partition names, and the
 * audit partition below the tombstone. The ownership records go first and the partition after
 * them, so that a call cut short still finds the profile ids on its repeat; each ownership record
 * is deleted only while it is still this customer's.
 */
export class DynamoCustomerErasure implements CustomerErasure {
  constructor(private readonly table: Table) {}

  async eraseAllBefore(
    customerId: string,
    tombstone: AuditPosition,
    options: { deadline: number },
  ): Promise<ErasureOutcome> {
    let deleted = 0;
    try {
      const partition = await this.keys(
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}` },
        },
        options.deadline,
        'pk, sk, profileIds',
      );
      const profileIds = new Set<number>();
      for (const item of partition.items) {
        const fromSk = /^PROFILE#(\d+)$/.exec(item.sk)?.[1];
        if (fromSk) profileIds.add(Number(fromSk));
        const granted = item.profileIds;
        if (Array.isArray(granted) || granted instanceof Set)
          for (const id of granted) profileIds.add(Number(id));
      }
      for (const profileId of profileIds) {
        this.assertBefore(options.deadline);
        if (await this.deleteOwner(profileId, customerId)) deleted++;
      }
      for (const gsi1pk of customerIndexKeys(customerId)) {
        const found = await this.keys(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :k',
            ExpressionAttributeValues: { ':k': gsi1pk },
          },
          options.deadline,
        );
        deleted += await this.deleteAll(found.items, options.deadline);
      }
      deleted += await this.deleteAll(partition.items, options.deadline);
      const audit = await this.keys(
        {
          KeyConditionExpression: 'pk = :pk AND sk < :t',
          ExpressionAttributeValues: { ':pk': auditPk(customerId), ':t': tombstone },
        },
        options.deadline,
      );
      deleted += await this.deleteAll(audit.items, options.deadline);
      return { deleted, complete: true };
    } catch (err) {
      if (err instanceof DeadlineReached) return { deleted, complete: false };
      throw err;
    }
  }

  private assertBefore(deadline: number): void {
    if (Date.now() >= deadline) throw new DeadlineReached();
  }

  /** Every key a query finds, page after page (projected to the keys and `extra`). */
  private async keys(
    query: Pick<QueryCommandInput, 'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeValues'>,
    deadline: number,
    projection = 'pk, sk',
  ): Promise<{ items: (Key & Record<string, unknown>)[] }> {
    const items: (Key & Record<string, unknown>)[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      this.assertBefore(deadline);
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          ...query,
          ProjectionExpression: projection,
          ...(query.IndexName ? {} : { ConsistentRead: true }),
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as (Key & Record<string, unknown>)[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return { items };
  }

  private async deleteOwner(profileId: number, customerId: string): Promise<boolean> {
    try {
      await this.table.db.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: { pk: `WISEPROFILE#${profileId}`, sk: 'OWNER' },
          // Another customer may hold the profile now (linked after this one let it go): theirs stays.
          ConditionExpression: 'attribute_exists(pk) AND customerId = :me',
          ExpressionAttributeValues: { ':me': customerId },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }

  /** Deletes in batches of 25; what DynamoDB leaves unprocessed is sent again with backoff. */
  private async deleteAll(items: readonly Key[], deadline: number): Promise<number> {
    for (let i = 0; i < items.length; i += BATCH) {
      let pending = items.slice(i, i + BATCH).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        this.assertBefore(deadline);
        if (attempt > 0) await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));
        const out = await this.table.db.send(
          new BatchWriteCommand({ RequestItems: { [this.table.name]: pending } }),
        );
        pending = (out.UnprocessedItems?.[this.table.name] ?? []) as typeof pending;
      }
    }
    return items.length;
  }
}
