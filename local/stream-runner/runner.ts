import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  DescribeStreamCommand,
  ListStreamsCommand,
  type _Record as SdkRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { functionProfiles } from '../../shared/runtime/function-profiles';
import { sleep, waitUntil } from '../../shared/runtime/wait';
import type { StreamConsumer } from '../../shared/stream-consumers';
import type { StreamHandler } from '../../shared/streams/batch';
import { LocalFailureDestination } from './failure-destination';
import { checkPattern, passesFilters } from './filter';
import { deliverBatch, type FailedBatch } from './mapping';

export interface RunnerConsumer {
  definition: StreamConsumer;
  handler: StreamHandler;
}

export interface StreamRunnerOptions {
  endpoint: string;
  tableName: string;
  consumers: readonly RunnerConsumer[];
  /** Checkpoints and failure files go under `{dataDir}/stream-runner/` (npm start); in memory when absent (tests). */
  dataDir?: string;
  /** Pause between two reads of an idle stream (Lambda polls a shard about four times a second). */
  pollMs?: number;
  /** First pause before a retry, doubling up to 1 s. */
  retryDelayMs?: number;
  logger?: Logger;
  /**
   * Where a consumer starts on the stream when no checkpoint says otherwise, overriding the
   * definition's (the bench starts at LATEST, so that it measures only the records of its phase).
   */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
}

/** One invocation of a consumer, as the runner saw it (the last few thousand are kept). */
export interface Invocation {
  at: number;
  keys: { pk?: string; sk?: string; eventName?: string }[];
  outcome: 'ok' | 'partial' | 'error';
}

export interface StreamRunner {
  /** Replaces a consumer's handler (tests: a handler built over a faulty table client, then the fixed one). */
  use(consumer: string, handler: StreamHandler): void;
  /** The batches a consumer gave up on: its failure destination's messages. */
  failures(consumer: string): readonly FailedBatch[];
  invocations(consumer: string): readonly Invocation[];
  /** Resolves once every consumer has read the stream to its end after this call and delivered all of it. */
  drained(timeoutMs?: number): Promise<void>;
  /**
   * Stops reading after the invocation in flight (as a disabled event source mapping does); the
   * records written meanwhile wait in the stream. Resolves once no consumer is reading.
   */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

const MAX_KEPT_INVOCATIONS = 5000;
const DESCRIBE_EVERY_MS = 2000;

interface ShardState {
  id: string;
  parent?: string;
  iterator?: string;
  closed: boolean;
  /** Sequence number of the last record handled (delivered, filtered out or given up on). */
  checkpoint?: string;
}

/** The SDK's stream record in the shape Lambda hands a function (epoch seconds, the stream's ARN). */
const lambdaRecordOf = (r: SdkRecord, streamArn: string): DynamoDBRecord =>
  ({
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion,
    dynamodb: {
      ...r.dynamodb,
      ApproximateCreationDateTime:
        r.dynamodb?.ApproximateCreationDateTime instanceof Date
          ? r.dynamodb.ApproximateCreationDateTime.getTime() / 1000
          : r.dynamodb?.ApproximateCreationDateTime,
    },
    eventSourceARN: streamArn,
  }) as DynamoDBRecord;

/** One consumer's event source mapping over the table's stream: its own shard iterators and checkpoints. */
class MappingPoller {
  private readonly shards = new Map<string, ShardState>();
  private lastDescribe = 0;
  private wake: (() => void) | undefined;
  handler: StreamHandler;
  readonly destination: LocalFailureDestination;
  readonly invocations: Invocation[] = [];
  /** When the latest poll round that found the stream empty started. */
  lastEmptyRoundStartedAt = 0;
  private loop: Promise<void> | undefined;
  paused = false;
  /** Resolves the pause() waiting for this poller to be between two rounds. */
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly consumer: RunnerConsumer,
    private readonly options: StreamRunnerOptions,
    private readonly isStopped: () => boolean,
    private readonly checkpointFile: string | undefined,
  ) {
    for (const [i, pattern] of consumer.definition.filters.entries())
      checkPattern(pattern, `${consumer.definition.name} filter ${i}`);
    this.handler = consumer.handler;
    this.destination = new LocalFailureDestination(
      options.dataDir
        ? join(options.dataDir, 'stream-runner', `${consumer.definition.onFailure.queue}.jsonl`)
        : undefined,
    );
    this.restoreCheckpoints();
  }

