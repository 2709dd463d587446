import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { routes as webhookRoutes } from '../../functions/webhooks/routes';
import { consumerHandlerWith } from '../../local/stream-runner/consumers';
import { replay } from '../../scripts/webhooks-replay';
import type { LambdaHandler } from '../../shared/http/types';
import { handlerWith } from '../../shared/runtime/function';
import { waitUntil } from '../../shared/runtime/wait';
import { dedupKeyOf } from '../../shared/webhooks/webhook-event';
import {
  customerItems,
  deliveredTo,
  eventPk,
  faultyTable,
  iso,
  item,
  recordOf,
  seedCustomer,
  verificationEvent,
} from '../integration/stream/support';
import { leakScanTest } from './support/leaks';
import { figures, proves, reportFor, saveReport } from './support/report';
import { accountPath, startReliabilityStack, type ReliabilityStack } from './support/stack';

/**
 * Route 11 end to end, storage-first, on the local stack: the gateway, the receiver (signature on
 * the raw bytes, one record), DynamoDB Local's stream read by the stream runner as Lambda's event
 * source mapping would (filters, batches, retries, bisection, failure destination), the projection,
 * and the state read back through the partner API. The receipt-to-state lag of every delivery the
 * projection applies is measured (from the receiver's 200 to the first read that shows the event's
 * record APPLIED, written just after the state) and reported, never asserted.
 */
reportFor(import.meta.url);

/** A key the webhook function trusts beside the simulator's, as during a key rotation. */
const testKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const testKeyPem = testKey.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const CONSUMER = 'webhook-projection';
const WEBHOOK_PATH = '/v1/webhooks/wise';
const DAY_MS = 24 * 3600 * 1000;

let t: ReliabilityStack;
/** Which verification keys the deployed webhook function is configured with (the fail-closed case sets none). */
type Keys = 'configured' | 'none';
let keys: Keys = 'configured';
const webhookHandlers = new Map<Keys, LambdaHandler>();
/** Receipt-to-state lags (ms) of the deliveries the projection applied through the stream. */
const lags: number[] = [];
const appliedKeys = new Set<string>();
let replayedRecords = 0;

beforeAll(async () => {
  t = await startReliabilityStack({
    stack: {
      wrapHandler: (fn, handler) =>
        fn !== 'webhooks'
          ? handler
          : (event, context) => {
              const deps = t.stack.deps.webhooks;
              let built = webhookHandlers.get(keys);
              if (!built) {
                const trusted =
                  keys === 'configured' ? `${t.sim.webhookPublicKeyPem}\n${testKeyPem}` : undefined;
                built = handlerWith(
                  'webhooks',
                  { ...deps, config: { ...deps.config, webhookPublicKeys: trusted } },
                  webhookRoutes,
                );
                webhookHandlers.set(keys, built);
              }
              return built(event, context);
            },
    },
  });
});

afterEach(() => {
  // Every test leaves the projection and the receiver as deployed.
  keys = 'configured';
  t.stack.streams!.use(CONSUMER, consumerHandlerWith(CONSUMER, t.stack.deps[CONSUMER]));
});

afterAll(async () => {
  const sorted = [...lags].sort((a, b) => a - b);
  const percentile = (p: number) =>
    sorted.length === 0 ? 0 : Math.round(sorted[Math.ceil((p / 100) * sorted.length) - 1]!);
  figures.webhookEventsApplied = appliedKeys.size;
  figures.webhookLagSamples = sorted.length;
  figures.webhookLagP50Ms = percentile(50);
  figures.webhookLagP99Ms = percentile(99);
  if (t) {
    figures.webhookFailedRecords = t.stack
      .streams!.failures(CONSUMER)
      .reduce((n, b) => n + b.records.length, 0);
  }
  figures.webhookReplayedRecords = replayedRecords;
  saveReport();
  await t?.close();
});

const signed = (body: string, key: KeyObject = testKey.privateKey) =>
  sign('RSA-SHA256', Buffer.from(body), key).toString('base64');

