import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { GatewayEvent } from '../shared/http/types';
import { startCpuMeter, type PhaseCpu } from './cpu';
import type { BenchEnvironment } from './environment';
import { Floor } from './floor';
import { landingReplays } from './same-writes';
import { invoke, seedLinkedCustomer, webhookEvent, type LinkedCustomer } from './scenarios';
import { round } from './stats';

export interface ThroughputResult {
  perSec: number;
  floorPerSec: number;
  ratio: number;
  concurrency: number;
  deliveries: number;
  /** Deliveries that were not `applied` (must be 0: each one is new and newer than the last), by answer. */
  notApplied: number;
  notAppliedBy: Record<string, number>;
  /**
   * Diagnostic, not a goal: one recorded delivery's DynamoDB calls replayed by the same number of
   * workers with a bare client, its two writes issued together and each made to land (a fresh
   * event key for the record, a strictly newer occurred_at for the application) — how fast
   * DynamoDB Local alone goes through the writes a delivery needs. Replayed deliveries per second.
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
 * delivery is applied), next to DynamoDB Local's raw conditional PutItem throughput at the same
 * concurrency (a bare client putting new items under attribute_not_exists). Node's and DynamoDB
 * Local's CPU is metered per phase.
 */
export const measureWebhookThroughput = async (env: BenchEnvironment, concurrency = 16, deliveries = 1600): Promise<ThroughputResult> => {
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

  let notApplied = 0;
  const notAppliedBy: Record<string, number> = {};
  const productCpu = startCpuMeter(env.dynamo.pid);
  const seconds = await runWorkers(queues, async (event) => {
    const res = await invoke(env, 'webhooks', event);
    const body = JSON.parse(res.body ?? '{}') as { result?: string; code?: string };
    if (res.statusCode !== 200 || body.result !== 'applied') {
      notApplied += tally(notAppliedBy, [`${res.statusCode} ${body.result ?? body.code ?? ''}`]);
    }
  });
  const product = productCpu(deliveries);
  const perSec = (deliveries - notApplied) / seconds;

  const floor = new Floor(env.dynamo.endpoint);
  try {
    const put = () =>
      floor.client.send(
        new PutItemCommand({
          TableName: env.tableName,
          Item: { pk: { S: `FLOOR#${randomUUID()}` }, sk: { S: 'EVENT' }, receivedAt: { N: String(Date.now()) } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    const puts = deliveries * 2;
    const floorQueues = Array.from({ length: concurrency }, (_, w) => Array.from({ length: Math.ceil(puts / concurrency) }, () => w));
    await runWorkers(floorQueues.map((q) => q.slice(0, 5)), async () => void (await put()));
    const floorPutCount = floorQueues.length * floorQueues[0]!.length;
    const floorCpu = startCpuMeter(env.dynamo.pid);
    const floorSeconds = await runWorkers(floorQueues, async () => void (await put()));
    const floorPut = floorCpu(floorPutCount);
    const floorPerSec = floorPutCount / floorSeconds;

    const recording = env.record();
    await invoke(env, 'webhooks', webhookEvent(env, profiles[0]!.profileId, base + (deliveries + 10) * 1000, true));
    env.stopRecording();
    const next = landingReplays(recording, profiles[0]!);
    const same = await replaySameWrites(floor, next, concurrency, deliveries, profileFor, env.dynamo.pid);
    return {
      perSec: round(perSec, 1),
      floorPerSec: round(floorPerSec, 1),
      ratio: round(perSec / floorPerSec),
      concurrency,
      deliveries,
      notApplied,
      notAppliedBy,
      sameWritesFloorPerSec: round(same.perSec, 1),
      sameWritesFailures: same.failures,
      sameWritesFailuresBy: same.failuresBy,
      cpu: { product, floorPut, sameWrites: same.cpu },
    };
  } finally {
    floor.close();
  }
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
  const replays = Array.from({ length: concurrency }, (_, w) => Array.from({ length: perWorker }, (_, i) => profileFor(w, i)));
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
