import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { GatewayEvent } from '../shared/http/types';
import type { BenchEnvironment } from './environment';
import { Floor } from './floor';
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
   * Diagnostic, not a goal: one delivery's own DynamoDB calls (recorded) replayed by the same number
   * of workers with a bare client — how fast DynamoDB Local alone can go through what a delivery needs.
   */
  sameCallsFloorPerSec: number;
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

/**
 * Webhook receiver throughput: `deliveries` signed, distinct, applicable deliveries pushed through
 * the handler by `concurrency` workers (each owns its profiles, so per-profile order holds and every
 * delivery is applied), next to DynamoDB Local's raw conditional PutItem throughput at the same
 * concurrency (a bare client putting new items under attribute_not_exists).
 */
export const measureWebhookThroughput = async (env: BenchEnvironment, concurrency = 16, deliveries = 1600): Promise<ThroughputResult> => {
  const profiles: LinkedCustomer[] = [];
  for (let i = 0; i < concurrency * 2; i++) profiles.push(await seedLinkedCustomer(env, 'tp'));
  // Whole seconds apart: Wise's occurred_at has second precision, and it is part of the event's identity.
  const base = Date.now() - 86_400_000;
  // Signed up front: Wise signs, not us, so signing is no part of the receiver's work.
  const queues: GatewayEvent[][] = Array.from({ length: concurrency }, () => []);
  for (let i = 0; i < deliveries; i++) {
    const worker = i % concurrency;
    const profile = profiles[worker + concurrency * (Math.floor(i / concurrency) % 2)]!;
    queues[worker]!.push(webhookEvent(env, profile.profileId, base + i * 1000, i % 4 < 2));
  }
  // Warm-up: a few deliveries per worker on their own profiles, outside the count.
  await runWorkers(
    profiles.slice(0, concurrency).map((p, w) => [webhookEvent(env, p.profileId, base - 1000 - w, false)]),
    async (e) => void (await invoke(env, 'webhooks', e)),
  );

  let notApplied = 0;
  const notAppliedBy: Record<string, number> = {};
  const seconds = await runWorkers(queues, async (event) => {
    const res = await invoke(env, 'webhooks', event);
    const body = JSON.parse(res.body ?? '{}') as { result?: string; code?: string };
    if (res.statusCode !== 200 || body.result !== 'applied') {
      notApplied += 1;
      const why = `${res.statusCode} ${body.result ?? body.code ?? ''}`;
      notAppliedBy[why] = (notAppliedBy[why] ?? 0) + 1;
    }
  });
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
    const floorSeconds = await runWorkers(floorQueues, async () => void (await put()));
    const floorPerSec = (floorQueues.length * floorQueues[0]!.length) / floorSeconds;

    const recording = env.record();
    await invoke(env, 'webhooks', webhookEvent(env, profiles[0]!.profileId, base + (deliveries + 10) * 1000, true));
    env.stopRecording();
    const replays = Array.from({ length: concurrency }, () => Array.from({ length: Math.ceil(deliveries / concurrency / 2) }, () => 0));
    const replaySeconds = await runWorkers(replays, () => floor.replay(recording));
    const sameCallsFloorPerSec = round((replays.length * replays[0]!.length) / replaySeconds, 1);
    return {
      perSec: round(perSec, 1),
      floorPerSec: round(floorPerSec, 1),
      ratio: round(perSec / floorPerSec),
      concurrency,
      deliveries,
      notApplied,
      notAppliedBy,
      sameCallsFloorPerSec,
    };
  } finally {
    floor.close();
  }
};