/** One delivery of route 11 through the gateway; `answeredAt` is when its answer arrived (performance.now()). */
const post = async (
  body: string,
  init: { signature?: string | null; headers?: Record<string, string> } = {},
) => {
  figures.webhookDeliveriesSent += 1;
  const signature = init.signature === undefined ? signed(body) : init.signature;
  const res = await t.call('POST', WEBHOOK_PATH, {
    as: null,
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-delivery-id': randomUUID(),
      ...(signature === null ? {} : { 'x-signature-sha256': signature }),
      ...init.headers,
    },
  });
  return { ...res, answeredAt: performance.now() };
};

/**
 * A genuine delivery, expected 200 `recorded`. A 503 (the record not written in time on a loaded
 * machine) is redelivered at once, as Wise redelivers; bounded to three attempts.
 */
const deliver = async (body: string) => {
  let res = await post(body);
  let attempt = 1;
  for (; res.status === 503 && attempt < 3; attempt++) res = await post(body);
  // A put that timed out may still have landed: the redelivery then finds it.
  expect([res.status, res.body]).toEqual([
    200,
    { result: attempt === 1 ? 'recorded' : expect.stringMatching(/^(recorded|duplicate)$/) },
  ]);
  return res.answeredAt;
};

/**
 * The event's record once the projection has recorded its outcome; an APPLIED outcome (the state
 * changed) adds its receipt-to-state lag to the run's figures.
 */
const projected = async (body: string, answeredAt: number) => {
  const found = await waitUntil(
    async () => {
      const r = await recordOf(t, body);
      return r && r.status !== 'RECEIVED' ? { record: r, seenAt: performance.now() } : undefined;
    },
    { every: 10, deadline: Date.now() + 15_000 },
  );
  expect(found, 'the projection recorded no outcome within 15 s').toBeDefined();
  const { record, seenAt } = found!;
  if (record.status === 'APPLIED' && record.outcome === 'APPLIED' && !appliedKeys.has(eventPk(body))) {
    appliedKeys.add(eventPk(body));
    lags.push(seenAt - answeredAt);
  }
  return record;
};

/** The profile as the partner API shows it (route 2, in the customer's own session). */
const shownProfile = async (customerId: string, profileId: number) => {
  const res = await t.call('GET', accountPath(customerId), { as: customerId });
  expect(res.status, res.text).toBe(200);
  return (res.body.profiles as { id: number; verification: string }[]).find((p) => p.id === profileId);
};

