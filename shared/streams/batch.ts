import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createLogger } from '../logging/logger';
import type { FunctionName } from '../routes';

/** A stream consumer's handler: a batch in, the records that failed out (`reportBatchItemFailures`). */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<DynamoDBBatchResponse>;

/** What one record's handling sees: the time left in the invocation (for the calls' own time bounds). */
export interface RecordContext {
  remainingMs(): number;
}

export interface BatchOptions {
  logger: Logger;
  /** Handles one record; a throw marks it failed (it and the records after it are redelivered). */
  handle: (record: DynamoDBRecord, context: RecordContext) => Promise<void>;
  /**
   * Records handled at once. The consumers' writes are conditional on each item's own state, so
   * the order inside a batch does not matter and a batch need not be handled one record at a time.
   */
  concurrency?: number;
}

/**
 * The one batch loop of the stream consumers: every record handled, each failure logged (keys and
 * sequence number only: images may carry personal data) and reported as a batch item failure.
 * Lambda checkpoints before the lowest reported sequence number and redelivers from there, so the
 * records after a failure run again: the consumers are idempotent, which makes that harmless.
 * A throw of the whole invocation (a timeout, a bug outside `handle`) is what bisection splits.
 */
export const streamBatchHandler =
  ({ logger, handle, concurrency = 8 }: BatchOptions): StreamHandler =>
  async (event, context) => {
    const records = event.Records;
    const failed: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const record = records[next++]!;
        try {
          await handle(record, { remainingMs: () => context.getRemainingTimeInMillis() });
        } catch (err) {
          const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
          failed.push(sequenceNumber);
          logger.error('stream record failed', {
            sequenceNumber,
            eventName: record.eventName,
            keys: keysOf(record),
            errorName: (err as Error).name,
            errorMessage: (err as Error).message,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
    if (failed.length > 0)
      logger.warn('stream batch partly failed', { records: records.length, failed: failed.length });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };

/** The record's table keys as plain strings (they carry ids only, never personal data). */
export const keysOf = (record: DynamoDBRecord): { pk?: string; sk?: string } => ({
  pk: record.dynamodb?.Keys?.pk?.S,
  sk: record.dynamodb?.Keys?.sk?.S,
});

/** A consumer function's Lambda entry: dependencies built once per container, like `lambdaHandler`. */
export const streamLambdaHandler = <D>(
  fn: FunctionName,
  build: (logger: Logger) => D,
  consumer: (deps: D) => StreamHandler,
): StreamHandler => consumer(build(createLogger(fn)));
