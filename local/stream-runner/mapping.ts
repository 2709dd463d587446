import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { StreamConsumer } from '../../shared/stream-consumers';
import type { StreamHandler } from '../../shared/streams/batch';
import { sleep } from '../../shared/runtime/wait';

/** What the local failure destination keeps of a batch given up on (AWS's SQS message carries the batch's coordinates only). */
export interface FailedBatch {
  consumer: string;
  /** Epoch ms. */
  at: number;
  reason: 'RetriesExhausted';
  attempts: number;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  lastError?: string;
  /** Locally the records themselves are kept too, so that a test (or a developer) can look at them. */
  records: DynamoDBRecord[];
}

export interface MappingOptions {
  consumer: StreamConsumer;
  /** The handler to invoke (looked up on each invocation, so a test can swap it). */
  handler: () => StreamHandler;
  /** The function's timeout: an invocation running longer counts as failed, as Lambda would stop it. */
  timeoutMs: number;
  onFailure: (batch: FailedBatch) => Promise<void> | void;
  /** Pause before a retry: `retryDelayMs * 2^(attempt-1)`, at most 1 s. */
  retryDelayMs?: number;
  /** Called for each invocation (records delivered, and how it ended), for tests and the bench. */
  onInvoke?: (records: DynamoDBRecord[], outcome: 'ok' | 'partial' | 'error') => void;
  log?: (message: string, fields: Record<string, unknown>) => void;
  stopped?: () => boolean;
}

const seq = (r: DynamoDBRecord) => BigInt(r.dynamodb?.SequenceNumber ?? '0');

type Result = { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'error'; error: string };

/**
 * One event source mapping's delivery rules, as Lambda applies them to a DynamoDB stream batch:
 * - success (no batch item failures): checkpoint after the batch;
 * - batch item failures (ReportBatchItemFailures): checkpoint before the lowest reported sequence
 *   number and retry from there (with bisection on, the batch is split there: only the rest is
 *   retried); an identifier that is not one of the batch's sequence numbers fails the whole batch;
 * - an error (a throw, a timeout): with bisection, split the batch in two and deliver each half
 *   (a split does not use a retry); a single record, or bisection off, is retried as it is;
 * - after `maxRetries` retries the records go to the failure destination and the shard moves on.
 * Resolves true once every record was handled or given up on, so the caller can checkpoint the
 * lot; false when the runner stopped first (the records are delivered again on the next start).
 */
export const deliverBatch = async (
  options: MappingOptions,
  shardId: string,
  records: DynamoDBRecord[],
): Promise<boolean> => {
  const { consumer } = options;
  const queue: DynamoDBRecord[][] = [records];
  while (queue.length > 0) {
    let batch = queue.shift()!;
    let attempts = 0;
    for (;;) {
      if (options.stopped?.()) return false;
      const result = await invoke(options, batch);
      options.onInvoke?.(batch, result.kind);
      if (result.kind === 'ok') break;
      if (result.kind === 'error' && consumer.bisectOnError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        queue.unshift(batch.slice(0, half), batch.slice(half));
        options.log?.('stream batch bisected', {
          consumer: consumer.name,
          records: batch.length,
          error: result.error,
        });
        break;
      }
      if (result.kind === 'partial') batch = batch.slice(result.from);
      attempts++;
      if (attempts > consumer.maxRetries) {
        await options.onFailure({
          consumer: consumer.name,
          at: Date.now(),
          reason: 'RetriesExhausted',
          attempts,
          shardId,
          startSequenceNumber: batch[0]!.dynamodb!.SequenceNumber!,
          endSequenceNumber: batch.at(-1)!.dynamodb!.SequenceNumber!,
          batchSize: batch.length,
          lastError: result.kind === 'error' ? result.error : 'batch item failures',
          records: batch,
        });
        options.log?.('stream batch sent to the failure destination', {
          consumer: consumer.name,
          records: batch.length,
          attempts,
        });
        break;
      }
      await sleep(Math.min(1000, (options.retryDelayMs ?? 100) * 2 ** (attempts - 1)));
    }
  }
  return true;
};

const invoke = async (options: MappingOptions, batch: DynamoDBRecord[]): Promise<Result> => {
  const deadline = Date.now() + options.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      options.handler()(
        { Records: batch },
        { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) },
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Task timed out after ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
      }),
    ]);
    return failuresOf(answer as DynamoDBBatchResponse | undefined, batch);
  } catch (err) {
    return { kind: 'error', error: `${(err as Error).name}: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
};

/** Lambda's reading of a partial batch response: empty or absent is success; a bad identifier fails the batch. */
const failuresOf = (answer: DynamoDBBatchResponse | undefined, batch: DynamoDBRecord[]): Result => {
  const failures = answer?.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: 'ok' };
  let from = batch.length;
  for (const f of failures) {
    const index = batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier);
    if (!f.itemIdentifier || index < 0) return { kind: 'partial', from: 0 };
    from = Math.min(from, index);
  }
  return { kind: 'partial', from };
};

export const bySequence = (a: DynamoDBRecord, b: DynamoDBRecord) =>
  seq(a) < seq(b) ? -1 : seq(a) > seq(b) ? 1 : 0;