const storedVerification = async (customerId: string, profileId: number) =>
  (await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification;

const webhookRecordCount = async () => {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await t.stack.deps.webhooks.table.db.send(
      new ScanCommand({
        TableName: t.tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'WEBHOOK#' },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
};

const clientToken = async () => {
  const res = await fetch(`${t.sim.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('local-partner:local-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
};

/** The projection over a table client whose writes fail while `fails` says so. */
const projectionFailingWhen = (
  fails: (command: { constructor: { name: string }; input: Record<string, unknown> }) => boolean,
) => {
  const deps = t.stack.deps[CONSUMER];
  return consumerHandlerWith(CONSUMER, { ...deps, table: faultyTable(deps.table, fails) });
};

const keyPk = (input: Record<string, unknown>) =>
  String((input.Key as { pk?: unknown } | undefined)?.pk ?? '');

describe('a genuine delivery through the stream', () => {
  proves(
    'webhooks.applied',
    "Wise's own delivery and ten signed deliveries (each a fresh customer) are recorded, carried by the stream and shown verified on GET wise-account",
    async () => {
      // Prepare
      const fromWise = await seedCustomer(t);
      const customers = await Promise.all(Array.from({ length: 10 }, () => seedCustomer(t)));
      const token = await clientToken();

      // Act: the simulator verifies a profile and delivers the event signed with its own key.
      const simulated = await t.sim_(
        'POST',
        `/v1/simulation/profiles/${fromWise.profileId}/verifications`,
        undefined,
        { authorization: `Bearer ${token}` },
      );
      // Act: one delivery at a time, so that each lag is the pipeline's and not a queue's.
      const records = [];
      for (const c of customers) {
        const body = verificationEvent(c.profileId, 'verified', Date.now() - 1000);
        records.push(await projected(body, await deliver(body)));
      }

      // Assess
      expect(simulated.status).toBe(200);
      const shownFromWise = await waitUntil(
        async () => {
          const p = await shownProfile(fromWise.customerId, fromWise.profileId);
          return p?.verification === 'verified' ? p : undefined;
        },
        { every: 25, deadline: Date.now() + 10_000 },
      );
      expect(shownFromWise, "Wise's delivery not applied within 10 s").toBeDefined();
      for (const [i, c] of customers.entries()) {
        expect(records[i]).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId: c.customerId });
        expect((await shownProfile(c.customerId, c.profileId))?.verification).toBe('verified');
      }
      expect(lags.length).toBeGreaterThanOrEqual(customers.length);
    },
  );
});

describe('deliveries Wise did not sign', () => {
  proves(
    'webhooks.signature',
    'unsigned, wrongly signed and tampered deliveries get 401: nothing recorded, nothing handed to the projection, nothing applied',
    async () => {
      // Prepare
      const c = await seedCustomer(t);
      const body = verificationEvent(c.profileId, 'verified', Date.now() - 1000);
      const forged: [string, string, { signature?: string | null; headers?: Record<string, string> }][] = [
        ['no signature', body, { signature: null }],
        ["another key's signature", body, { signature: signed(body, strangerKey.privateKey) }],
        ['altered bytes', body.replace('"verified"', '"verifiee"'), { signature: signed(body) }],
        ['re-serialised JSON', JSON.stringify(JSON.parse(body), null, 2), { signature: signed(body) }],
        ['a signature that is not Base64', body, { signature: 'not base64 !' }],
        [
          'a legacy SHA-1 X-Signature only',
          body,
          {
            signature: null,
            headers: {
              'x-signature': sign('RSA-SHA1', Buffer.from(body), testKey.privateKey).toString('base64'),
            },
          },
        ],
      ];
      const before = await webhookRecordCount();

      // Act
      const answers = [];
      for (const [name, raw, init] of forged) answers.push([name, (await post(raw, init)).status]);
      figures.attacksSent += forged.length;
      await t.stack.streams!.drained();

      // Assess
      expect(answers).toEqual(forged.map(([name]) => [name, 401]));
      expect(await webhookRecordCount()).toBe(before);
      for (const [, raw] of forged) {
        const pk = `WEBHOOK#${dedupKeyOf(JSON.parse(raw))}`;
        expect(await item(t, pk, 'EVENT')).toBeUndefined();
        expect(deliveredTo(t, pk)).toBe(0);
      }
      expect(await storedVerification(c.customerId, c.profileId)).toBe('unknown');
      expect((await shownProfile(c.customerId, c.profileId))?.verification).toBe('unknown');
    },
  );
});

describe('no verification key configured', () => {
  proves(
    'webhooks.fail-closed',
    "answers a genuinely signed delivery 503 and records nothing; Wise's redelivery once the keys are configured is applied",
    async () => {
      // Prepare
      const c = await seedCustomer(t);
      const body = verificationEvent(c.profileId, 'verified', Date.now() - 1000);
      const before = await webhookRecordCount();
      keys = 'none';

      // Act
      const refused = await post(body);
      await t.stack.streams!.drained();
      const countWhileUnconfigured = await webhookRecordCount();
      const verificationWhileUnconfigured = await storedVerification(c.customerId, c.profileId);
      keys = 'configured';
      const record = await projected(body, await deliver(body));
      // The runner notes an invocation once it returns, just after the record shows its outcome.
      await t.stack.streams!.drained();

      // Assess
      expect([refused.status, refused.body?.code]).toEqual([503, 'WEBHOOK_KEYS_NOT_CONFIGURED']);
      expect(countWhileUnconfigured).toBe(before);
      expect(verificationWhileUnconfigured).toBe('unknown');
      expect(record).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId: c.customerId });
      expect(deliveredTo(t, eventPk(body))).toBe(1);
    },
  );
});

