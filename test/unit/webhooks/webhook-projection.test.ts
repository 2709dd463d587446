import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { workOf } from '../../../functions/webhook-projection/consumer';
import {
  applyPendingEvents,
  projectRecordedEvent,
  type ProjectionPorts,
} from '../../../functions/webhook-projection/project-recorded-event';
import type { NewWebhookEvent } from '../../../shared/ports/webhook-events';
import { streamBatchHandler } from '../../../shared/streams/batch';
import { CallBudget } from '../../../shared/webhooks/call-budget';
import type { WiseEvent } from '../../../shared/webhooks/webhook-event';
import {
  ownerKeyOf,
  type Application,
  type StateProjection,
} from '../../../shared/webhooks/wise-state-projection';
import { InMemoryWebhookEventStore, ManualClock } from '../../support/fakes';

/** The state projection's rules in memory: a write lands only when strictly newer than the stored state. */
class InMemoryStateProjection implements StateProjection {
  readonly owners = new Map<string, string>();
  readonly state = new Map<string, { occurredAt: number; value: string }>();
  lookups = 0;
  failing = false;
  /** Owner keys that become owned right after their first lookup (a link completing meanwhile). */
  readonly ownedAfterLookup = new Map<string, string>();

  async ownerOf(event: WiseEvent): Promise<string | undefined> {
    this.lookups++;
    const key = ownerKeyOf(event)!;
    const owner = this.owners.get(key);
    const later = this.ownedAfterLookup.get(key);
    if (later) this.owners.set(key, later);
    return owner;
  }

  async applyFor(event: WiseEvent, customerId: string): Promise<Application> {
    if (this.failing)
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    const key = ownerKeyOf(event)!;
    if (this.owners.get(key) !== customerId) return { outcome: 'UNMATCHED' };
    const stored = this.state.get(key);
    if (stored && stored.occurredAt >= event.occurredAt) return { outcome: 'STALE', customerId };
    this.state.set(key, { occurredAt: event.occurredAt, value: JSON.stringify(event) });
    return { outcome: 'APPLIED', customerId };
  }
}

const fakes = () => {
  const clock = new ManualClock(1_000_000);
  const events = new InMemoryWebhookEventStore(clock);
  const projection = new InMemoryStateProjection();
  const ports: ProjectionPorts = { events, projection, clock, logger: new Logger({ logLevel: 'SILENT' }) };
  return { ports, events, projection, clock };
};

const budget = () => new CallBudget(Date.now() + 10_000);
const verification = (
  dedupKey: string,
  profileId: number,
  occurredAt: string,
  state = 'verified',
): NewWebhookEvent => ({
  dedupKey,
  eventType: 'profiles#verification-state-change',
  status: 'RECEIVED',
  occurredAt: Date.parse(occurredAt),
  payload: JSON.stringify({
    resource: { type: 'profile', id: profileId },
    current_state: state,
    occurred_at: occurredAt,
  }),
});

const recorded = async (events: InMemoryWebhookEventStore, event: NewWebhookEvent) => {
  await events.record(event, budget());
  return (await events.get(event.dedupKey))!;
};

describe('projectRecordedEvent', () => {
  it('applies a recorded event of a customer of ours and records APPLIED with the customer', async () => {
    // Prepare
    const { ports, events, projection } = fakes();
    projection.owners.set('PROFILE#42', 'c1');
    const record = await recorded(events, verification('e1', 42, '2026-01-01T00:00:00Z'));

    // Act
    const projected = await projectRecordedEvent(ports, record, budget());

    // Assess
    expect(projected).toEqual({ status: 'APPLIED', outcome: 'APPLIED', customerId: 'c1', recorded: true });
    expect(await events.get('e1')).toMatchObject({
      status: 'APPLIED',
      outcome: 'APPLIED',
      customerId: 'c1',
      projectedAt: 1_000_000,
    });
  });

  it('changes nothing when the same record comes again (a redelivered stream record, a replay)', async () => {
    // Prepare
    const { ports, events, projection } = fakes();
    projection.owners.set('PROFILE#42', 'c1');
    const record = await recorded(events, verification('e1', 42, '2026-01-01T00:00:00Z'));
    await projectRecordedEvent(ports, record, budget());
    const [before, state] = [await events.get('e1'), new Map(projection.state)];

    // Act
    const again = await projectRecordedEvent(ports, record, budget());

    // Assess
    expect(again).toMatchObject({ status: 'APPLIED', outcome: 'STALE', recorded: false });
    expect(await events.get('e1')).toEqual(before);
    expect(projection.state).toEqual(state);
  });

  it('records an older event than the stored state as applied but STALE, and leaves the state', async () => {
    // Prepare
    const { ports, events, projection } = fakes();
    projection.owners.set('PROFILE#42', 'c1');
    await projectRecordedEvent(
      ports,
      await recorded(events, verification('new', 42, '2026-01-02T00:00:00Z')),
      budget(),
    );

    // Act
    const older = await projectRecordedEvent(
      ports,
      await recorded(events, verification('old', 42, '2026-01-01T00:00:00Z', 'not_verified')),
      budget(),
    );

    // Assess
    expect(older).toMatchObject({ status: 'APPLIED', outcome: 'STALE', recorded: true });
    expect(projection.state.get('PROFILE#42')?.occurredAt).toBe(Date.parse('2026-01-02T00:00:00Z'));
  });

  it("keeps an event nobody owns UNMATCHED under its pending key, and applies it when the profile becomes a customer's", async () => {
    // Prepare
    const { ports, events, projection } = fakes();
    const record = await recorded(events, verification('e1', 42, '2026-01-01T00:00:00Z'));

    // Act
    const first = await projectRecordedEvent(ports, record, budget());
    projection.owners.set('PROFILE#42', 'c9');
    const applied = await applyPendingEvents(ports, 'PENDING_PROFILE#42', 'c9', budget());

    // Assess
    expect(first).toEqual({ status: 'UNMATCHED', pendingKey: 'PENDING_PROFILE#42', recorded: true });
    expect(applied).toBe(1);
    const after = await events.get('e1');
    expect(after).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId: 'c9' });
    expect(after).not.toHaveProperty('pendingKey');
    expect(await events.pending('PENDING_PROFILE#42')).toEqual([]);
  });

  it('looks for the owner once more after recording UNMATCHED, for a link that completed in between', async () => {
    // Prepare: the profile becomes c2's right after the first lookup (its stream record found nothing pending).
    const { ports, events, projection } = fakes();
    projection.ownedAfterLookup.set('PROFILE#42', 'c2');
    const record = await recorded(events, verification('e1', 42, '2026-01-01T00:00:00Z'));

    // Act
    const projected = await projectRecordedEvent(ports, record, budget());

    // Assess
    expect(projected).toMatchObject({
      status: 'APPLIED',
      outcome: 'APPLIED',
      customerId: 'c2',
      recorded: true,
    });
    expect(projection.lookups).toBe(2);
  });

  it('records data it does not recognise, and a record without data, IGNORED with the reason', async () => {
    // Prepare
    const { ports, events } = fakes();
    const broken = await recorded(events, {
      ...verification('e1', 42, '2026-01-01T00:00:00Z'),
      payload: '{"resource":{}}',
    });
    const empty = await recorded(events, {
      ...verification('e2', 42, '2026-01-01T00:00:00Z'),
      payload: undefined,
    });

    // Act
    const results = [
      await projectRecordedEvent(ports, broken, budget()),
      await projectRecordedEvent(ports, empty, budget()),
    ];

    // Assess
    expect(results).toEqual([
      { status: 'IGNORED', reason: 'UNRECOGNISED_DATA', recorded: true },
      { status: 'IGNORED', reason: 'NO_DATA', recorded: true },
    ]);
  });

  it('fails when the store fails, leaving the record RECEIVED for the retry', async () => {
    // Prepare
    const { ports, events, projection } = fakes();
    projection.owners.set('PROFILE#42', 'c1');
    projection.failing = true;
    const record = await recorded(events, verification('e1', 42, '2026-01-01T00:00:00Z'));

    // Act
    const err = await projectRecordedEvent(ports, record, budget()).catch((e: Error) => e);

    // Assess
    expect((err as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(await events.get('e1')).toMatchObject({ status: 'RECEIVED' });
  });
});

