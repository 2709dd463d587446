import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock';
import { LEASE_OWNER, LEASE_UNTIL, type Lease, type LeaseSpec } from '../../ports/lease';
import { isDependencyOutage } from '../../errors/dependency-outage';
import { isConditionalCheckFailure, type Table } from '../../store/dynamo';

/** The mean pause before the one more try of a release the table throttled or failed. */
const RELEASE_RETRY_MS = 50;

/**
 * The {@link Lease} port on the table: one conditional update to take, one conditional write to
 * release (tried once more when the table throttles or fails).
 */
export class DynamoLease implements Lease {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async take(spec: LeaseSpec, owner: string, ms: number): Promise<boolean> {
    const now = this.clock.now();
    const until = now + ms;
    const guards = Object.entries(spec.guard ?? {});
    const conditions = [
      ...(spec.standalone ? [] : ['attribute_exists(pk)']),
      '(attribute_not_exists(#until) OR #until < :now OR #owner = :me)',
      ...guards.map((_, i) => `#g${i} = :g${i}`),
    ];
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: spec.key,
          // TTL (epoch seconds) only tidies a standalone lease after a crash; the condition never relies on it.
          UpdateExpression: `SET #owner = :me, #until = :until${spec.standalone ? ', expiresAt = :ttl' : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: {
            '#owner': LEASE_OWNER,
            '#until': LEASE_UNTIL,
            ...Object.fromEntries(guards.map(([name], i) => [`#g${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':me': owner,
            ':until': until,
            ':now': now,
            ...(spec.standalone ? { ':ttl': Math.ceil(until / 1000) } : {}),
            ...Object.fromEntries(guards.map(([, value], i) => [`:g${i}`, value])),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      // A take whose answer was lost (a timeout) may have landed: give it back, owner-checked, so that
      // the caller's retry is not kept waiting for a lease nobody holds to lapse.
      await this.release(spec, owner).catch(() => undefined);
      throw err;
    }
  }

  async release(spec: LeaseSpec, owner: string): Promise<void> {
    try {
      await this.releaseOnce(spec, owner);
    } catch (err) {
      // A lease left behind keeps the next holder (often the caller's own retry) waiting until it
      // lapses: one more try after a moment. Owner-checked, so after a release that landed with its
      // answer lost it is a no-op.
      if (!isDependencyOutage(err)) throw err;
      // Jittered, so that releases throttled together do not come back together.
      await new Promise((resolve) => setTimeout(resolve, RELEASE_RETRY_MS * (0.5 + Math.random())));
      await this.releaseOnce(spec, owner);
    }
  }

  private async releaseOnce(spec: LeaseSpec, owner: string): Promise<void> {
    const common = {
      TableName: this.table.name,
      Key: spec.key,
      ConditionExpression: '#owner = :me',
      ExpressionAttributeValues: { ':me': owner },
    };
    try {
      if (spec.standalone) {
        await this.table.db.send(
          new DeleteCommand({ ...common, ExpressionAttributeNames: { '#owner': LEASE_OWNER } }),
        );
      } else {
        await this.table.db.send(
          new UpdateCommand({
            ...common,
            UpdateExpression: 'REMOVE #owner, #until',
            ExpressionAttributeNames: { '#owner': LEASE_OWNER, '#until': LEASE_UNTIL },
          }),
        );
      }
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }
}
