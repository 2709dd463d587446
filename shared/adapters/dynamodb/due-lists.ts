import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dueBy, dueListKey, dueSortKey, type DueList, type DueListWrite } from '../../domain/reconciliation';
import type { DueItem, DueLists } from '../../ports/reconciliation';
import { isConditionalCheckFailure, type Table } from '../../store/dynamo';

const PAGE = 100;

/**
 * Reconciliation's due lists in gsi2 (keys only, sparse: shared/table.ts): one Query per list and
 * page, never a scan. The writes are conditional on the state the decision was made on; a refused
 * one means a later change, whose own stream record decides again. So the writers of profiles and
 * KYC reviews need do nothing for reconciliation.
 */
export class DynamoDueLists implements DueLists {
  constructor(private readonly table: Table) {}

  async write(
    pk: string,
    sk: string,
    write: DueListWrite,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<boolean> {
    const names = { '#state': write.state.name, '#gpk': 'gsi2pk', '#gsk': 'gsi2sk' };
    // A profile without a verification attribute is `unknown` (route 2's default).
    const stateHolds =
      write.state.name === 'verification' && write.state.value === 'unknown'
        ? '(#state = :state OR attribute_not_exists(#state))'
        : '#state = :state';
    const input =
      write.kind === 'enter'
        ? {
            UpdateExpression: 'SET #gpk = :gpk, #gsk = :gsk',
            ConditionExpression: `attribute_exists(pk) AND ${stateHolds} AND attribute_not_exists(#gpk)`,
            ExpressionAttributeValues: {
              ':state': write.state.value,
              ':gpk': write.gsi2pk,
              ':gsk': write.gsi2sk,
            },
          }
        : {
            UpdateExpression: 'REMOVE #gpk, #gsk',
            ConditionExpression: `attribute_exists(pk) AND ${stateHolds} AND #gpk = :gpk`,
            ExpressionAttributeValues: { ':state': write.state.value, ':gpk': dueListKey(write.list) },
          };
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk, sk },
          ExpressionAttributeNames: names,
          ...input,
        }),
        options,
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }

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
          ExpressionAttributeValues: {
            ':list': dueListKey(item.list),
            ':next': dueSortKey(dueAt, item.pk, item.sk),
          },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }

  async stateOf(item: DueItem): Promise<Record<string, unknown> | undefined> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
    );
    return out.Item;
  }
}
