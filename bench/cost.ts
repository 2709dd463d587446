import type { GatewayEvent } from '../shared/http/types';
import type { FunctionName } from '../shared/routes';
import type { BenchEnvironment } from './environment';
import { expectStatus, invoke, seedLinkedCustomer, signupEvent, webhookEvent } from './scenarios';
import { round } from './stats';

export interface UnitCost {
  /** Wise HTTP calls per unit, the client-credentials token excluded (see `clientTokenCalls`). */
  wiseCalls: number;
  kmsCalls: number;
  wcu: number;
  rcu: number;
  /** Client-credentials token fetches per unit over the run: cached per container, so amortised away. */
  clientTokenCalls: number;
  /** Conditional writes DynamoDB refused (counted as 1 WCU each in `wcu`). */
  refusedWrites: number;
  dynamoCalls: number;
  wiseByPath: Record<string, number>;
  /** Per unit, by DynamoDB call (`UpdateItem ACCOUNT`: calls, WCU, RCU). */
  dynamoByCall: Record<string, { calls: number; wcu: number; rcu: number }>;
  units: number;
}

const CLIENT_TOKEN = '/oauth/token#client_credentials';

const costOf = async (
  env: BenchEnvironment,
  fn: FunctionName,
  events: GatewayEvent[],
  status: number,
  /** What else the unit costs once its requests are answered (a webhook: its projection from the stream). */
  after?: () => Promise<void>,
): Promise<UnitCost> => {
  env.resetCounters();
  env.instrument.counting = true;
  try {
    for (const event of events) expectStatus(`cost run (${fn})`, await invoke(env, fn, event), status);
    await after?.();
  } finally {
    env.instrument.counting = false;
  }
  const n = events.length;
  const wiseByPath = Object.fromEntries([...env.counters.wise.entries()].map(([k, v]) => [k, round(v / n)]));
  const all = [...env.counters.wise.values()].reduce((a, b) => a + b, 0);
  const clientToken = env.counters.wise.get(CLIENT_TOKEN) ?? 0;
  const u = env.instrument.units;
  return {
    wiseCalls: round((all - clientToken) / n),
    kmsCalls: round(env.counters.kms / n),
    wcu: round(u.wcu / n),
    rcu: round(u.rcu / n),
    clientTokenCalls: round(clientToken / n),
    refusedWrites: round(u.refusedWrites / n),
    dynamoCalls: round(u.calls / n),
    wiseByPath,
    dynamoByCall: Object.fromEntries(
      [...env.instrument.byCall.entries()].map(([k, v]) => [
        k,
        { calls: round(v.calls / n), wcu: round(v.wcu / n), rcu: round(v.rcu / n) },
      ]),
    ),
    units: n,
  };
};

/**
 * Cost per completed onboarding (route 1 from nothing to ACTIVE, no Idempotency-Key) and per applied
 * webhook (route 11's record plus the projection's writes from the stream), in a warm container: Wise
 * calls at the transport's onCall, KMS calls at the cipher adapter's onCall, capacity units as
 * DynamoDB reports them (ReturnConsumedCapacity TOTAL).
 */
export const measureCost = async (
  env: BenchEnvironment,
  units = 10,
): Promise<{ onboarding: UnitCost; webhook: UnitCost }> => {
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const signups = Array.from({ length: units }, (_, i) => signupEvent(`cost-${stamp}-${i}`));
  const onboarding = await costOf(env, 'onboarding', signups, 201);

  const customer = await seedLinkedCustomer(env, 'cost');
  const base = Date.now() - 60_000;
  const deliveries = Array.from({ length: units }, (_, i) =>
    webhookEvent(env, customer.profileId, base + i * 1000, i % 2 === 0),
  );
  // The receiver's record, then the projection's state update and outcome (the same table client, so
  // counted alike): what a webhook costs in all. Started before the deliveries, it sees exactly theirs.
  const projection = await env.startProjection();
  try {
    const webhook = await costOf(env, 'webhooks', deliveries, 200, () => projection.drained());
    return { onboarding, webhook };
  } finally {
    await projection.stop();
  }
};
