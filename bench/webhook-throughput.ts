import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { GatewayEvent } from '../shared/http/types';
import { startCpuMeter, type PhaseCpu } from './cpu';
import type { BenchEnvironment } from './environment';
import { Floor } from './floor';
import { landingReplays } from './same-writes';
import { invoke, seedLinkedCustomer, webhookEvent, type LinkedCustomer } from './scenarios';
import { percentile, round } from './stats';
import type { StreamRunner } from '../local/stream-runner/runner';

/** The projection behind the receiver (the stream consumer, run by the local stream runner). */
export interface ProjectionResult {
  /** The throughput phase's records applied by the projection from the stream's backlog, per second. */
  appliedPerSec: number;
  /** Records of the backlog not ending APPLIED (must be 0), by status/outcome. */
  notApplied: number;
  notAppliedBy: Record<string, number>;
  /**
   * Applied records whose state a newer event of the same profile had already set (outcome STALE):
   * a batch's records are applied side by side, and each write is conditional on occurred_at, so
   * the newest state wins whatever the order; these cost their refused write and change nothing.
   */
  stale: number;
  /** Batches the runner gave up on (its failure destination's messages; must be 0). */
  failedBatches: number;
  /** The paced phase: deliveries per second offered, and receipt (record written) to state (outcome written). */
  lagDeliveries: number;
  lagOfferedPerSec: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface ThroughputResult {
  /** Signed, verified, recorded deliveries per second (each one conditional PutItem). */
  perSec: number;
  floorPerSec: number;
  ratio: number;
  concurrency: number;
  deliveries: number;
  /** Deliveries that were not answered 200 `recorded` (must be 0: each one is new), by answer. */
  notRecorded: number;
  notRecordedBy: Record<string, number>;
  projection: ProjectionResult;
  /**
   * Diagnostic, not a goal: one recorded delivery's DynamoDB call (its one PutItem, the event record
   * with its data) replayed by the same number of workers with a bare client, made to land under a
   * fresh event key — how fast DynamoDB Local alone takes the product's own record, next to the
   * floor's small item. Replayed deliveries per second.
   */
  sameWritesFloorPerSec: number;
  /** Replayed calls that failed (must be 0: a higher count is a bug in the replay), by error name. */
  sameWritesFailures: number;
  sameWritesFailuresBy: Record<string, number>;
  /**
   * Where the CPU goes, per item of each phase: per delivery (product), per PutItem (floorPut),
   * per replayed delivery (sameWrites).
   */
  cpu: { product: PhaseCpu; floorPut: PhaseCpu; sameWrites: PhaseCpu };
}

/** Runs `queues[w]` on worker w, all workers at once; returns the elapsed seconds. */
const runWorkers = async <T>(queues: T[][], work: (item: T) => Promise<void>): Promise<number> => {
  const started = performance.now();
  await Promise.all(
    queues.map(async (queue) => {
      for (const item of queue) await work(item);
    }),
  );
  return (performance.now() - started) / 1000;
};

/** Counts by name (an answer, an error), into `into`; returns the total added. */
const tally = (into: Record<string, number>, names: readonly string[]): number => {
  for (const name of names) into[name] = (into[name] ?? 0) + 1;
  return names.length;
};

/**
 * Webhook receiver throughput: `deliveries` signed, distinct, applicable deliveries pushed through
 * the handler by `concurrency` workers (each owns its profiles, so per-profile order holds and every
 * delivery would apply), next to DynamoDB Local's raw conditional PutItem throughput at the same
 * concurrency (a bare client putting new items under attribute_not_exists). The projection is paused
 * meanwhile (in AWS it is another function; here it would share the two cores): the records wait in
 * the stream, and the projection's own figures come after (see {@link measureProjection}). Node's
 * and DynamoDB Local's CPU is metered per phase.
 */
export const measureWebhookThroughput = async (
  env: BenchEnvironment,
  concurrency = 16,
  deliveries = 1600,
): Promise<ThroughputResult> => {
  const profiles: LinkedCustomer[] = [];
  for (let i = 0; i < concurrency * 2; i++) profiles.push(await seedLinkedCustomer(env, 'tp'));
  /** The profile worker w's i-th item goes to: two per worker, alternating, as in the product phase. */
  const profileFor = (worker: number, i: number) => profiles[worker + concurrency * (i % 2)]!;
  // Whole seconds apart: Wise's occurred_at has second precision, and it is part of the event's identity.
  const base = Date.now() - 86_400_000;
  // Signed up front: Wise signs, not us, so signing is no part of the receiver's work.
  const queues: GatewayEvent[][] = Array.from({ length: concurrency }, () => []);
  for (let i = 0; i < deliveries; i++) {
    const worker = i % concurrency;
    const profile = profileFor(worker, Math.floor(i / concurrency));
    queues[worker]!.push(webhookEvent(env, profile.profileId, base + i * 1000, i % 4 < 2));
  }
  // Warm-up: a few deliveries per worker on their own profiles, outside the count.
  await runWorkers(
    profiles.slice(0, concurrency).map((p, w) => [webhookEvent(env, p.profileId, base - 1000 - w, false)]),
    async (e) => void (await invoke(env, 'webhooks', e)),
  );

  const projection = await env.startProjection();
  await projection.pause();
  let notRecorded = 0;
  const notRecordedBy: Record<string, number> = {};
  const productCpu = startCpuMeter(env.dynamo.pid);
  const started = Date.now();
  const seconds = await runWorkers(queues, async (event) => {
    const res = await invoke(env, 'webhooks', event);
    const body = JSON.parse(res.body ?? '{}') as { result?: string; code?: string };
    if (res.statusCode !== 200 || body.result !== 'recorded') {
      notRecorded += tally(notRecordedBy, [`${res.statusCode} ${body.result ?? body.code ?? ''}`]);
    }
  });
  const product = productCpu(deliveries);
  const perSec = (deliveries - notRecorded) / seconds;

  const floor = new Floor(env.dynamo.endpoint);
  try {
    const put = () =>
      floor.client.send(
        new PutItemCommand({
          TableName: env.tableName,
          Item: {
            pk: { S: `FLOOR#${randomUUID()}` },
            sk: { S: 'EVENT' },
            receivedAt: { N: String(Date.now()) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    const puts = deliveries;
    const floorQueues = Array.from({ length: concurrency }, (_, w) =>
      Array.from({ length: Math.ceil(puts / concurrency) }, () => w),
    );
    await runWorkers(
      floorQueues.map((q) => q.slice(0, 5)),
      async () => void (await put()),
    );
    const floorPutCount = floorQueues.length * floorQueues[0]!.length;
    const floorCpu = startCpuMeter(env.dynamo.pid);
    const floorSeconds = await runWorkers(floorQueues, async () => void (await put()));
    const floorPut = floorCpu(floorPutCount);
    const floorPerSec = floorPutCount / floorSeconds;

    const recording = env.record();
    await invoke(
      env,
      'webhooks',
      webhookEvent(env, profiles[0]!.profileId, base + (deliveries + 10) * 1000, true),
    );
    env.stopRecording();
    const next = landingReplays(recording, profiles[0]!);
    const same = await replaySameWrites(floor, next, concurrency, deliveries, profileFor, env.dynamo.pid);
    const projected = await measureProjection(
      env,
      projection,
      started,
      deliveries - notRecorded,
      concurrency,
      profiles.slice(0, concurrency),
      base + (deliveries + 100) * 1000,
    );
    return {
      perSec: round(perSec, 1),
      floorPerSec: round(floorPerSec, 1),
      ratio: round(perSec / floorPerSec),
      concurrency,
      deliveries,
      notRecorded,
      notRecordedBy,
      projection: projected,
      sameWritesFloorPerSec: round(same.perSec, 1),
      sameWritesFailures: same.failures,
      sameWritesFailuresBy: same.failuresBy,
      cpu: { product, floorPut, sameWrites: same.cpu },
    };
  } finally {
    floor.close();
    await projection.stop();
  }
};

interface EventRecord {
  status?: string;
  outcome?: string;
  receivedAt: number;
  projectedAt?: number;
}

/** The event records received at or after `since` (a scan: the bench's table holds little else). */
const recordsSince = async (env: BenchEnvironment, since: number): Promise<EventRecord[]> => {
  const items: EventRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await env.table.db.send(
      new ScanCommand({
        TableName: env.tableName,
        FilterExpression: 'begins_with(pk, :p) AND receivedAt >= :since',
        ExpressionAttributeValues: { ':p': 'WEBHOOK#', ':since': since },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...((out.Items ?? []) as EventRecord[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
};

/**
 * The projection's figures, on the local stack's stream runner (the webhook projection only):
 * - applied events/s: it resumes over the throughput phase's backlog (`backlog` records waiting in
 *   the stream) and is timed until the last outcome is written (each record's `projectedAt`);
 * - receipt-to-state lag: deliveries offered at a steady rate the projection can keep up with (half
 *   its backlog rate, at most 100/s) by `concurrency` workers; lag = the outcome's `projectedAt` minus
 *   the record's `receivedAt` (the outcome is written after the state), p50 and p99.
 */
const measureProjection = async (
  env: BenchEnvironment,
  projection: StreamRunner,
  since: number,
  backlog: number,
  concurrency: number,
  profiles: LinkedCustomer[],
  base: number,
): Promise<ProjectionResult> => {
  const resumedAt = Date.now();
  projection.resume();
  await projection.drained(600_000);
  // The diagnostic's replayed copies (status REPLAYED) are not the projection's.
  const backlogRecords = (await recordsSince(env, since)).filter(
    (r) => r.receivedAt < resumedAt && r.status !== 'REPLAYED',
  );
  const notAppliedBy: Record<string, number> = {};
  let notApplied = 0;
  let stale = 0;
  for (const r of backlogRecords) {
    if (r.status !== 'APPLIED') notApplied += tally(notAppliedBy, [`${r.status}/${r.outcome ?? '-'}`]);
    else if (r.outcome === 'STALE') stale++;
  }
  notApplied += Math.max(0, backlog - backlogRecords.length);
  const lastProjected = Math.max(...backlogRecords.map((r) => r.projectedAt ?? 0));
  const appliedPerSec = (backlogRecords.length - notApplied) / ((lastProjected - resumedAt) / 1000);

  const offered = Math.max(10, Math.min(100, Math.round(appliedPerSec / 2)));
  const lagDeliveries = Math.min(400, offered * 8);
  const intervalMs = (1000 * concurrency) / offered;
  const lagStart = Date.now();
  const queues: GatewayEvent[][] = Array.from({ length: concurrency }, () => []);
  for (let i = 0; i < lagDeliveries; i++) {
    const w = i % concurrency;
    queues[w]!.push(webhookEvent(env, profiles[w]!.profileId, base + i * 1000, i % 2 === 0));
  }
  await Promise.all(
    queues.map(async (queue, w) => {
      // Workers staggered across one interval, each sending one delivery per interval: a steady rate.
      let next = lagStart + (intervalMs * w) / concurrency;
      for (const event of queue) {
        const wait = next - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await invoke(env, 'webhooks', event);
        next += intervalMs;
      }
    }),
  );
  await projection.drained(120_000);
  const lags = (await recordsSince(env, lagStart))
    .filter((r) => r.projectedAt !== undefined)
    .map((r) => r.projectedAt! - r.receivedAt);
  return {
    appliedPerSec: round(appliedPerSec, 1),
    notApplied,
    notAppliedBy,
    stale,
    failedBatches: projection.failures('webhook-projection').length,
    lagDeliveries,
    lagOfferedPerSec: offered,
    lagP50Ms: round(percentile(lags, 50), 1),
    lagP99Ms: round(percentile(lags, 99), 1),
    lagMaxMs: round(Math.max(...lags), 1),
  };
};

/**
 * The diagnostic replay: `concurrency` workers, each replaying the recorded delivery on its own two
 * profiles in turn (half as many replays as deliveries in all), reads first, then the writes at once
 * (as the product issues the record and the application together). Every call must succeed.
 */
const replaySameWrites = async (
  floor: Floor,
  next: ReturnType<typeof landingReplays>,
  concurrency: number,
  deliveries: number,
  profileFor: (worker: number, i: number) => LinkedCustomer,
  dynamoPid: number | undefined,
) => {
  const perWorker = Math.ceil(deliveries / concurrency / 2);
  const replays = Array.from({ length: concurrency }, (_, w) =>
    Array.from({ length: perWorker }, (_, i) => profileFor(w, i)),
  );
  const failuresBy: Record<string, number> = {};
  let failures = 0;
  const meter = startCpuMeter(dynamoPid);
  const seconds = await runWorkers(replays, async (target) => {
    const { reads, writes } = next(target);
    for (const read of reads) {
      const err = await floor.send(read);
      if (err) failures += tally(failuresBy, [`${read.commandName} ${err.name}`]);
    }
    const errors = await Promise.all(writes.map((w) => floor.send(w)));
    writes.forEach((w, i) => {
      const err = errors[i];
      if (err) failures += tally(failuresBy, [`${w.commandName} ${err.name}`]);
    });
  });
  const count = concurrency * perWorker;
  return { perSec: count / seconds, failures, failuresBy, cpu: meter(count) };
};
