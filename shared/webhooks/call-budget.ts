import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

/**
 * Time and cost of one delivery's DynamoDB calls. Every call gets an abort signal inside the
 * delivery's deadline, so a slow table turns into a 5xx (Wise retries) rather than a silent
 * Lambda timeout; capacity is summed so each delivery's write cost shows in its log line.
 */
export class CallBudget {
  writeUnits = 0;
  readUnits = 0;

  constructor(
    /** Epoch ms (real time: Lambda's timeout is real time) by which every call must be over. */
    private readonly deadline: number,
    private readonly perCallMs = 1500,
    private readonly now: () => number = Date.now,
  ) {}

  static within(remainingMs: number, marginMs = 750, perCallMs = 1500): CallBudget {
    return new CallBudget(Date.now() + Math.max(0, remainingMs - marginMs), perCallMs);
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, Math.min(this.perCallMs, this.remainingMs())));
  }

  /** Options for `db.send(command, budget.options())`. */
  options(): { abortSignal: AbortSignal } {
    return { abortSignal: this.signal() };
  }

  /** Adds what DynamoDB reported for one call made with `ReturnConsumedCapacity: 'TOTAL'`. */
  count(kind: 'read' | 'write', capacity: ConsumedCapacity | undefined): void {
    const units = capacity?.CapacityUnits ?? 0;
    if (kind === 'write') this.writeUnits += units;
    else this.readUnits += units;
  }

  /**
   * A write refused by its condition is still charged (at least 1 WCU) but DynamoDB reports no
   * capacity with the error; counted at the minimum so the log does not flatter the cost.
   */
  countRefusedWrite(): void {
    this.writeUnits += 1;
  }
}
