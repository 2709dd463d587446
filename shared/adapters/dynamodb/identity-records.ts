import { createHmac, timingSafeEqual } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  identityFacts,
  normalisedFact,
  type IdentityFact,
  type IdentitySummary,
} from '../../domain/identity';
import type { Clock } from '../../ports/clock';
import {
  identityItemKey,
  type IdentityChange,
  type IdentityDigestKey,
  type IdentityRecords,
  type RecordOptions,
  type RecordOutcome,
} from '../../ports/identity';
import type { Table } from '../../store/dynamo';

/** The digest's version: a new scheme (or key) gets a new prefix, so old digests are told apart. */
const SCHEME = 'hmac-sha256:v1';
const attribute = (fact: IdentityFact) => `${fact}Digest`;

type Digests = Partial<Record<IdentityFact, string>>;

const summaryOf = (digests: Digests): IdentitySummary => ({
  dateOfBirth: digests.dateOfBirth !== undefined,
  registrationNumber: digests.registrationNumber !== undefined,
});

/**
 * The {@link IdentityRecords} port on the application table. A digest is
 * HMAC-SHA256(key, scheme, customerId, fact, normalised value): bound to the customer and the fact,
 * so equal dates of birth of two customers have different digests and a table read tells nothing.
 */
export class DynamoIdentityRecords implements IdentityRecords {
  constructor(
    private readonly table: Table,
    private readonly key: IdentityDigestKey,
    private readonly clock: Clock,
  ) {}

  private async digest(customerId: string, fact: IdentityFact, value: string): Promise<string> {
    const mac = createHmac('sha256', await this.key.get());
    for (const part of [SCHEME, customerId, fact, normalisedFact(fact, value)])
      mac.update(part).update('\u0000');
    return `${SCHEME}:${mac.digest('base64url')}`;
  }

  private async read(customerId: string): Promise<Digests> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: identityItemKey(customerId), ConsistentRead: true }),
    );
    const digests: Digests = {};
    for (const fact of identityFacts) {
      const value = out.Item?.[attribute(fact)];
      if (typeof value === 'string') digests[fact] = value;
    }
    return digests;
  }

  async record(
    customerId: string,
    change: IdentityChange,
    options: RecordOptions = {},
  ): Promise<RecordOutcome> {
    const before = await this.read(customerId);
    const after: Digests = { ...before };
    for (const fact of identityFacts) {
      const value = change[fact];
      if (value === null) delete after[fact];
      else if (value !== undefined) after[fact] = await this.digest(customerId, fact, value);
    }
    const summary = summaryOf(after);
    if (identityFacts.every((f) => before[f] === after[f])) return { summary, changed: false };

    const key = identityItemKey(customerId);
    const remaining = Object.entries(after).map(([f, d]) => [attribute(f as IdentityFact), d]);
    const put = {
      TableName: this.table.name,
      Item: { ...key, ...Object.fromEntries(remaining), updatedAt: new Date(this.clock.now()).toISOString() },
    };
    const del = { TableName: this.table.name, Key: key };
    const also = options.alsoWrite?.(summary) ?? [];
    if (also.length > 0) {
      const write = remaining.length > 0 ? { Put: put } : { Delete: del };
      await this.table.db.send(new TransactWriteCommand({ TransactItems: [write, ...also] }));
    } else if (remaining.length > 0) {
      await this.table.db.send(new PutCommand(put));
    } else {
      await this.table.db.send(new DeleteCommand(del));
    }
    return { summary, changed: true };
  }

  async summary(customerId: string): Promise<IdentitySummary> {
    return summaryOf(await this.read(customerId));
  }

  async compare(
    customerId: string,
    fact: IdentityFact,
    value: string,
  ): Promise<'match' | 'mismatch' | 'none'> {
    const onRecord = (await this.read(customerId))[fact];
    if (onRecord === undefined) return 'none';
    const candidate = Buffer.from(await this.digest(customerId, fact, value));
    const stored = Buffer.from(onRecord);
    return candidate.length === stored.length && timingSafeEqual(candidate, stored) ? 'match' : 'mismatch';
  }

  async forget(customerId: string): Promise<void> {
    await this.table.db.send(
      new DeleteCommand({ TableName: this.table.name, Key: identityItemKey(customerId) }),
    );
  }
}