describe('events out of order', () => {
  proves(
    'webhooks.order',
    'an older event after a newer one, one after the other or both in one stream batch, leaves the newest state',
    async () => {
      // Prepare
      const [oneByOne, oneBatch] = [await seedCustomer(t), await seedCustomer(t)];
      const t0 = Date.parse('2026-03-01T10:00:00Z');
      const events = (profileId: number) => ({
        newer: verificationEvent(profileId, 'verified', t0 + 60_000),
        older: verificationEvent(profileId, 'not_verified', t0),
      });
      const a = events(oneByOne.profileId);
      const b = events(oneBatch.profileId);

      // Act: one after the other, each projected before the next arrives.
      const newerFirst = await projected(a.newer, await deliver(a.newer));
      const olderAfter = await projected(a.older, await deliver(a.older));
      // Act: both recorded while the stream is not read, so that one batch carries them, newest first.
      await t.stack.streams!.drained();
      await t.stack.streams!.pause();
      const answered = [await deliver(b.newer), await deliver(b.older)];
      t.stack.streams!.resume();
      const [batchNewer, batchOlder] = [
        await projected(b.newer, answered[0]!),
        await projected(b.older, answered[1]!),
      ];
      await t.stack.streams!.drained();

      // Assess
      expect([newerFirst.outcome, olderAfter.outcome]).toEqual(['APPLIED', 'STALE']);
      // Inside one batch the projection handles records concurrently: the older may be written first.
      expect(batchNewer.outcome).toBe('APPLIED');
      expect(['APPLIED', 'STALE']).toContain(batchOlder.outcome);
      const sharedBatch = t.stack
        .streams!.invocations(CONSUMER)
        .some((i) => [b.newer, b.older].every((e) => i.keys.some((k) => k.pk === eventPk(e))));
      expect(sharedBatch, 'both events in one invocation').toBe(true);
      for (const c of [oneByOne, oneBatch]) {
        expect(await t.stack.deps.webhooks.accounts.getProfile(c.customerId, c.profileId)).toMatchObject({
          verification: 'verified',
          verificationOccurredAt: t0 + 60_000,
        });
        expect((await shownProfile(c.customerId, c.profileId))?.verification).toBe('verified');
      }
    },
  );
});

describe('ten concurrent copies of one delivery', () => {
  proves(
    'webhooks.concurrent-copies',
    'every copy answered 200, one recorded, one stream record handed to the projection, applied once',
    async () => {
      // Prepare
      const c = await seedCustomer(t);
      const body = verificationEvent(c.profileId, 'verified', Date.now() - 1000);
      const signature = signed(body);
      const before = await webhookRecordCount();

      // Act
      figures.duplicatesSent += 10;
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(body, { signature })));
      const recorded = answers.find((a) => a.body?.result === 'recorded');
      const record = await projected(
        body,
        recorded?.answeredAt ?? Math.max(...answers.map((a) => a.answeredAt)),
      );
      await t.stack.streams!.drained();

      // Assess
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      const results = answers.map((a) => a.body.result as string);
      expect(results.filter((r) => r === 'recorded')).toHaveLength(1);
      expect(results.filter((r) => r !== 'recorded')).toEqual(Array(9).fill('duplicate'));
      expect(await webhookRecordCount()).toBe(before + 1);
      expect(record).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId: c.customerId });
      expect(deliveredTo(t, eventPk(body))).toBe(1);
      expect((await shownProfile(c.customerId, c.profileId))?.verification).toBe('verified');
    },
  );
});

describe('test notifications', () => {
  proves(
    'webhooks.test-notifications',
    "a signed test notification (and the simulator's own) is verified and acknowledged, never handed to the projection, never applied",
    async () => {
      // Prepare: X-Test-Notification is not signed, so a captured genuine body with it added is a test too.
      const c = await seedCustomer(t);
      const body = verificationEvent(c.profileId, 'verified', Date.now() - 1000);
      const token = await clientToken();
      const subs = await t.sim_('GET', '/v3/applications/local-partner/subscriptions', undefined, {
        authorization: `Bearer ${token}`,
      });
      const sub = (subs.body as { id: string; trigger_on: string }[]).find(
        (s) => s.trigger_on === 'profiles#verification-state-change',
      );
      expect(sub, 'the application subscription').toBeDefined();
      const testPk = `WEBHOOK#TEST#${dedupKeyOf(JSON.parse(body))}`;

      // Act
      const ours = await post(body, { headers: { 'x-test-notification': 'true' } });
      const fromWise = await t.sim_(
        'POST',
        `/v3/applications/local-partner/subscriptions/${sub!.id}/test-notifications`,
        undefined,
        { authorization: `Bearer ${token}` },
      );
      const wiseDelivered = await waitUntil(
        async () => {
          const state = await t.state();
          const last = (state.deliveries ?? []).filter((d) => d.event_type === sub!.trigger_on).at(-1);
          return last?.responseStatus ?? undefined;
        },
        { every: 25, deadline: Date.now() + 10_000 },
      );
      await t.stack.streams!.drained();

      // Assess
      expect([ours.status, ours.body]).toEqual([200, { result: 'test' }]);
      expect([fromWise.status, wiseDelivered]).toEqual([200, 200]);
      expect(await item(t, testPk, 'EVENT')).toMatchObject({ status: 'TEST' });
      expect(await recordOf(t, body)).toBeUndefined();
      expect(deliveredTo(t, testPk)).toBe(0);
      expect(deliveredTo(t, eventPk(body))).toBe(0);
      expect(await storedVerification(c.customerId, c.profileId)).toBe('unknown');
    },
  );
});

