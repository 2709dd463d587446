import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../shared/ports/clock';
import type { Table } from '../../../shared/store/dynamo';
import { CallBudget } from '../../../shared/webhooks/call-budget';
import { OwnerCache } from '../../../shared/webhooks/owner-cache';
import type { WiseEvent } from '../../../shared/webhooks/webhook-event';
import { WiseStateProjection } from '../../../shared/webhooks/wise-state-projection';

/** A table whose client answers each command with the next scripted answer (a value, or an error to throw). */
const scriptedTable = (...answers: unknown[]) => {
  const send = vi.fn(async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    void command;
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return next ?? {};
  });
  return { table: { db: { send }, name: 't' } as unknown as Table, send };
};

const refused = (item?: Record<string, unknown>) =>
  Object.assign(new Error('refused'), { name: 'ConditionalCheckFailedException', Item: item });

const budget = () => CallBudget.within(5000);
const verification: WiseEvent = {
  type: 'profiles#verification-state-change',
  profileId: 7,
  verification: 'verified',
  occurredAt: 1_700_000_000_000,
};
const deactivation: WiseEvent = {
  type: 'users#state-change',
  userId: 42,
  state: 'DEACTIVATED',
  occurredAt: 1_700_000_000_000,
};
const found = (customerId: string) => ({ Items: [{ pk: `CUSTOMER#${customerId}` }] });

describe('OwnerCache', () => {
  it('keeps at most its capacity, dropping the least recently used', () => {
    // Prepare
    const cache = new OwnerCache(2);
    cache.remember('a', '1');
    cache.remember('b', '2');

    // Act
    cache.get('a');
    cache.remember('c', '3');

    // Assess
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual(['1', undefined, '3', 2]);
  });
});

describe('WiseStateProjection owners', () => {
  it('looks an owner up once per container, then remembers it', async () => {
    // Prepare
    const { table, send } = scriptedTable(found('c1'));
    const projection = new WiseStateProjection(table, new ManualClock(0));

    // Act
    const first = await projection.ownerOf(verification, budget());
    const second = await projection.ownerOf(verification, budget());

    // Assess
    expect([first, second]).toEqual(['c1', 'c1']);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0].input).toMatchObject({
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':k': 'PROFILE#7' },
    });
  });

  it('never remembers a miss: a profile linked after its first event is found on the next one', async () => {
    // Prepare
    const { table, send } = scriptedTable({ Items: [] }, found('c2'));
    const projection = new WiseStateProjection(table, new ManualClock(0));

    // Act
    const before = await projection.ownerOf(verification, budget());
    const after = await projection.ownerOf(verification, budget());

    // Assess
    expect([before, after]).toEqual([undefined, 'c2']);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('applies with exactly one conditional write, and a refusal of an existing item is STALE', async () => {
    // Prepare
    const { table, send } = scriptedTable({}, refused({ pk: { S: 'CUSTOMER#c1' } }));
    const projection = new WiseStateProjection(table, new ManualClock(0));

    // Act
    const first = await projection.applyFor(verification, 'c1', budget());
    const repeat = await projection.applyFor(verification, 'c1', budget());

    // Assess
    expect([first, repeat]).toEqual([
      { outcome: 'APPLIED', customerId: 'c1' },
      { outcome: 'STALE', customerId: 'c1' },
    ]);
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[0]![0].input).toMatchObject({
      Key: { pk: 'CUSTOMER#c1', sk: 'PROFILE#7' },
      ConditionExpression: expect.stringContaining('verificationOccurredAt < :t'),
    });
  });

  it('treats a remembered user whose account now carries another Wise user as UNMATCHED, and forgets it', async () => {
    // Prepare: c1 was WISEUSER#42's owner when remembered, and has since linked Wise user 43.
    const owners = new OwnerCache();
    owners.remember('WISEUSER#42', 'c1');
    const { table, send } = scriptedTable(
      refused({ pk: { S: 'CUSTOMER#c1' }, gsi1pk: { S: 'WISEUSER#43' } }),
      { Items: [] },
    );
    const projection = new WiseStateProjection(table, new ManualClock(0), owners);

    // Act
    const result = await projection.apply(deactivation, budget());
    const lookedUpAgain = await projection.ownerOf(deactivation, budget());

    // Assess
    expect(result).toEqual({ outcome: 'UNMATCHED' });
    expect(send.mock.calls[0]![0].input).toMatchObject({
      ConditionExpression: expect.stringContaining('gsi1pk = :owner'),
      ExpressionAttributeValues: expect.objectContaining({ ':owner': 'WISEUSER#42' }),
    });
    expect(lookedUpAgain).toBeUndefined();
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('keeps a remembered user whose account refused an older state (STALE)', async () => {
    // Prepare
    const owners = new OwnerCache();
    owners.remember('WISEUSER#42', 'c1');
    const { table } = scriptedTable(refused({ pk: { S: 'CUSTOMER#c1' }, gsi1pk: { S: 'WISEUSER#42' } }));
    const projection = new WiseStateProjection(table, new ManualClock(0), owners);

    // Act
    const result = await projection.apply(deactivation, budget());

    // Assess
    expect(result).toEqual({ outcome: 'STALE', customerId: 'c1' });
    expect(owners.get('WISEUSER#42')).toBe('c1');
  });
});
