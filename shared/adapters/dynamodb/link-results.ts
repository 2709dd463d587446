import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { linkResultKey, type KeptLinkResult, type LinkResults } from '../../ports/link-results';
import type { Table } from '../../store/dynamo';

/** gsi1 groups a customer's kept results, so that disconnecting and erasure find them. */
const customerIndexKey = (customerId: string) => `LINKRESULT_CUSTOMER#${customerId}`;

const toResult = (item: Record<string, unknown>): KeptLinkResult => ({
  customerId: String(item.customerId),
  codeCiphertext: String(item.codeCiphertext),
  ...(typeof item.profileId === 'number' ? { profileId: item.profileId } : {}),
  ...(item.claimAccount === true ? { claimAccount: true } : {}),
  ...(typeof item.tokensCiphertext === 'string' ? { tokensCiphertext: item.tokensCiphertext } : {}),
  createdAt: Number(item.createdAt),
  // The table's TTL attribute `expiresAt` is in seconds; the exact expiry is kept in ms.
  expiresAt: Number(item.expiresAtMs),
});

/** The {@link LinkResults} port on the application table. */
export class DynamoLinkResults implements LinkResults {
  constructor(private readonly table: Table) {}

  async keep(resultHash: string, result: KeptLinkResult): Promise<void> {
    await this.table.db.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...linkResultKey(resultHash),
          gsi1pk: customerIndexKey(result.customerId),
          customerId: result.customerId,
          codeCiphertext: result.codeCiphertext,
          ...(result.profileId !== undefined ? { profileId: result.profileId } : {}),
          ...(result.claimAccount ? { claimAccount: true } : {}),
          createdAt: result.createdAt,
          expiresAtMs: result.expiresAt,
          // TTL deletes it a while after expiry; until then route 17 tells it is expired by expiresAtMs.
          expiresAt: Math.ceil(result.expiresAt / 1000) + 60 * 60,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async find(resultHash: string): Promise<KeptLinkResult | undefined> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: linkResultKey(resultHash), ConsistentRead: true }),
    );
    return out.Item ? toResult(out.Item) : undefined;
  }

  async exchanged(resultHash: string, tokensCiphertext: string): Promise<void> {
    await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: linkResultKey(resultHash),
        UpdateExpression: 'SET tokensCiphertext = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':t': tokensCiphertext },
      }),
    );
  }

  async forget(resultHash: string): Promise<void> {
    await this.table.db.send(
      new DeleteCommand({ TableName: this.table.name, Key: linkResultKey(resultHash) }),
    );
  }

  async forgetAllOf(customerId: string): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :k',
          ExpressionAttributeValues: { ':k': customerIndexKey(customerId) },
          ExclusiveStartKey: start,
        }),
      );
      for (const key of page.Items ?? []) {
        await this.table.db.send(
          new DeleteCommand({ TableName: this.table.name, Key: { pk: key.pk, sk: key.sk } }),
        );
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
