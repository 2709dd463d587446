import { createHmac } from 'node:crypto';
import {
  identityFacts,
  normalisedFact,
  type IdentityFact,
  type IdentitySummary,
} from '../../../shared/domain/identity';
import {
  identityItemKey,
  type IdentityChange,
  type IdentityRecords,
  type RecordOptions,
  type RecordOutcome,
} from '../../../shared/ports/identity';
import type { TransactWrite } from '../../../shared/ports/grants';
import { InMemoryItems } from './in-memory-items';

/**
 * The {@link IdentityRecords} port in memory, with DynamoIdentityRecords' rules: values kept only
 * as keyed digests bound to the customer and the fact (a fixed test key), normalised first, `null`
 * forgets, an unchanged record writes nothing (and no `alsoWrite`). Committed `alsoWrite` entries
 * are kept in `transactWrites`, as DynamoDB would commit them with the change.
 */
export class InMemoryIdentityRecords implements IdentityRecords {
  readonly transactWrites: TransactWrite[] = [];

  constructor(
    readonly items: InMemoryItems = new InMemoryItems(),
    private readonly key: Buffer = Buffer.alloc(32, 5),
  ) {}

  private digest(customerId: string, fact: IdentityFact, value: string): string {
    return createHmac('sha256', this.key)
      .update(`${customerId}\u0000${fact}\u0000${normalisedFact(fact, value)}`)
      .digest('base64url');
  }

  private read(customerId: string): Partial<Record<IdentityFact, string>> {
    const item = this.items.get(identityItemKey(customerId)) ?? {};
    return Object.fromEntries(
      identityFacts.filter((f) => typeof item[f] === 'string').map((f) => [f, item[f] as string]),
    );
  }

  private static summaryOf(digests: Partial<Record<IdentityFact, string>>): IdentitySummary {
    return {
      dateOfBirth: digests.dateOfBirth !== undefined,
      registrationNumber: digests.registrationNumber !== undefined,
    };
  }

  async record(
    customerId: string,
    change: IdentityChange,
    options: RecordOptions = {},
  ): Promise<RecordOutcome> {
    const before = this.read(customerId);
    const after = { ...before };
    for (const fact of identityFacts) {
      const value = change[fact];
      if (value === null) delete after[fact];
      else if (value !== undefined) after[fact] = this.digest(customerId, fact, value);
    }
    const summary = InMemoryIdentityRecords.summaryOf(after);
    if (identityFacts.every((f) => before[f] === after[f])) return { summary, changed: false };
    if (Object.keys(after).length === 0) this.items.delete(identityItemKey(customerId));
    else this.items.put({ ...identityItemKey(customerId), ...after });
    this.transactWrites.push(...(options.alsoWrite?.(summary) ?? []));
    return { summary, changed: true };
  }

  async summary(customerId: string): Promise<IdentitySummary> {
    return InMemoryIdentityRecords.summaryOf(this.read(customerId));
  }

  async compare(
    customerId: string,
    fact: IdentityFact,
    value: string,
  ): Promise<'match' | 'mismatch' | 'none'> {
    const onRecord = this.read(customerId)[fact];
    if (onRecord === undefined) return 'none';
    return onRecord === this.digest(customerId, fact, value) ? 'match' : 'mismatch';
  }

  async forget(customerId: string): Promise<void> {
    this.items.delete(identityItemKey(customerId));
  }
}
