import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPattern, matchesPattern, passesFilters } from '../../../local/stream-runner/filter';
import { deliverBatch, type FailedBatch } from '../../../local/stream-runner/mapping';
import {
  ACCOUNTS_GETTING_THEIR_WISE_USER,
  PROFILES_BECOMING_A_CUSTOMERS,
  RECORDED_WEBHOOK_EVENTS,
  streamConsumers,
  type FilterPattern,
  type StreamConsumer,
} from '../../../shared/stream-consumers';

type Image = Record<string, { S?: string; N?: string }>;
const record = (
  seq: number,
  keys: { pk: string; sk: string },
  images: { newImage?: Image; oldImage?: Image } = {},
): DynamoDBRecord => ({
  eventName: images.oldImage ? (images.newImage ? 'MODIFY' : 'REMOVE') : 'INSERT',
  dynamodb: {
    SequenceNumber: String(seq).padStart(21, '0'),
    Keys: { pk: { S: keys.pk }, sk: { S: keys.sk } },
    ...(images.newImage ? { NewImage: { pk: { S: keys.pk }, sk: { S: keys.sk }, ...images.newImage } } : {}),
    ...(images.oldImage ? { OldImage: { pk: { S: keys.pk }, sk: { S: keys.sk }, ...images.oldImage } } : {}),
  },
});

describe("the local runner's event filtering", () => {
  it('selects a RECEIVED event record, and neither its outcome update nor a test notification', () => {
    // Prepare
    const key = { pk: 'WEBHOOK#abc', sk: 'EVENT' };

    // Act
    const inserted = matchesPattern(
      RECORDED_WEBHOOK_EVENTS,
      record(1, key, { newImage: { status: { S: 'RECEIVED' } } }),
    );
    const outcome = matchesPattern(
      RECORDED_WEBHOOK_EVENTS,
      record(2, key, { oldImage: { status: { S: 'RECEIVED' } }, newImage: { status: { S: 'APPLIED' } } }),
    );
    const test = matchesPattern(
      RECORDED_WEBHOOK_EVENTS,
      record(3, { pk: 'WEBHOOK#TEST#abc', sk: 'EVENT' }, { newImage: { status: { S: 'TEST' } } }),
    );

    // Assess
    expect([inserted, outcome, test]).toEqual([true, false, false]);
  });

  it("selects a profile item's insert only: not its modifications, not its removal", () => {
    // Prepare
    const key = { pk: 'CUSTOMER#c1', sk: 'PROFILE#42' };
    const image = { verification: { S: 'unknown' } };

    // Act
    const results = [
      record(1, key, { newImage: image }),
      record(2, key, { oldImage: image, newImage: { verification: { S: 'verified' } } }),
      record(3, key, { oldImage: image }),
    ].map((r) => matchesPattern(PROFILES_BECOMING_A_CUSTOMERS, r));

    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it('selects an account getting its first Wise user, and not a change of an account that had one', () => {
    // Prepare
    const key = { pk: 'CUSTOMER#c1', sk: 'ACCOUNT' };

    // Act
    const first = matchesPattern(
      ACCOUNTS_GETTING_THEIR_WISE_USER,
      record(1, key, { newImage: { gsi1pk: { S: 'WISEUSER#7' } } }),
    );
    const gained = matchesPattern(
      ACCOUNTS_GETTING_THEIR_WISE_USER,
      record(2, key, { oldImage: { status: { S: 'CREATING' } }, newImage: { gsi1pk: { S: 'WISEUSER#7' } } }),
    );
    const later = matchesPattern(
      ACCOUNTS_GETTING_THEIR_WISE_USER,
      record(3, key, {
        oldImage: { gsi1pk: { S: 'WISEUSER#7' } },
        newImage: { gsi1pk: { S: 'WISEUSER#7' }, status: { S: 'LINKED' } },
      }),
    );
    const none = matchesPattern(
      ACCOUNTS_GETTING_THEIR_WISE_USER,
      record(4, key, { newImage: { status: { S: 'CREATING' } } }),
    );

    // Assess
    expect([first, gained, later, none]).toEqual([true, true, false, false]);
  });

  it('implements literal, prefix, exists and anything-but, and a list as any-of', () => {
    // Prepare
    const pattern: FilterPattern = {
      dynamodb: {
        Keys: { pk: { S: [{ prefix: 'A#' }, 'B'] }, sk: { S: [{ 'anything-but': ['X', 'Y'] }] } },
        NewImage: { n: [{ exists: true }] },
      },
    };
    const r = (pk: string, sk: string, withN: boolean) =>
      record(1, { pk, sk }, { newImage: withN ? { n: { N: '1' } } : {} });

    // Act
    const results = [
      r('A#1', 'Z', true),
      r('B', 'Z', true),
      r('C', 'Z', true),
      r('A#1', 'X', true),
      r('A#1', 'Z', false),
    ].map((x) => matchesPattern(pattern, x));

    // Assess
    expect(results).toEqual([true, true, false, false, false]);
    expect(passesFilters([], r('C', 'X', false))).toBe(true);
  });

  it('refuses patterns Lambda would not apply to a DynamoDB mapping, or operators it does not implement', () => {
    // Assess
    expect(() => checkPattern({ eventName: ['INSERT'] } as unknown as FilterPattern)).toThrow(
      /"dynamodb" key only/,
    );
    expect(() =>
      checkPattern({ dynamodb: { Keys: { pk: { S: [{ suffix: '#' }] } } } } as unknown as FilterPattern),
    ).toThrow(/does not implement/);
    for (const consumer of streamConsumers)
      for (const p of consumer.filters) expect(() => checkPattern(p)).not.toThrow();
  });

  it('never throws on any record shape, and a pattern always matches the record it describes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.string()), (pk, sk, status) => {
        const r = record(1, { pk, sk }, { newImage: status === null ? {} : { status: { S: status } } });
        for (const consumer of streamConsumers) passesFilters(consumer.filters, r);
        const exact: FilterPattern = { dynamodb: { Keys: { pk: { S: [pk] }, sk: { S: [sk] } } } };
        expect(matchesPattern(exact, r)).toBe(true);
      }),
    );
  });
});

