import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consumerHandlerWith } from '../../../local/stream-runner/consumers';
import type { StreamHandler } from '../../../shared/streams/batch';
import { replay } from '../../../scripts/webhooks-replay';
import type { TestStack } from '../../support/stack';
import {
  customerItems,
  deliver,
  eventPk,
  eventually,
  faultyTable,
  iso,
  recordOf,
  recordWithStatus,
  seedCustomer,
  startStreamStack,
  verificationEvent,
} from './support';

/**
 * The projection when its store fails: a transient fault is retried by the stream (nothing lost);
 * a record that keeps failing is retried `maxRetries` times, bisected away from the others, and
 * ends in the failure destination, still RECEIVED; `npm run webhooks:replay` applies it once the
 * fault is fixed, and a second replay changes nothing. Faults are injected at the table client.
 */
let t: TestStack;
const CONSUMER = 'webhook-projection';

beforeAll(async () => {
  t = await startStreamStack();
});

afterEach(() => {
  // Every test leaves the projection as deployed.
  t.stack.streams!.use(CONSUMER, consumerHandlerWith(CONSUMER, t.stack.deps[CONSUMER]));
});

afterAll(async () => {
  await t?.close();
});

/** The projection over a table client whose writes fail while `fails` says so. */
const projectionFailingWhen = (
  fails: (command: { constructor: { name: string }; input: Record<string, unknown> }) => boolean,
) => {
  const deps = t.stack.deps[CONSUMER];
  return consumerHandlerWith(CONSUMER, { ...deps, table: faultyTable(deps.table, fails) });
};

const keyPk = (input: Record<string, unknown>) =>
  String((input.Key as { pk?: unknown } | undefined)?.pk ?? '');

const runReplay = async (args: string[]) => {
  const lines: string[] = [];
  const summary = await replay(
    args,
    {},
    { table: t.stack.deps[CONSUMER].table, clock: t.clock, print: (l) => lines.push(l) },
  );
  return { summary, lines };
};

