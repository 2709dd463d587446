import { Logger } from '@aws-lambda-powertools/logger';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { partnerEventsConsumer } from '../../../functions/partner-events/consumer';
import type { EventBus, PartnerEvent } from '../../../shared/ports/partner-events';
import type { Table } from '../../../shared/store/dynamo';
import { ManualClock } from '../../support/fakes';

let seq = 100;
const accountRecord = (
  customerId: string,
  from: string | undefined,
  to: string,
  updatedAt: string,
): DynamoDBRecord => ({
  eventName: from === undefined ? 'INSERT' : 'MODIFY',
  dynamodb: {
    SequenceNumber: String(seq++),
    ApproximateCreationDateTime: 1_772_000_000,
    Keys: marshall({ pk: `CUSTOMER#${customerId}`, sk: 'ACCOUNT' }) as never,
    ...(from === undefined
      ? {}
      : { OldImage: marshall({ pk: `CUSTOMER#${customerId}`, sk: 'ACCOUNT', status: from }) as never }),
    NewImage: marshall({ pk: `CUSTOMER#${customerId}`, sk: 'ACCOUNT', status: to, updatedAt }) as never,
  },
});

/** A bus that refuses the events of one customer until told otherwise. */
class ScriptedBus implements EventBus {
  readonly published: PartnerEvent[] = [];
  refuse = new Set<string>();
  async publish(events: readonly PartnerEvent[]): Promise<void> {
    if (events.some((e) => this.refuse.has(e.detail.customerId))) throw new Error('bus unavailable');
    this.published.push(...events);
  }
}

/** Account-status records need no table call: a table that answers nothing proves it. */
const noTable: Table = {
  name: 't',
  db: {
    send: async () => {
      throw new Error('no table call expected');
    },
  } as never,
};

const consumer = (bus: EventBus) =>
  partnerEventsConsumer({
    table: noTable,
    clock: new ManualClock(0),
    logger: new Logger({ logLevel: 'SILENT' }),
    eventBus: bus,
  });
const context = { getRemainingTimeInMillis: () => 60_000 };

describe('partnerEventsConsumer', () => {
  it('publishes in stream order and answers no failures', async () => {
    // Prepare
    const bus = new ScriptedBus();
    const records = [
      accountRecord('a', undefined, 'CREATING', 't1'),
      accountRecord('a', 'CREATING', 'ACTIVE', 't2'),
      accountRecord('b', undefined, 'CREATING', 't3'),
    ];

    // Act
    const answer = await consumer(bus)({ Records: records }, context);

    // Assess
    expect(answer.batchItemFailures).toEqual([]);
    expect(bus.published.map((e) => [e.detail.customerId, (e.detail as { status: string }).status])).toEqual([
      ['a', 'CREATING'],
      ['a', 'ACTIVE'],
      ['b', 'CREATING'],
    ]);
  });

  it("holds back a customer's later records behind its failed one; other customers go on", async () => {
    // Prepare
    const bus = new ScriptedBus();
    bus.refuse.add('a');
    const records = [
      accountRecord('a', undefined, 'CREATING', 't1'),
      accountRecord('b', undefined, 'CREATING', 't2'),
      accountRecord('a', 'CREATING', 'ACTIVE', 't3'),
    ];

    // Act
    const answer = await consumer(bus)({ Records: records }, context);

    // Assess
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      records[0]!.dynamodb!.SequenceNumber,
      records[2]!.dynamodb!.SequenceNumber,
    ]);
    expect(bus.published.map((e) => e.detail.customerId)).toEqual(['b']);
  });

  it('republishes a redelivered record with the same eventId', async () => {
    // Prepare
    const bus = new ScriptedBus();
    const record = accountRecord('a', 'LINKED', 'RELINK_REQUIRED', 't9');
    const handler = consumer(bus);

    // Act
    await handler({ Records: [record] }, context);
    await handler({ Records: [record] }, context);

    // Assess
    expect(bus.published).toHaveLength(2);
    expect(bus.published[0]!.detail.eventId).toBe(bus.published[1]!.detail.eventId);
  });

  it("ignores records of items that are not a customer's", async () => {
    // Prepare
    const bus = new ScriptedBus();
    const record: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '1',
        Keys: marshall({ pk: 'WEBHOOK#x', sk: 'EVENT' }) as never,
        NewImage: marshall({ status: 'RECEIVED' }) as never,
      },
    };

    // Act
    const answer = await consumer(bus)({ Records: [record] }, context);

    // Assess
    expect(answer.batchItemFailures).toEqual([]);
    expect(bus.published).toEqual([]);
  });
});
