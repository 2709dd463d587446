import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KycTrigger } from '../domain/kyc/review';
import type { Clock } from '../ports/clock';
import { customerPk } from './account-store';
import { isConditionalCheckFailure, type Table } from './dynamo';

/**
 * The part of a lease's sort key that names the trigger: `QUOTE#{quoteId}` (lower case, as
 * `sameTrigger` compares quote ids) or the trigger type for a trigger without an id.
 *
 * @example kycTriggerKey({ type: 'QUOTE', id: '6F0C…' }) === 'QUOTE#6f0c…'
 */
export const kycTriggerKey = (trigger: KycTrigger): string =>
  trigger.type === 'QUOTE' ? `QUOTE#${trigger.id.toLowerCase()}` : trigger.type;

/**
 * `KYCCREATE#{profileId}#{triggerKey}`. Not under `KYC#{profileId}#`, so the profile's review
 * listing (a begins_with query on that prefix) never sees a lease.
 */
export const kycCreationLeaseSk = (profileId: number, trigger: KycTrigger): string =>
  `KYCCREATE#${profileId}#${kycTriggerKey(trigger)}`;

/**
 * Who is creating a KYC review for a (customer, profile, trigger) right now
 * (`CUSTOMER#{cid}` / `KYCCREATE#{pid}#{triggerKey}`): one conditional write makes one caller the
 * creator, so two simultaneous requests never open two reviews at Wise. The item lives only while
 * a creation runs; a lease left by a crashed invocation is taken over once `leaseUntil` (epoch ms)
 * has passed, and TTL (`expiresAt`, epoch seconds) clears it from the table some time later.
 */
export class KycCreationLeaseStore {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  private key(customerId: string, profileId: number, trigger: KycTrigger) {
    return { pk: customerPk(customerId), sk: kycCreationLeaseSk(profileId, trigger) };
  }

  /** Takes the lease for `leaseMs`; false while another owner holds an unexpired one. */
  async acquire(customerId: string, profileId: number, trigger: KycTrigger, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    const leaseUntil = now + leaseMs;
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...this.key(customerId, profileId, trigger),
            leaseOwner: owner,
            leaseUntil,
            // TTL only tidies up after a crash; the condition below never relies on it.
            expiresAt: Math.ceil(leaseUntil / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }

  /** Gives the lease back, only if `owner` still holds it (a taken-over lease is not ours to delete). */
  async release(customerId: string, profileId: number, trigger: KycTrigger, owner: string): Promise<void> {
    try {
      await this.table.db.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: this.key(customerId, profileId, trigger),
          ConditionExpression: 'leaseOwner = :me',
          ExpressionAttributeValues: { ':me': owner },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }
}
