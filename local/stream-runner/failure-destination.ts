import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FailedBatch } from './mapping';

/**
 * The local stand-in for a mapping's on-failure SQS queue: batches given up on are kept in memory
 * (for tests) and, when the stack keeps its data, appended as JSON lines to a file under .local
 * (for a developer: `npm run webhooks:replay` applies the recorded events once the fault is fixed).
 */
export class LocalFailureDestination {
  private readonly batches: FailedBatch[] = [];

  constructor(private readonly file?: string) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  send(batch: FailedBatch): void {
    this.batches.push(batch);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(batch)}\n`);
  }

  /** Its depth, as the queue's ApproximateNumberOfMessagesVisible alarm reads it. */
  get depth(): number {
    return this.batches.length;
  }

  messages(): readonly FailedBatch[] {
    return [...this.batches];
  }
}
