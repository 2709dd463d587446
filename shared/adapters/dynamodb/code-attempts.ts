import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock';
import {
  CODE_ATTEMPT_WINDOW_MS,
  MAX_FAILED_CODES,
  type AttemptTaken,
  type CodeAttempts,
} from '../../ports/code-attempts';
import { LEASE_UNTIL, type Lease, type LeaseSpec } from '../../ports/lease';
import type { Table } from '../../store/dynamo';

const SK_PREFIX = 'LINKCODE_ATTEMPT#';

/** Slot `i` of the customer's attempts: a standalone lease item held for the window (TTL tidies it). */
const slot = (customerId: string, i: number): LeaseSpec => ({
  key: { pk: `CUSTOMER#${customerId}`, sk: `${SK_PREFIX}${i}` },
  standalone: true,
});

/** An attempt names its slot and its owner, so that only the taker gives it back. */
const encode = (i: number, owner: string) => `${i}:${owner}`;
const decode = (attempt: string): { i: number; owner: string } => {
  const [i, owner] = attempt.split(':');
  return { i: Number(i), owner: owner ?? '' };
};

/**
 * {@link CodeAttempts} as {@link MAX_FAILED_CODES} slots, each the one lease (shared/ports/lease.ts)
 * held for an hour: taking an attempt is taking a free or lapsed slot, giving it back is releasing
 * it. A sliding window by construction, with no counter to race on.
 */
export class LeasedCodeAttempts implements CodeAttempts {
  constructor(
    private readonly lease: Lease,
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async take(customerId: string): Promise<AttemptTaken> {
    const owner = randomUUID();
    for (let i = 0; i < MAX_FAILED_CODES; i++) {
      if (await this.lease.take(slot(customerId, i), owner, CODE_ATTEMPT_WINDOW_MS))
        return { kind: 'taken', attempt: encode(i, owner) };
    }
    return { kind: 'exhausted', retryAfterSeconds: await this.secondsUntilFree(customerId) };
  }

  async giveBack(customerId: string, attempt: string): Promise<void> {
    const { i, owner } = decode(attempt);
    await this.lease.release(slot(customerId, i), owner);
  }

  /** When the oldest held slot lapses. */
  private async secondsUntilFree(customerId: string): Promise<number> {
    const out = await this.table.db.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':prefix': SK_PREFIX },
        ConsistentRead: true,
      }),
    );
    const untils = (out.Items ?? []).map((item) => Number(item[LEASE_UNTIL])).filter(Number.isFinite);
    const soonest = untils.length > 0 ? Math.min(...untils) : this.clock.now() + CODE_ATTEMPT_WINDOW_MS;
    return Math.max(1, Math.ceil((soonest - this.clock.now()) / 1000));
  }
}
