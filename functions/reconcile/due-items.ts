import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dueBy, dueListKey, dueSortKey, type DueList } from '../../shared/domain/reconciliation';
import { isConditionalCheckFailure, type Table } from '../../shared/store/dynamo';

/** One entry of a due list: the item to re-read. */
export interface DueItem {
  readonly list: DueList;
  readonly pk: string;
  readonly sk: string;
}

export interface DueItems {
  /** The entries due by `now`, oldest first, at most `limit`. */
  due(list: DueList, now: number, limit: number): AsyncIterable<DueItem>;
  /** Next read at `dueAt` (no-op when the item left the list meanwhile). */
  postpone(item: DueItem, dueAt: number): Promise<void>;
}

const PAGE = 100;

/**
 * The due lists in gsi2 (keys only, sparse: shared/table.ts): one Query per list and page, never a
 * scan. The partner-events consumer puts items on and takes them off (functions/partner-events/due-list.ts).
 */
export class DynamoDueItems implements DueItems {
  constructor(private readonly table: Table) {}

  async *due(list: DueList, now: number, limit: number): AsyncIterable<DueItem> {
    let start: Record<string, unknown> | undefined;
    let given = 0;
    do {
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :list AND gsi2sk <= :due',
          ExpressionAttributeValues: { ':list': dueListKey(list), ':due': dueBy(now) },
          Limit: Math.min(PAGE, limit - given),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        if (given >= limit) return;
        given++;
        yield { list, pk: String(item.pk), sk: String(item.sk) };
      }
      start = out.LastEvaluatedKey;
    } while (start && given < limit);
  }

  async postpone(item: DueItem, dueAt: number): Promise<void> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET gsi2sk = :next',
          ConditionExpression: 'gsi2pk = :list',
          ExpressionAttributeValues: { ':list': dueListKey(item.list), ':next': dueSortKey(dueAt, item.pk, item.sk) },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }
}
