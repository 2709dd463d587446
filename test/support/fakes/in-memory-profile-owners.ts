import type { TransactWrite } from '../../../shared/ports/grants';
import { profileOwnerKey, type ProfileOwners } from '../../../shared/ports/profile-owners';

/**
 * The {@link ProfileOwners} port in memory. `claimWrite` answers the same Put as the DynamoDB
 * adapter (for a fake that runs transactions, e.g. InMemoryGrants' `transactWrites`); `commit`
 * applies one, as DynamoDB does when the grant's transaction commits, and `own` seeds an owner.
 */
export class InMemoryProfileOwners implements ProfileOwners {
  readonly owners = new Map<number, string>();

  async ownerOf(profileId: number): Promise<string | undefined> {
    return this.owners.get(profileId);
  }

  claimWrite(profileId: number, customerId: string): TransactWrite {
    return {
      Put: {
        TableName: 'in-memory',
        Item: { ...profileOwnerKey(profileId), customerId, profileId },
        ConditionExpression: 'attribute_not_exists(pk) OR customerId = :me',
        ExpressionAttributeValues: { ':me': customerId },
      },
    };
  }

  async release(customerId: string, profileIds: readonly number[]): Promise<void> {
    for (const id of profileIds) if (this.owners.get(id) === customerId) this.owners.delete(id);
  }

  /** Applies committed writes: every owner Put among them takes effect. */
  commit(writes: readonly TransactWrite[]): void {
    for (const w of writes) {
      const item = w.Put?.Item as { pk?: string; customerId?: string; profileId?: number } | undefined;
      if (item?.pk?.startsWith('WISEPROFILE#') && item.customerId && item.profileId !== undefined)
        this.owners.set(item.profileId, item.customerId);
    }
  }

  /** Test setup: the profile is already linked to this customer. */
  own(profileId: number, customerId: string): this {
    this.owners.set(profileId, customerId);
    return this;
  }
}
