import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecordedCall } from './recording';

/** What one DynamoDB call consumed, as DynamoDB reported it. */
export interface ConsumedUnits {
  wcu: number;
  rcu: number;
  /** Conditional writes refused by DynamoDB: billed (≥ 1 WCU each) but reported in no response. */
  refusedWrites: number;
  calls: number;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const asList = (c: unknown): Capacity[] => (Array.isArray(c) ? (c as Capacity[]) : c ? [c as Capacity] : []);

/** `PutItem ACCOUNT`, `Query gsi1`: the command and the kind of item (its sort key up to `#`). */
const labelOf = (commandName: string, input: Record<string, unknown>): string => {
  const key = (input.Key ?? input.Item) as { pk?: unknown; sk?: unknown } | undefined;
  // An audit event's sort key is its instant: it is named by its partition instead.
  const audit = typeof key?.pk === 'string' && key.pk.startsWith('AUDIT#');
  const what = audit
    ? 'AUDIT'
    : typeof key?.sk === 'string'
      ? key.sk.split('#')[0]
      : ((input.IndexName as string | undefined) ?? 'table');
  return `${commandName.replace(/Command$/, '')} ${what}`;
};

/**
 * Instruments a document client's middleware stack (shared with its base client): when counting,
 * every command asks for `ReturnConsumedCapacity: 'TOTAL'` and the units in the answers are summed;
 * when recording, each command's marshalled input is kept so the floor can issue the very same calls.
 * Off, it only passes calls through, so latency runs are not skewed by the accounting.
 */
export class DynamoInstrument {
  counting = false;
  /** When set, each command's marshalled input is appended (shared with the Wise recorder, so order is kept). */
  recording: RecordedCall[] | undefined;
  readonly units: ConsumedUnits = { wcu: 0, rcu: 0, refusedWrites: 0, calls: 0 };
  /** Units by call, e.g. `UpdateItem ACCOUNT`, so a report can say where the capacity goes. */
  readonly byCall = new Map<string, { calls: number; wcu: number; rcu: number }>();

  attach(db: DynamoDBDocumentClient): void {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.counting) return next(args);
        const commandName = (context as { commandName?: string }).commandName ?? 'unknown';
        const input = (args as { input: Record<string, unknown> }).input;
        input.ReturnConsumedCapacity = 'TOTAL';
        const label = labelOf(commandName, input);
        this.units.calls += 1;
        try {
          const result = await next(args);
          this.add(label, commandName, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } catch (err) {
          if (
            WRITES.has(commandName) &&
            (err as { name?: string }).name === 'ConditionalCheckFailedException'
          ) {
            this.units.refusedWrites += 1;
            this.units.wcu += 1;
            this.tally(`${label} (refused)`, 1, 0);
          }
          throw err;
        }
      },
      { step: 'initialize', priority: 'high', name: 'benchConsumedCapacity' },
    );
    // The build step sees the input after the document client's marshalling (done just before
    // serialization), i.e. exactly what a bare DynamoDB client would have to send.
    db.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.recording) {
          const commandName = (context as { commandName?: string }).commandName ?? 'unknown';
          this.recording.push({
            kind: 'dynamo',
            commandName,
            input: structuredClone((args as { input: Record<string, unknown> }).input),
          });
        }
        return next(args);
      },
      { step: 'build', priority: 'low', name: 'benchRecordCommand' },
    );
  }

  private add(label: string, commandName: string, consumed: unknown): void {
    let wcu = 0;
    let rcu = 0;
    for (const c of asList(consumed)) {
      const total = c.CapacityUnits ?? 0;
      if (WRITES.has(commandName)) wcu += c.WriteCapacityUnits ?? total;
      else rcu += c.ReadCapacityUnits ?? total;
    }
    this.units.wcu += wcu;
    this.units.rcu += rcu;
    this.tally(label, wcu, rcu);
  }

  private tally(label: string, wcu: number, rcu: number): void {
    const entry = this.byCall.get(label) ?? { calls: 0, wcu: 0, rcu: 0 };
    entry.calls += 1;
    entry.wcu += wcu;
    entry.rcu += rcu;
    this.byCall.set(label, entry);
  }

  reset(): void {
    Object.assign(this.units, { wcu: 0, rcu: 0, refusedWrites: 0, calls: 0 });
    this.byCall.clear();
  }
}