  start(): void {
    this.loop = this.run();
  }

  async stopped(): Promise<void> {
    this.wake?.();
    await this.loop;
  }

  async pause(): Promise<void> {
    this.paused = true;
    if (this.isStopped()) return;
    await new Promise<void>((resolve) => {
      this.onIdle = resolve;
      this.wake?.();
    });
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.isStopped()) {
      if (this.paused) {
        this.onIdle?.();
        this.onIdle = undefined;
        await this.nap(1000);
        continue;
      }
      const started = Date.now();
      let read = 0;
      try {
        if (started - this.lastDescribe > DESCRIBE_EVERY_MS) await this.describe();
        for (const shard of this.readyShards()) {
          if (this.isStopped()) return;
          read += await this.poll(shard);
        }
      } catch (err) {
        // DynamoDB Local restarting, say: Lambda's poller keeps going too, from the last checkpoint.
        this.options.logger?.warn('stream read failed; reading again', {
          consumer: this.consumer.definition.name,
          error: String(err),
        });
        for (const shard of this.shards.values()) shard.iterator = undefined;
        await sleep(500);
        continue;
      }
      if (read === 0) {
        this.lastEmptyRoundStartedAt = started;
        await this.nap(this.options.pollMs ?? 50);
      }
    }
    this.onIdle?.();
  }

  /** A pause that stop(), pause() and resume() cut short. */
  private async nap(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async describe(): Promise<void> {
    let start: string | undefined;
    const found: Shard[] = [];
    do {
      const out = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      found.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of found) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      this.shards.set(shard.ShardId, { id: shard.ShardId, parent: shard.ParentShardId, closed: false });
    }
    this.restoreCheckpoints();
    this.lastDescribe = Date.now();
  }

  /** Parents before children, as Lambda reads a stream's shards. */
  private readyShards(): ShardState[] {
    return [...this.shards.values()].filter((s) => {
      if (s.closed) return false;
      const parent = s.parent ? this.shards.get(s.parent) : undefined;
      return parent === undefined || parent.closed;
    });
  }

  private async iteratorFor(shard: ShardState): Promise<string | undefined> {
    const position = shard.checkpoint
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.checkpoint }
      : {
          ShardIteratorType: shard.parent
            ? ('TRIM_HORIZON' as const)
            : (this.options.startingPosition ?? this.consumer.definition.startingPosition),
        };
    const out = await this.client.send(
      new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.id, ...position }),
    );
    return out.ShardIterator;
  }

  /** Reads one page of a shard and delivers what passes the filters, batch by batch; returns the records read. */
  private async poll(shard: ShardState): Promise<number> {
    shard.iterator ??= await this.iteratorFor(shard);
    if (!shard.iterator) {
      shard.closed = true;
      return 0;
    }
    let out;
    try {
      out = await this.client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (err) {
      if (
        (err as Error).name === 'ExpiredIteratorException' ||
        (err as Error).name === 'TrimmedDataAccessException'
      ) {
        shard.iterator = undefined;
        return 0;
      }
      throw err;
    }
    const records = (out.Records ?? []).map((r) => lambdaRecordOf(r, this.streamArn));
    const definition = this.consumer.definition;
    const delivered = records.filter((r) => passesFilters(definition.filters, r));
    for (let i = 0; i < delivered.length; i += definition.batchSize) {
      const batch = delivered.slice(i, i + definition.batchSize);
      const done = await deliverBatch(
        {
          consumer: definition,
          handler: () => this.handler,
          timeoutMs: functionProfiles[definition.function].timeoutSeconds * 1000,
          retryDelayMs: this.options.retryDelayMs,
          onFailure: (failed) => this.destination.send(failed),
          onInvoke: (batchRecords, outcome) => this.noteInvocation(batchRecords, outcome),
          log: (message, fields) => this.options.logger?.warn(message, fields),
          stopped: this.isStopped,
        },
        shard.id,
        batch,
      );
      // Stopped mid-page: the iterator has moved on, so the next start reads from the checkpoint.
      if (!done) {
        shard.iterator = undefined;
        return records.length;
      }
      shard.checkpoint = batch.at(-1)!.dynamodb!.SequenceNumber;
    }
    if (records.length > 0) shard.checkpoint = records.at(-1)!.dynamodb!.SequenceNumber;
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) shard.closed = true;
    if (records.length > 0 || shard.closed) this.saveCheckpoints();
    return records.length;
  }

  private noteInvocation(records: DynamoDBRecord[], outcome: Invocation['outcome']): void {
    this.invocations.push({
      at: Date.now(),
      keys: records.map((r) => ({
        pk: r.dynamodb?.Keys?.pk?.S,
        sk: r.dynamodb?.Keys?.sk?.S,
        eventName: r.eventName,
      })),
      outcome,
    });
    if (this.invocations.length > MAX_KEPT_INVOCATIONS)
      this.invocations.splice(0, this.invocations.length - MAX_KEPT_INVOCATIONS);
  }

  private restoreCheckpoints(): void {
    if (!this.checkpointFile || !existsSync(this.checkpointFile)) return;
    const saved = JSON.parse(readFileSync(this.checkpointFile, 'utf8')) as {
      streamArn?: string;
      shards?: Record<string, string>;
    };
    if (saved.streamArn !== this.streamArn) return;
    for (const [id, sequence] of Object.entries(saved.shards ?? {})) {
      const shard = this.shards.get(id);
      if (shard && shard.checkpoint === undefined) shard.checkpoint = sequence;
    }
  }

  private saveCheckpoints(): void {
    if (!this.checkpointFile) return;
    const shards = Object.fromEntries(
      [...this.shards.values()].filter((s) => s.checkpoint).map((s) => [s.id, s.checkpoint!]),
    );
    writeFileSync(this.checkpointFile, JSON.stringify({ streamArn: this.streamArn, shards }));
  }
}