const consumer = (overrides: Partial<StreamConsumer> = {}): StreamConsumer => ({
  ...streamConsumers[0],
  maxRetries: 2,
  bisectOnError: true,
  ...overrides,
});

/** Delivers `records` to a handler that answers per invocation; returns the invocations and what was given up on. */
const run = async (
  records: DynamoDBRecord[],
  answer: (batch: DynamoDBRecord[], call: number) => DynamoDBBatchResponse | Error,
  definition = consumer(),
) => {
  const calls: string[][] = [];
  const failed: FailedBatch[] = [];
  const done = await deliverBatch(
    {
      consumer: definition,
      timeoutMs: 1000,
      retryDelayMs: 1,
      onFailure: (b) => void failed.push(b),
      handler: () => async (event) => {
        calls.push(event.Records.map((r) => r.dynamodb!.SequenceNumber!.replace(/^0+/, '')));
        const a = answer(event.Records, calls.length);
        if (a instanceof Error) throw a;
        return a;
      },
    },
    'shard-1',
    records,
  );
  return { done, calls, failed };
};

const five = () =>
  [1, 2, 3, 4, 5].map((n) =>
    record(n, { pk: `WEBHOOK#${n}`, sk: 'EVENT' }, { newImage: { status: { S: 'RECEIVED' } } }),
  );
const seqOf = (r: DynamoDBRecord) => r.dynamodb!.SequenceNumber!;

describe("the local runner's delivery rules (as Lambda applies them to a stream batch)", () => {
  it('checkpoints a batch that succeeds, after one invocation', async () => {
    // Act
    const { done, calls, failed } = await run(five(), () => ({ batchItemFailures: [] }));

    // Assess
    expect([done, calls, failed]).toEqual([true, [['1', '2', '3', '4', '5']], []]);
  });

  it('retries from the lowest reported failure only, and stops once the records succeed', async () => {
    // Act: records 4 and 3 fail on the first call.
    const { calls, failed } = await run(five(), (batch, call) =>
      call === 1
        ? {
            batchItemFailures: [seqOf(batch[3]!), seqOf(batch[2]!)].map((itemIdentifier) => ({
              itemIdentifier,
            })),
          }
        : { batchItemFailures: [] },
    );

    // Assess
    expect(calls).toEqual([
      ['1', '2', '3', '4', '5'],
      ['3', '4', '5'],
    ]);
    expect(failed).toEqual([]);
  });

  it('bisects a batch whose invocation throws, down to the poison record, which goes to the failure destination after its retries', async () => {
    // Act: any batch holding record 4 throws.
    const { calls, failed } = await run(five(), (batch) =>
      batch.some((r) => seqOf(r).endsWith('4')) ? new Error('poison') : { batchItemFailures: [] },
    );

    // Assess
    expect(calls).toEqual([
      ['1', '2', '3', '4', '5'],
      ['1', '2', '3'],
      ['4', '5'],
      ['4'],
      ['4'],
      ['4'],
      ['5'],
    ]);
    expect(failed).toEqual([
      expect.objectContaining({
        reason: 'RetriesExhausted',
        attempts: 3,
        batchSize: 1,
        shardId: 'shard-1',
        lastError: 'Error: poison',
      }),
    ]);
    expect(failed[0]!.records.map(seqOf)).toEqual([seqOf(five()[3]!)]);
  });

  it('retries a throwing batch as it is when bisection is off, then gives the whole batch up', async () => {
    // Act
    const { calls, failed } = await run(
      five().slice(0, 2),
      () => new Error('down'),
      consumer({ bisectOnError: false, maxRetries: 1 }),
    );

    // Assess
    expect(calls).toEqual([
      ['1', '2'],
      ['1', '2'],
    ]);
    expect(failed.map((f) => f.records.length)).toEqual([2]);
  });

  it("treats an identifier that is not one of the batch's sequence numbers as a failure of the whole batch", async () => {
    // Act
    const { calls } = await run(five().slice(0, 2), (_b, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: 'nope' }] } : { batchItemFailures: [] },
    );

    // Assess
    expect(calls).toEqual([
      ['1', '2'],
      ['1', '2'],
    ]);
  });

  it('counts an invocation that outlives the function timeout as failed', async () => {
    // Prepare
    const calls: number[] = [];

    // Act
    const failed: FailedBatch[] = [];
    await deliverBatch(
      {
        consumer: consumer({ maxRetries: 0, bisectOnError: false }),
        timeoutMs: 20,
        onFailure: (b) => void failed.push(b),
        handler: () => () => {
          calls.push(1);
          return new Promise<DynamoDBBatchResponse>(() => undefined);
        },
      },
      'shard-1',
      five().slice(0, 1),
    );

    // Assess
    expect(calls).toHaveLength(1);
    expect(failed[0]?.lastError).toMatch(/timed out after 20 ms/);
  });
});