describe('the projection when DynamoDB fails its writes', () => {
  it('retries a batch whose writes failed for a while, and applies every event once the store answers', async () => {
    // Prepare: the first four writes of the projection fail (the state update and the outcome alike).
    let failuresLeft = 4;
    t.stack.streams!.use(
      CONSUMER,
      projectionFailingWhen((c) => c.constructor.name === 'UpdateCommand' && failuresLeft-- > 0),
    );
    const customers = await Promise.all([1, 2, 3].map(() => seedCustomer(t)));
    const bodies = customers.map((c) => verificationEvent(c.profileId, 'verified', Date.now() - 10_000));

    // Act
    for (const body of bodies) await deliver(t, body);

    // Assess
    for (const [i, body] of bodies.entries()) {
      expect(await recordWithStatus(t, body, 'APPLIED')).toMatchObject({
        customerId: customers[i]!.customerId,
      });
      expect(
        (await t.stack.deps.webhooks.accounts.getProfile(customers[i]!.customerId, customers[i]!.profileId))
          ?.verification,
      ).toBe('verified');
    }
    expect(failuresLeft).toBeLessThan(0);
    const outcomes = t.stack.streams!.invocations(CONSUMER).map((i) => i.outcome);
    expect(outcomes).toContain('partial');
    expect(t.stack.streams!.failures(CONSUMER)).toHaveLength(0);
  });

  it('sends a record that keeps failing to the failure destination, applies the others, and replay applies it after the fix', async () => {
    // Prepare: every write to one customer's items fails (a poison record); another customer is healthy.
    const poisoned = await seedCustomer(t);
    const healthy = await seedCustomer(t);
    const since = iso(t.clock.now() - 1000);
    t.stack.streams!.use(
      CONSUMER,
      projectionFailingWhen((c) => keyPk(c.input) === `CUSTOMER#${poisoned.customerId}`),
    );
    const poison = verificationEvent(poisoned.profileId, 'verified', Date.now() - 10_000);
    const fine = verificationEvent(healthy.profileId, 'verified', Date.now() - 10_000);

    // Act
    await deliver(t, poison);
    await deliver(t, fine);
    const failed = await eventually('the poison record in the failure destination', async () =>
      t.stack
        .streams!.failures(CONSUMER)
        .find((b) => b.records.some((r) => r.dynamodb?.Keys?.pk?.S === eventPk(poison))),
    );

    // Assess: given up on after the definition's retries; nothing else lost; the record still says RECEIVED.
    expect(failed).toMatchObject({ reason: 'RetriesExhausted', attempts: 6 });
    expect(await recordWithStatus(t, fine, 'APPLIED')).toMatchObject({ customerId: healthy.customerId });
    expect(await recordOf(t, poison)).toMatchObject({ status: 'RECEIVED' });
    expect(
      (await t.stack.deps.webhooks.accounts.getProfile(poisoned.customerId, poisoned.profileId))
        ?.verification,
    ).toBe('unknown');

    // Act: the fault is fixed (afterEach would do it too), then the operator replays.
    t.stack.streams!.use(CONSUMER, consumerHandlerWith(CONSUMER, t.stack.deps[CONSUMER]));
    const first = await runReplay(['--since', since]);
    const itemsAfterFirst = await customerItems(t, poisoned.customerId);
    const second = await runReplay(['--since', since]);

    // Assess: applied once, and the second replay changes nothing.
    expect(await recordOf(t, poison)).toMatchObject({
      status: 'APPLIED',
      outcome: 'APPLIED',
      customerId: poisoned.customerId,
    });
    expect(
      (await t.stack.deps.webhooks.accounts.getProfile(poisoned.customerId, poisoned.profileId))
        ?.verification,
    ).toBe('verified');
    expect(first.summary).toMatchObject({ stateChanged: 1, failed: 0 });
    expect(first.summary.outcomesRecorded).toBeGreaterThanOrEqual(1);
    expect(second.summary).toMatchObject({ stateChanged: 0, outcomesRecorded: 0, failed: 0 });
    expect(await customerItems(t, poisoned.customerId)).toEqual(itemsAfterFirst);
    expect(second.lines.at(-1)).toMatch(/0 changed the state, 0 outcomes recorded/);
  });

  it('bisects a batch whose invocation fails as a whole, so that only the poison record is held back', async () => {
    // Prepare: the function crashes on any batch holding the poison record (a bug, not a store fault).
    const deps = t.stack.deps[CONSUMER];
    const real = consumerHandlerWith(CONSUMER, deps);
    const poisoned = await seedCustomer(t);
    const others = await Promise.all([1, 2, 3].map(() => seedCustomer(t)));
    const poison = verificationEvent(poisoned.profileId, 'verified', Date.now() - 20_000);
    const crashing: StreamHandler = async (event, context) => {
      if (event.Records.some((r) => r.dynamodb?.Keys?.pk?.S === eventPk(poison))) throw new Error('a bug');
      return real(event, context);
    };
    t.stack.streams!.use(CONSUMER, crashing);
    const bodies = others.map((c) => verificationEvent(c.profileId, 'verified', Date.now() - 20_000));

    // Act: all at once, so that they share batches with the poison record.
    await Promise.all([poison, ...bodies].map((b) => deliver(t, b)));

    // Assess
    for (const body of bodies) await recordWithStatus(t, body, 'APPLIED');
    const failed = await eventually('the poison record alone in the failure destination', async () =>
      t.stack
        .streams!.failures(CONSUMER)
        .find((b) => b.records.some((r) => r.dynamodb?.Keys?.pk?.S === eventPk(poison))),
    );
    expect(failed.records).toHaveLength(1);
    expect(failed.lastError).toMatch(/a bug/);
    expect(await recordOf(t, poison)).toMatchObject({ status: 'RECEIVED' });
  });
});

describe('npm run webhooks:replay', () => {
  it("replays only the given customer's events with --customer", async () => {
    // Prepare: two customers' events recorded while the projection was down (never projected).
    t.stack.streams!.use(CONSUMER, async () => {
      throw new Error('the consumer is down');
    });
    const [a, b] = [await seedCustomer(t), await seedCustomer(t)];
    const since = iso(t.clock.now() - 1000);
    const [forA, forB] = [a, b].map((c) => verificationEvent(c.profileId, 'verified', Date.now() - 30_000));
    await deliver(t, forA!);
    await deliver(t, forB!);

    // Act
    const { summary } = await runReplay(['--since', since, '--customer', a.customerId]);

    // Assess
    expect(summary).toMatchObject({ replayed: 1, stateChanged: 1, failed: 0 });
    expect(await recordOf(t, forA!)).toMatchObject({ status: 'APPLIED', customerId: a.customerId });
    expect(await recordOf(t, forB!)).toMatchObject({ status: 'RECEIVED' });
    expect((await t.stack.deps.webhooks.accounts.getProfile(b.customerId, b.profileId))?.verification).toBe(
      'unknown',
    );
  });

  it('refuses an instant without its zone and an unknown flag, touching nothing', async () => {
    // Act
    const noZone = await runReplay(['--since', '2026-03-01T00:00:00']).catch((e: Error) => e);
    const unknown = await runReplay(['--since', '2026-03-01T00:00:00Z', '--all']).catch((e: Error) => e);

    // Assess
    expect(noZone).toBeInstanceOf(Error);
    expect((noZone as Error).message).toMatch(/ISO 8601 instant with its zone/);
    expect((unknown as Error).message).toMatch(/Unknown argument --all/);
  });
});
