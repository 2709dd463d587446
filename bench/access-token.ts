import type { GatewayEvent, GatewayResult } from '../shared/http/types';
import { WISE_ACCESS_SCOPE } from '../shared/routes';
import type { UnitCost } from './cost';
import type { BenchEnvironment } from './environment';
import { gatewayEvent } from './events';
import { Floor } from './floor';
import type { RecordedCall } from './recording';
import type { RouteResult } from './routes';
import { expectStatus, invoke, seedLinkedCustomer, type LinkedCustomer } from './scenarios';
import { percentile, round } from './stats';

/** Route 20 as the partner's payment service calls it (scope `wise-onboarding/wise-access`). */
const accessTokenEvent = (customer: LinkedCustomer): GatewayEvent => {
  const event = gatewayEvent('issueAccessToken', {
    pathParameters: { customerId: customer.customerId, profileId: String(customer.profileId) },
    sub: 'payment-service',
  });
  const claims = event.requestContext.authorizer?.jwt?.claims as Record<string, unknown> | undefined;
  if (claims) claims.scope = WISE_ACCESS_SCOPE;
  return event;
};

const check = (r: GatewayResult) => {
  expectStatus('access token', r, 200);
  if (!JSON.parse(r.body ?? '{}').accessToken) throw new Error(`access token missing: ${r.body}`);
};

const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

/**
 * Route 20's figures: warm latency next to its floor (the same DynamoDB calls replayed with a bare
 * client; a warm container opens the grant's token pair from its cache, so no KMS call is made, and
 * the grant is far from expiry, so no Wise call), and the cost per access token issued. Several
 * customers take turns, as the payment services of many customers would.
 */
export const measureAccessToken = async (
  env: BenchEnvironment,
  iterations: number,
  warmup = 10,
): Promise<{ route: RouteResult; cost: UnitCost }> => {
  const customers: LinkedCustomer[] = [];
  for (let i = 0; i < 8; i++) customers.push(await seedLinkedCustomer(env, 'wise-access'));
  const eventFor = (i: number) => accessTokenEvent(customers[i % customers.length]!);
  const floor = new Floor(env.dynamo.endpoint);
  try {
    let i = 0;
    for (; i < warmup + customers.length; i++) check(await invoke(env, 'onboarding', eventFor(i)));
    const recording: RecordedCall[] = env.record();
    check(await invoke(env, 'onboarding', eventFor(i++)));
    env.stopRecording();
    for (let w = 0; w < warmup; w++) await floor.replay(recording);

    const product: number[] = [];
    const floorMs: number[] = [];
    for (let n = 0; n < iterations; n++, i++) {
      const event = eventFor(i);
      product.push(await timed(async () => check(await invoke(env, 'onboarding', event))));
      floorMs.push(await timed(() => floor.replay(recording)));
    }

    // Cost per token, warm: the counters of the cost phase (bench/cost.ts does the same per onboarding).
    const units = 10;
    env.resetCounters();
    env.instrument.counting = true;
    try {
      for (let n = 0; n < units; n++, i++) check(await invoke(env, 'onboarding', eventFor(i)));
    } finally {
      env.instrument.counting = false;
    }
    const u = env.instrument.units;
    const wise = [...env.counters.wise.values()].reduce((a, b) => a + b, 0);
    const cost: UnitCost = {
      wiseCalls: round(wise / units),
      kmsCalls: round(env.counters.kms / units),
      wcu: round(u.wcu / units),
      rcu: round(u.rcu / units),
      clientTokenCalls: 0,
      refusedWrites: round(u.refusedWrites / units),
      dynamoCalls: round(u.calls / units),
      wiseByPath: Object.fromEntries([...env.counters.wise.entries()].map(([k, v]) => [k, round(v / units)])),
      dynamoByCall: Object.fromEntries(
        [...env.instrument.byCall.entries()].map(([k, v]) => [
          k,
          { calls: round(v.calls / units), wcu: round(v.wcu / units), rcu: round(v.rcu / units) },
        ]),
      ),
      units,
    };
    const p50 = percentile(product, 50);
    const floorP50 = percentile(floorMs, 50);
    return {
      route: {
        p50Ms: round(p50),
        p99Ms: round(percentile(product, 99)),
        floorP50Ms: round(floorP50),
        floorP99Ms: round(percentile(floorMs, 99)),
        ratio: round(p50 / floorP50),
        samples: iterations,
        dynamoCalls: recording.filter((c) => c.kind === 'dynamo').length,
        wiseCalls: recording.filter((c) => c.kind === 'wise').length,
      },
      cost,
    };
  } finally {
    floor.close();
  }
};
