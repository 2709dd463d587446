import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock';
import type { TransactWrite } from '../../ports/grants';
import { profileOwnerKey, type ProfileOwners } from '../../ports/profile-owners';
import { isConditionalCheckFailure, type Table } from '../../store/dynamo';

/** The {@link ProfileOwners} port on the application table. */
export class DynamoProfileOwners implements ProfileOwners {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async ownerOf(profileId: number): Promise<string | undefined> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: profileOwnerKey(profileId), ConsistentRead: true }),
    );
    return typeof out.Item?.customerId === 'string' ? out.Item.customerId : undefined;
  }

  claimWrite(profileId: number, customerId: string): TransactWrite {
    return {
      Put: {
        TableName: this.table.name,
        Item: {
          ...profileOwnerKey(profileId),
          customerId,
          profileId,
          linkedAt: new Date(this.clock.now()).toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR customerId = :me',
        ExpressionAttributeValues: { ':me': customerId },
      },
    };
  }

  async release(customerId: string, profileIds: readonly number[]): Promise<void> {
    for (const profileId of profileIds) {
      try {
        await this.table.db.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: profileOwnerKey(profileId),
            ConditionExpression: 'customerId = :me',
            ExpressionAttributeValues: { ':me': customerId },
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
      }
    }
  }
}
