import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIdentityRecords } from '../../../shared/adapters/dynamodb/identity-records';
import { SealedIdentityKey } from '../../../shared/adapters/dynamodb/sealed-identity-key';
import { StaticIdentityKey } from '../../../shared/adapters/identity-key';
import { LocalCipher } from '../../../shared/adapters/local-cipher';
import { identityItemKey } from '../../../shared/ports/identity';
import type { Table } from '../../../shared/store/dynamo';
import { startTestStack, type TestStack } from '../../support/stack';

let t: TestStack;
let table: Table;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
  table = t.stack.deps.oauth.table;
});
afterAll(async () => {
  await t?.close();
});

describe('the identity on record, on DynamoDB Local', () => {
  it('keeps keyed digests bound to the customer: equal dates of birth of two customers differ, no value is stored', async () => {
    // Prepare
    const records = new DynamoIdentityRecords(table, new StaticIdentityKey(), t.clock);

    // Act
    await records.record('alice-1', { dateOfBirth: '1990-01-02', registrationNumber: 'HRB 12345' });
    await records.record('bob-1', { dateOfBirth: '1990-01-02' });
    const alice = (
      await table.db.send(new GetCommand({ TableName: table.name, Key: identityItemKey('alice-1') }))
    ).Item;
    const bob = (
      await table.db.send(new GetCommand({ TableName: table.name, Key: identityItemKey('bob-1') }))
    ).Item;

    // Assess
    expect(alice?.dateOfBirthDigest).toMatch(/^hmac-sha256:v1:[A-Za-z0-9_-]{43}$/);
    expect(alice?.dateOfBirthDigest).not.toBe(bob?.dateOfBirthDigest);
    expect(JSON.stringify([alice, bob])).not.toMatch(/1990|12345/);
    expect(await records.compare('alice-1', 'registrationNumber', 'hrb-12345')).toBe('match');
    expect(await records.compare('alice-1', 'dateOfBirth', '1990-01-03')).toBe('mismatch');
    expect(await records.compare('bob-1', 'registrationNumber', 'HRB 12345')).toBe('none');
  });

  it('compares nothing alike under another key: the key, not the value, is the secret', async () => {
    // Prepare
    const one = new DynamoIdentityRecords(table, new StaticIdentityKey(), t.clock);
    const other = new DynamoIdentityRecords(table, new StaticIdentityKey(), t.clock);
    await one.record('carol-1', { dateOfBirth: '1971-07-07' });

    // Act
    const answer = await other.compare('carol-1', 'dateOfBirth', '1971-07-07');

    // Assess
    expect(answer).toBe('mismatch');
  });

  it('makes the sealed HMAC key once, whatever the number of containers racing for it, and never stores it in clear', async () => {
    // Prepare
    const cipher = new LocalCipher(randomBytes(32));
    const containers = Array.from({ length: 5 }, () => new SealedIdentityKey(table, cipher));

    // Act
    const keys = await Promise.all(containers.map((c) => c.get()));
    const later = await new SealedIdentityKey(table, cipher).get();
    const item = (
      await table.db.send(
        new GetCommand({
          TableName: table.name,
          Key: { pk: 'CUSTOMER#~identity-digest-key', sk: 'KEY' },
          ConsistentRead: true,
        }),
      )
    ).Item;

    // Assess
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    expect(later.equals(keys[0]!)).toBe(true);
    expect(later).toHaveLength(32);
    expect(JSON.stringify(item)).not.toContain(later.toString('base64'));
    await expect(new SealedIdentityKey(table, new LocalCipher(randomBytes(32))).get()).rejects.toThrow();
  });
});
