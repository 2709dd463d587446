import { beforeAll, describe, expect, it } from 'vitest';
import type { NewWebhookEvent } from '../../../shared/ports/webhook-events';
import { CallBudget } from '../../../shared/webhooks/call-budget';
import { START, subjects, unique } from '../ports/subjects';

/**
 * The event records' lifecycle after route 11 (the projection's side of the WebhookEventStore
 * port), against the DynamoDB adapter and the in-memory fake alike, so the fake the unit tests use
 * cannot drift from the table.
 */
const budget = () => new CallBudget(Date.now() + 10_000, 5_000);
const received = (dedupKey: string, extra: Partial<NewWebhookEvent> = {}): NewWebhookEvent => ({
  dedupKey,
  eventType: 'profiles#verification-state-change',
  status: 'RECEIVED',
  payload: '{"resource":{"id":1}}',
  ...extra,
});

describe.each(subjects())('WebhookEventStore outcomes: $name', (subject) => {
  beforeAll(() => subject.setUp());

  it('moves a RECEIVED record to its outcome once; a second outcome changes nothing', async () => {
    // Prepare
    const { webhookEvents, clock } = subject.ports();
    const key = unique('outcome');
    await webhookEvents.record(received(key), budget());
    clock.advance(500);

    // Act
    const first = await webhookEvents.recordOutcome(
      key,
      { status: 'APPLIED', outcome: 'APPLIED', customerId: 'c1' },
      budget(),
    );
    const again = await webhookEvents.recordOutcome(
      key,
      { status: 'APPLIED', outcome: 'STALE', customerId: 'c1' },
      budget(),
    );
    const other = await webhookEvents.recordOutcome(
      key,
      { status: 'UNMATCHED', pendingKey: 'PENDING_PROFILE#1' },
      budget(),
    );

    // Assess
    expect([first, again, other]).toEqual([true, false, false]);
    expect(await webhookEvents.get(key)).toMatchObject({
      status: 'APPLIED',
      outcome: 'APPLIED',
      customerId: 'c1',
      projectedAt: START + 500,
    });
  });

  it('keeps an UNMATCHED record under its pending key until it is applied, in order of occurrence', async () => {
    // Prepare
    const { webhookEvents } = subject.ports();
    const pendingKey = `PENDING_PROFILE#${unique('p')}`;
    const [later, earlier, applied] = [unique('later'), unique('earlier'), unique('applied')];
    await webhookEvents.record(received(later, { occurredAt: 2000 }), budget());
    await webhookEvents.record(received(earlier, { occurredAt: 1000 }), budget());
    await webhookEvents.record(received(applied, { occurredAt: 500 }), budget());
    for (const key of [later, earlier, applied])
      await webhookEvents.recordOutcome(key, { status: 'UNMATCHED', pendingKey }, budget());

    // Act
    const unchanged = await webhookEvents.recordOutcome(
      earlier,
      { status: 'UNMATCHED', pendingKey },
      budget(),
    );
    await webhookEvents.recordOutcome(
      applied,
      { status: 'APPLIED', outcome: 'APPLIED', customerId: 'c2' },
      budget(),
    );
    const pending = await webhookEvents.pending(pendingKey, budget());

    // Assess
    expect(unchanged).toBe(false);
    expect(pending.map((e) => e.dedupKey)).toEqual([earlier, later]);
    expect(pending[0]).toMatchObject({ status: 'UNMATCHED', pendingKey, payload: '{"resource":{"id":1}}' });
    expect(await webhookEvents.get(applied)).not.toHaveProperty('pendingKey');
  });

  it("keeps a RECEIVED record's data whatever its size, and lists records by the time they were received", async () => {
    // Prepare
    const { webhookEvents, clock } = subject.ports();
    const big = 'x'.repeat(4096);
    const [old, fresh] = [unique('old'), unique('fresh')];
    await webhookEvents.record(received(old), budget());
    clock.advance(60_000);
    await webhookEvents.record(received(fresh, { payload: JSON.stringify({ big }) }), budget());

    // Act
    const since: string[] = [];
    for await (const e of webhookEvents.receivedSince(START + 30_000)) since.push(e.dedupKey);

    // Assess
    expect(since).toContain(fresh);
    expect(since).not.toContain(old);
    expect(JSON.parse((await webhookEvents.get(fresh))!.payload!).big).toBe(big);
  });
});
