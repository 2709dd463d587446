import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dueListKey, type DueListWrite } from '../../shared/domain/reconciliation';
import { isConditionalCheckFailure, type Table } from '../../shared/store/dynamo';

/**
 * Keeps reconciliation's due lists (shared/domain/reconciliation.ts) from the stream: a profile or
 * KYC review enters when its state is first seen unresolved and leaves once it is resolved, so
 * that the hourly job finds what to re-read with one index query, never a scan, and the writers
 * of those items need do nothing for it. Each write is conditional on the state the decision was
 * made on; a refused one means a later change, whose own record decides again.
 */
export class DueList {
  constructor(private readonly table: Table) {}

  async write(pk: string, sk: string, write: DueListWrite, options: { abortSignal?: AbortSignal } = {}): Promise<boolean> {
    const names = { '#state': write.state.name, '#gpk': 'gsi2pk', '#gsk': 'gsi2sk' };
    const stateHolds = write.state.name === 'verification' && write.state.value === 'unknown' ? '(#state = :state OR attribute_not_exists(#state))' : '#state = :state';
    const input =
      write.kind === 'enter'
        ? {
            UpdateExpression: 'SET #gpk = :gpk, #gsk = :gsk',
            ConditionExpression: `attribute_exists(pk) AND ${stateHolds} AND attribute_not_exists(#gpk)`,
            ExpressionAttributeValues: { ':state': write.state.value, ':gpk': write.gsi2pk, ':gsk': write.gsi2sk },
          }
        : {
            UpdateExpression: 'REMOVE #gpk, #gsk',
            ConditionExpression: `attribute_exists(pk) AND ${stateHolds} AND #gpk = :gpk`,
            ExpressionAttributeValues: { ':state': write.state.value, ':gpk': dueListKey(write.list) },
          };
    try {
      await this.table.db.send(
        new UpdateCommand({ TableName: this.table.name, Key: { pk, sk }, ExpressionAttributeNames: names, ...input }),
        options,
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }
}
