import { randomUUID } from 'node:crypto';
import type { RecordedDynamoCall } from './floor';
import type { RecordedCall } from './recording';
import type { LinkedCustomer } from './scenarios';

/** A marshalled attribute value, as the recording holds it (`{ S: '…' }`, `{ N: '…' }`, …). */
type AttributeValue = Record<string, unknown>;
type AttributeMap = Record<string, AttributeValue | undefined>;

/** One replay of the recorded delivery: its reads, in order, then its writes, to be issued together. */
export interface DeliveryCalls {
  reads: RecordedDynamoCall[];
  writes: RecordedDynamoCall[];
}

const PUT = 'PutItemCommand';
const UPDATE = 'UpdateItemCommand';
/** Writes a replay cannot make land (the recorded delivery makes none of them). */
const OTHER_WRITES = new Set(['DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);
const EVENT_PREFIX = 'WEBHOOK#';

const attributes = (input: Record<string, unknown>, field: string): AttributeMap => {
  const map = input[field];
  if (typeof map !== 'object' || map === null)
    throw new Error(`same writes: the recorded call has no ${field}`);
  return map as AttributeMap;
};

const stringOf = (value: AttributeValue | undefined, what: string): string => {
  if (typeof value?.S !== 'string') throw new Error(`same writes: ${what} is not a string attribute`);
  return value.S;
};

/** The recorded update's occurred_at (`:t`), the value every replay must exceed. */
const occurredAtOf = (update: RecordedDynamoCall): number => {
  const t = Number(attributes(update.input, 'ExpressionAttributeValues')[':t']?.N);
  if (!Number.isFinite(t)) throw new Error('same writes: the recorded UpdateItem has no numeric :t');
  return t;
};

/**
 * The record's put under a fresh event key (`WEBHOOK#<new key>`), so its attribute_not_exists(pk)
 * passes, and with status REPLAYED (as long as RECEIVED, so the item is as large) so that the
 * projection's stream filter leaves it alone: the copy would otherwise be applied as its original.
 */
const freshRecord = (put: RecordedDynamoCall): RecordedDynamoCall => {
  const item = attributes(put.input, 'Item');
  const pk = stringOf(item.pk, 'the recorded PutItem’s pk');
  if (!pk.startsWith(EVENT_PREFIX))
    throw new Error(`same writes: the recorded PutItem is not an event record (${pk})`);
  return {
    ...put,
    input: {
      ...put.input,
      Item: { ...item, pk: { S: `${EVENT_PREFIX}same-writes-${randomUUID()}` }, status: { S: 'REPLAYED' } },
    },
  };
};

const replaceSuffix = (value: string, from: string, to: string, what: string): string => {
  if (!value.endsWith(from)) throw new Error(`same writes: ${what} (${value}) does not end with ${from}`);
  return value.slice(0, value.length - from.length) + to;
};

/**
 * The application's update on `target`'s profile item (the recorded one is `from`'s) with occurred_at
 * `t` (`:t`, and `:iso` when present), so its "strictly newer" condition passes.
 */
const newerApplication = (
  update: RecordedDynamoCall,
  t: number,
  from: LinkedCustomer,
  target: LinkedCustomer,
): RecordedDynamoCall => {
  const key = attributes(update.input, 'Key');
  const pk = replaceSuffix(
    stringOf(key.pk, 'the UpdateItem’s pk'),
    from.customerId,
    target.customerId,
    'the UpdateItem’s pk',
  );
  const sk = replaceSuffix(
    stringOf(key.sk, 'the UpdateItem’s sk'),
    `#${from.profileId}`,
    `#${target.profileId}`,
    'the UpdateItem’s sk',
  );
  const values = attributes(update.input, 'ExpressionAttributeValues');
  const newer: AttributeMap = { ...values, ':t': { N: String(t) } };
  if (values[':iso'] !== undefined) newer[':iso'] = { S: new Date(t).toISOString() };
  return {
    ...update,
    input: {
      ...update.input,
      Key: { ...key, pk: { S: pk }, sk: { S: sk } },
      ExpressionAttributeValues: newer,
    },
  };
};

/** The recording's DynamoDB calls, split into reads and writes; anything else cannot be made to land. */
const split = (recording: readonly RecordedCall[]): DeliveryCalls => {
  const calls: DeliveryCalls = { reads: [], writes: [] };
  for (const call of recording) {
    if (call.kind !== 'dynamo')
      throw new Error(`same writes: the delivery called Wise (${call.method} ${call.url})`);
    if (call.commandName === PUT || call.commandName === UPDATE) calls.writes.push(call);
    else if (OTHER_WRITES.has(call.commandName))
      throw new Error(`same writes: cannot make ${call.commandName} land`);
    else calls.reads.push(call);
  }
  return calls;
};

/**
 * The recorded delivery (made for `from`), replayable so that every write lands: each call of the
 * returned function gives the delivery's calls again, input as recorded except that the PutItem gets
 * a fresh event key and the UpdateItem targets `target`'s profile item with an occurred_at later
 * than any before (a counter shared by all workers: a worker that owns its targets, and runs one
 * replay at a time, so sends each item strictly newer states, as the product phase did).
 */
export const landingReplays = (
  recording: readonly RecordedCall[],
  from: LinkedCustomer,
): ((target: LinkedCustomer) => DeliveryCalls) => {
  const { reads, writes } = split(recording);
  const updates = writes.filter((w) => w.commandName === UPDATE);
  if (writes.length === 0) throw new Error('same writes: the recorded delivery made no write');
  let occurredAt = Math.max(...updates.map(occurredAtOf), 0);
  return (target) => {
    occurredAt += 1000;
    const t = occurredAt;
    return {
      reads,
      writes: writes.map((w) =>
        w.commandName === PUT ? freshRecord(w) : newerApplication(w, t, from, target),
      ),
    };
  };
};