const streamRecord = (
  seq: number,
  keys: { pk: string; sk: string },
  newImage?: Record<string, { S: string }>,
  oldImage?: Record<string, { S: string }>,
): DynamoDBRecord => ({
  eventName: oldImage ? 'MODIFY' : 'INSERT',
  dynamodb: {
    SequenceNumber: String(seq),
    Keys: { pk: { S: keys.pk }, sk: { S: keys.sk } },
    ...(newImage ? { NewImage: { pk: { S: keys.pk }, sk: { S: keys.sk }, ...newImage } } : {}),
    ...(oldImage ? { OldImage: { pk: { S: keys.pk }, sk: { S: keys.sk }, ...oldImage } } : {}),
  },
});

describe('the projection consumer', () => {
  it('reads each record as the work its filter selected it for', () => {
    // Act
    const works = [
      streamRecord(1, { pk: 'WEBHOOK#k', sk: 'EVENT' }, { status: { S: 'RECEIVED' }, dedupKey: { S: 'k' } }),
      streamRecord(2, { pk: 'CUSTOMER#c1', sk: 'PROFILE#42' }, { verification: { S: 'unknown' } }),
      streamRecord(
        3,
        { pk: 'CUSTOMER#c1', sk: 'ACCOUNT' },
        { gsi1pk: { S: 'WISEUSER#7' } },
        { status: { S: 'CREATING' } },
      ),
      streamRecord(
        4,
        { pk: 'CUSTOMER#c1', sk: 'PROFILE#42' },
        { verification: { S: 'verified' } },
        { verification: { S: 'unknown' } },
      ),
      streamRecord(
        5,
        { pk: 'WEBHOOK#k', sk: 'EVENT' },
        { status: { S: 'APPLIED' } },
        { status: { S: 'RECEIVED' } },
      ),
    ].map(workOf);

    // Assess
    expect(works.map((w) => w.kind)).toEqual([
      'recorded-event',
      'owner-arrived',
      'owner-arrived',
      'none',
      'none',
    ]);
    expect(works[0]).toMatchObject({ image: { dedupKey: 'k', status: 'RECEIVED' } });
    expect(works[1]).toEqual({ kind: 'owner-arrived', pendingKey: 'PENDING_PROFILE#42', customerId: 'c1' });
    expect(works[2]).toEqual({ kind: 'owner-arrived', pendingKey: 'PENDING_USER#7', customerId: 'c1' });
  });

  it('reports exactly the records that failed, so that Lambda redelivers from the first of them', async () => {
    // Prepare
    const handler = streamBatchHandler({
      logger: new Logger({ logLevel: 'SILENT' }),
      handle: async (r) => {
        if (['2', '4'].includes(r.dynamodb!.SequenceNumber!)) throw new Error('no');
      },
    });
    const records = [1, 2, 3, 4, 5].map((n) =>
      streamRecord(n, { pk: `WEBHOOK#${n}`, sk: 'EVENT' }, { status: { S: 'RECEIVED' } }),
    );

    // Act
    const answer = await handler({ Records: records }, { getRemainingTimeInMillis: () => 10_000 });

    // Assess
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['2', '4']);
  });
});
