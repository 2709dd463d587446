import type { GatewayEvent, GatewayResult } from '../shared/http/types';
import type { FunctionName } from '../shared/routes';
import type { BenchEnvironment } from './environment';
import { Floor } from './floor';
import type { RecordedCall } from './recording';
import {
  expectStatus,
  invoke,
  kycLinkEvent,
  prepareKycReview,
  prepareLinkCallback,
  seedLinkedCustomer,
  signupEvent,
  webhookEvent,
  type LinkedCustomer,
} from './scenarios';
import { percentile, round } from './stats';

/** A route family: how to make the i-th request (untimed) and what a good answer is. */
interface Family {
  name: string;
  fn: FunctionName;
  /** Untimed preparation of the i-th request. */
  prepare(i: number): Promise<GatewayEvent>;
  check(result: GatewayResult): void;
}

export interface RouteResult {
  p50Ms: number;
  p99Ms: number;
  floorP50Ms: number;
  floorP99Ms: number;
  ratio: number;
  samples: number;
  /** What one request does, as recorded for the floor. */
  dynamoCalls: number;
  wiseCalls: number;
}

const families = async (env: BenchEnvironment): Promise<Family[]> => {
  let seq = 0;
  const webhookProfiles: LinkedCustomer[] = [];
  for (let i = 0; i < 8; i++) webhookProfiles.push(await seedLinkedCustomer(env, 'wh'));
  const base = Date.now() - 86_400_000;
  const review = await prepareKycReview(env);
  return [
    {
      name: 'signup',
      fn: 'onboarding',
      prepare: async () => signupEvent(`signup-${process.pid}-${Date.now().toString(36)}-${++seq}`),
      check: (r) => expectStatus('signup', r, 201),
    },
    {
      name: 'linkCallback',
      fn: 'oauth',
      prepare: () => prepareLinkCallback(env),
      check: (r) => {
        expectStatus('link callback', r, 302);
        // Version 2: the callback keeps the code behind a one-time result; route 17 links.
        if (!/[?&]status=authorized/.test(r.headers.location ?? r.headers.Location ?? '')) {
          throw new Error(`link callback did not authorize: ${r.headers.location ?? r.headers.Location}`);
        }
      },
    },
    {
      name: 'webhook',
      fn: 'webhooks',
      // Each delivery is a new event, so each one is recorded (the projection applies it later, elsewhere).
      prepare: async (i) =>
        webhookEvent(
          env,
          webhookProfiles[i % webhookProfiles.length]!.profileId,
          base + i * 1000,
          i % 2 === 0,
        ),
      check: (r) => {
        expectStatus('webhook', r, 200);
        if (JSON.parse(r.body ?? '{}').result !== 'recorded')
          throw new Error(`webhook not recorded: ${r.body}`);
      },
    },
    {
      name: 'kycLink',
      fn: 'kyc-reviews',
      prepare: async (i) => kycLinkEvent(review, i),
      check: (r) => expectStatus('kyc link', r, 200),
    },
  ];
};

const timed = async <T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
};

/**
 * Warm latency per route family, through the handler in this process (API Gateway payload-2.0
 * events straight into each function's handler; no HTTP hop), next to its floor. After warm-up,
 * one request is recorded; then product requests and floor replays alternate, so load from
 * elsewhere on the machine falls on both alike.
 */
export const measureRoutes = async (
  env: BenchEnvironment,
  iterations: number,
  warmup = 10,
): Promise<Record<string, RouteResult>> => {
  const floor = new Floor(env.dynamo.endpoint);
  const out: Record<string, RouteResult> = {};
  try {
    for (const family of await families(env)) {
      let i = 0;
      for (; i < warmup; i++) family.check(await invoke(env, family.fn, await family.prepare(i)));
      const recordedEvent = await family.prepare(i++);
      const recording: RecordedCall[] = env.record();
      family.check(await invoke(env, family.fn, recordedEvent));
      env.stopRecording();
      for (let w = 0; w < warmup; w++) await floor.replay(recording);

      const product: number[] = [];
      const floorMs: number[] = [];
      for (let n = 0; n < iterations; n++, i++) {
        const event = await family.prepare(i);
        const run = await timed(() => invoke(env, family.fn, event));
        family.check(run.value);
        product.push(run.ms);
        floorMs.push((await timed(() => floor.replay(recording))).ms);
      }
      const p50 = percentile(product, 50);
      const floorP50 = percentile(floorMs, 50);
      out[family.name] = {
        p50Ms: round(p50),
        p99Ms: round(percentile(product, 99)),
        floorP50Ms: round(floorP50),
        floorP99Ms: round(percentile(floorMs, 99)),
        ratio: round(p50 / floorP50),
        samples: iterations,
        dynamoCalls: recording.filter((c) => c.kind === 'dynamo').length,
        wiseCalls: recording.filter((c) => c.kind === 'wise').length,
      };
    }
  } finally {
    floor.close();
  }
  return out;
};