describe('the projection when its store fails', () => {
  proves(
    'webhooks.consumer-retry',
    "the projection's writes failing for a while: the stream retries, every event is applied once, nothing reaches the failure destination",
    async () => {
      // Prepare: the first four writes of the projection fail (state updates and outcomes alike).
      const failuresBefore = t.stack.streams!.failures(CONSUMER).length;
      let failuresLeft = 4;
      t.stack.streams!.use(
        CONSUMER,
        projectionFailingWhen((cmd) => {
          if (cmd.constructor.name !== 'UpdateCommand' || failuresLeft <= 0) return false;
          failuresLeft -= 1;
          figures.dependencyFaultsInjected += 1;
          return true;
        }),
      );
      const customers = await Promise.all([1, 2, 3].map(() => seedCustomer(t)));
      const bodies = customers.map((c) => verificationEvent(c.profileId, 'verified', Date.now() - 10_000));

      // Act
      const answered = [];
      for (const body of bodies) answered.push(await deliver(body));
      const records = [];
      for (const [i, body] of bodies.entries()) records.push(await projected(body, answered[i]!));
      await t.stack.streams!.drained();

      // Assess
      expect(failuresLeft).toBe(0);
      for (const [i, c] of customers.entries()) {
        expect(records[i]).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId: c.customerId });
        expect((await shownProfile(c.customerId, c.profileId))?.verification).toBe('verified');
      }
      const retried = t.stack
        .streams!.invocations(CONSUMER)
        .filter(
          (inv) => inv.outcome !== 'ok' && inv.keys.some((k) => bodies.some((b) => k.pk === eventPk(b))),
        );
      expect(retried.length).toBeGreaterThan(0);
      expect(t.stack.streams!.failures(CONSUMER)).toHaveLength(failuresBefore);
    },
  );

  proves(
    'webhooks.poison-replay',
    'a record whose writes keep failing ends on the failure destination (its depth alarm at 1), the rest is applied, and replay applies it once after the fix',
    async () => {
      // Prepare: every write to one customer's items fails (a poison record); another customer is healthy.
      await t.sim.advance(60_000);
      const since = iso(t.clock.now() - 1000);
      const poisoned = await seedCustomer(t);
      const healthy = await seedCustomer(t);
      const depthBefore = t.stack.streams!.failures(CONSUMER).length;
      t.stack.streams!.use(
        CONSUMER,
        projectionFailingWhen((cmd) => {
          const hit = keyPk(cmd.input) === `CUSTOMER#${poisoned.customerId}`;
          if (hit) figures.dependencyFaultsInjected += 1;
          return hit;
        }),
      );
      const poison = verificationEvent(poisoned.profileId, 'verified', Date.now() - 10_000);
      const fine = verificationEvent(healthy.profileId, 'verified', Date.now() - 10_000);

      // Act
      await deliver(poison);
      const fineRecord = await projected(fine, await deliver(fine));
      const failed = await waitUntil(
        async () =>
          t.stack
            .streams!.failures(CONSUMER)
            .find((b) => b.records.some((r) => r.dynamodb?.Keys?.pk?.S === eventPk(poison))),
        { every: 25, deadline: Date.now() + 15_000 },
      );
      const depth = t.stack.streams!.failures(CONSUMER).length;
      const poisonWhileFailing = await recordOf(t, poison);
      const verificationWhileFailing = await storedVerification(poisoned.customerId, poisoned.profileId);
      // Act: the fault is fixed, then the operator replays (`npm run webhooks:replay -- --since ...`).
      t.stack.streams!.use(CONSUMER, consumerHandlerWith(CONSUMER, t.stack.deps[CONSUMER]));
      const print: string[] = [];
      const summary = await replay(
        ['--since', since],
        {},
        { table: t.stack.deps[CONSUMER].table, clock: t.clock, print: (l) => print.push(l) },
      );
      // The other consumers follow the profile's change first (partner events, reconciliation's lists).
      await t.stack.streams!.drained();
      const itemsAfterReplay = await customerItems(t, poisoned.customerId);
      const again = await replay(
        ['--since', since],
        {},
        { table: t.stack.deps[CONSUMER].table, clock: t.clock },
      );

      // Assess: given up on after the definition's retries; the healthy event applied; nothing lost.
      expect(failed, 'the poison record on the failure destination within 15 s').toBeDefined();
      expect(failed).toMatchObject({ reason: 'RetriesExhausted', attempts: 6 });
      // Records after it in its batch were retried with it (Lambda retries from the failed item on) and applied.
      for (const r of failed!.records.filter((r) => r.dynamodb?.Keys?.pk?.S !== eventPk(poison)))
        expect(await item(t, r.dynamodb!.Keys!.pk!.S!, 'EVENT')).toMatchObject({ status: 'APPLIED' });
      // The FailureQueueDepth alarm (infra/constructs/events.ts) fires at one visible message.
      expect(depth - depthBefore).toBe(1);
      expect(fineRecord).toMatchObject({
        status: 'APPLIED',
        outcome: 'APPLIED',
        customerId: healthy.customerId,
      });
      expect(poisonWhileFailing).toMatchObject({ status: 'RECEIVED' });
      expect(verificationWhileFailing).toBe('unknown');
      // Assess: the replay applied it once; a second replay changes nothing.
      expect(summary).toMatchObject({ stateChanged: 1, failed: 0 });
      expect(await recordOf(t, poison)).toMatchObject({
        status: 'APPLIED',
        outcome: 'APPLIED',
        customerId: poisoned.customerId,
      });
      expect((await shownProfile(poisoned.customerId, poisoned.profileId))?.verification).toBe('verified');
      expect(again).toMatchObject({ stateChanged: 0, outcomesRecorded: 0, failed: 0 });
      expect(await customerItems(t, poisoned.customerId)).toEqual(itemsAfterReplay);
      expect(print.at(-1)).toMatch(/1 changed the state/);
      replayedRecords += summary.stateChanged;
    },
  );
});

