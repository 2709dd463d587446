import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountStatus } from '../../domain/account';
import type { CustomerDirectory, CustomerInStatus, CustomerStatusPage } from '../../ports/customer-directory';
import type { Table } from '../../store/dynamo';

/**
 * {@link CustomerDirectory} on gsi2 (keys only): `gsi2pk = STATUS#{status}`, `gsi2sk = {time}#{cid}`,
 * read newest first. The page is built from the index keys alone, so no account item is read.
 */
export class DynamoCustomerDirectory implements CustomerDirectory {
  constructor(private readonly table: Table) {}

  async inStatus(
    status: AccountStatus,
    options: { limit: number; after?: string },
  ): Promise<CustomerStatusPage> {
    const gsi2pk = `STATUS#${status}`;
    const start = options.after === undefined ? undefined : startKey(gsi2pk, options.after);
    // One more than asked: whether a next page exists is known without a second, empty read.
    const out = await this.table.db.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :s',
        ExpressionAttributeValues: { ':s': gsi2pk },
        ScanIndexForward: false,
        Limit: options.limit + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const positions = (out.Items ?? []).map((item) => String(item.gsi2sk));
    const page = positions.slice(0, options.limit);
    const items = page.map((position): CustomerInStatus => {
      const cut = position.indexOf('#');
      return { customerId: position.slice(cut + 1), status, updatedAt: position.slice(0, cut) };
    });
    return positions.length > options.limit ? { items, next: page[page.length - 1] } : { items };
  }
}

/** An index position as DynamoDB's start key: the index keys and the item's own (`CUSTOMER#{cid}` / `ACCOUNT`). */
const startKey = (gsi2pk: string, position: string) => {
  const customerId = position.slice(position.indexOf('#') + 1);
  return { gsi2pk, gsi2sk: position, pk: `CUSTOMER#${customerId}`, sk: 'ACCOUNT' };
};