/**
 * The local stand-in for Lambda's event source mappings: polls DynamoDB Local's stream of the
 * table and invokes each consumer's handler with Lambda's event shape, the definition's filters,
 * batch size, retries, bisection and failure destination (see mapping.ts). Bounded: `stop()` ends
 * every loop after the invocation in flight, which itself ends within the function's timeout.
 */
export const startStreamRunner = async (options: StreamRunnerOptions): Promise<StreamRunner> => {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: process.env.AWS_REGION ?? 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const streams = await client.send(new ListStreamsCommand({ TableName: options.tableName }));
  const streamArn = streams.Streams?.at(-1)?.StreamArn;
  if (!streamArn) {
    client.destroy();
    throw new Error(`table ${options.tableName} has no stream (local/dynamodb/create-table.ts enables it)`);
  }
  let stopped = false;
  const dir = options.dataDir ? join(options.dataDir, 'stream-runner') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const pollers = new Map<string, MappingPoller>();
  for (const consumer of options.consumers) {
    const file = dir
      ? join(dir, `${options.tableName}.${consumer.definition.name}.checkpoint.json`)
      : undefined;
    pollers.set(
      consumer.definition.name,
      new MappingPoller(client, streamArn, consumer, options, () => stopped, file),
    );
  }
  for (const poller of pollers.values()) poller.start();

  const poller = (name: string) => {
    const p = pollers.get(name);
    if (!p) throw new Error(`no stream consumer named ${name}`);
    return p;
  };
  return {
    use: (name, handler) => {
      poller(name).handler = handler;
    },
    failures: (name) => poller(name).destination.messages(),
    invocations: (name) => [...poller(name).invocations],
    pause: async () => {
      await Promise.all([...pollers.values()].map((p) => p.pause()));
    },
    resume: () => {
      for (const p of pollers.values()) p.resume();
    },
    drained: async (timeoutMs = 30_000) => {
      const since = Date.now();
      const done = await waitUntil(
        async () =>
          [...pollers.values()].every((p) => p.lastEmptyRoundStartedAt > since) ? true : undefined,
        { every: 20, deadline: Date.now() + timeoutMs },
      );
      if (!done) throw new Error(`the stream consumers did not catch up within ${timeoutMs} ms`);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.all([...pollers.values()].map((p) => p.stopped()));
      client.destroy();
      await sleep(0);
    },
  };
};