describe('a copy 16 days later', () => {
  // Last of the file: it moves the shared clock 16 days on.
  proves(
    'webhooks.dedup',
    'answers 200 duplicate and changes nothing: neither the state, nor the record, nor what the projection is handed',
    async () => {
      // Prepare: the first copy recorded and applied, then a newer state from another event.
      const c = await seedCustomer(t);
      const t0 = Date.now() - DAY_MS;
      const old = verificationEvent(c.profileId, 'not_verified', t0);
      const newer = verificationEvent(c.profileId, 'verified', t0 + 1000);
      await projected(old, await deliver(old));
      await projected(newer, await deliver(newer));
      // The other consumers follow the profile's change first (reconciliation's lists drop it).
      await t.stack.streams!.drained();
      const [recordBefore, profileBefore] = [
        await recordOf(t, old),
        await t.stack.deps.webhooks.accounts.getProfile(c.customerId, c.profileId),
      ];

      // Act: Wise's last retries come about two weeks later, each with a new X-Delivery-Id.
      await t.sim.advance(16 * DAY_MS);
      figures.duplicatesSent += 1;
      const late = await post(old);
      await t.stack.streams!.drained();

      // Assess
      expect([late.status, late.body]).toEqual([200, { result: 'duplicate' }]);
      expect(await recordOf(t, old)).toEqual(recordBefore);
      expect(await t.stack.deps.webhooks.accounts.getProfile(c.customerId, c.profileId)).toEqual(
        profileBefore,
      );
      expect(profileBefore).toMatchObject({ verification: 'verified' });
      expect(deliveredTo(t, eventPk(old))).toBe(1);
      expect((recordBefore!.expiresAt as number) * 1000).toBeGreaterThan(t.clock.now());
    },
  );
});

leakScanTest(() => t);
