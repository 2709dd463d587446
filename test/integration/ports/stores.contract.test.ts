import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, InProgressError } from '../../../shared/errors/domain-error';
import { STALE_IN_PROGRESS_MS } from '../../../shared/ports/idempotency';
import { MAX_KEPT_PAYLOAD_BYTES } from '../../../shared/ports/webhook-events';
import { CallBudget } from '../../../shared/webhooks/call-budget';
import { START, subjects, unique } from './subjects';

const budget = () => new CallBudget(Date.now() + 10_000, 5_000);
const answer = { status: 201, sealed: 'v1.sealed-data-key.sealed-answer' };

describe.each(subjects())('IdempotencyStore contract: $name', (subject) => {
  beforeAll(() => subject.setUp());

  it('runs a key once, replays its answer, and refuses the key with another request', async () => {
    // Prepare
    const { idempotency } = subject.ports();
    const scope = unique('scope');

    // Act
    const first = await idempotency.begin(scope, 'key-1', 'hash-a');
    const concurrent = await idempotency.begin(scope, 'key-1', 'hash-a').catch((e: unknown) => e);
    await idempotency.complete(scope, 'key-1', answer);
    const replay = await idempotency.begin(scope, 'key-1', 'hash-a');
    const reused = await idempotency.begin(scope, 'key-1', 'hash-b').catch((e: unknown) => e);

    // Assess
    expect(first).toEqual({ kind: 'fresh' });
    expect(concurrent).toBeInstanceOf(InProgressError);
    expect(replay).toEqual({ kind: 'replay', answer });
    expect(reused).toBeInstanceOf(DomainError);
    expect((reused as DomainError).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('lets a key run again once released, or once its run went stale', async () => {
    // Prepare
    const { idempotency, clock } = subject.ports();
    const scope = unique('scope');
    await idempotency.begin(scope, 'released', 'h');
    await idempotency.begin(scope, 'stale', 'h');

    // Act
    await idempotency.release(scope, 'released');
    const afterRelease = await idempotency.begin(scope, 'released', 'other');
    clock.advance(STALE_IN_PROGRESS_MS + 1);
    const afterStale = await idempotency.begin(scope, 'stale', 'h');

    // Assess
    expect([afterRelease, afterStale]).toEqual([{ kind: 'fresh' }, { kind: 'fresh' }]);
  });

  it('scopes keys: the same key in another scope is another request', async () => {
    // Prepare
    const { idempotency } = subject.ports();
    const [a, b] = [unique('a'), unique('b')];
    await idempotency.begin(a, 'key', 'h');
    await idempotency.complete(a, 'key', answer);

    // Act
    const other = await idempotency.begin(b, 'key', 'other-hash');

    // Assess
    expect(other).toEqual({ kind: 'fresh' });
  });

  it('does not make a record again when completing one that is gone (expired or erased)', async () => {
    // Prepare
    const { idempotency } = subject.ports();
    const scope = unique('scope');
    await idempotency.begin(scope, 'gone', 'h');
    await idempotency.release(scope, 'gone');

    // Act
    await idempotency.complete(scope, 'gone', answer);
    const next = await idempotency.begin(scope, 'gone', 'another-hash');

    // Assess: a fresh run, not IDEMPOTENCY_KEY_REUSED against a record with no hash.
    expect(next).toEqual({ kind: 'fresh' });
  });
});

describe.each(subjects())('LinkStateStore contract: $name', (subject) => {
  beforeAll(() => subject.setUp());

  const state = (customerId: string, createdAt: number, extra = {}) => ({
    customerId,
    returnUrl: 'https://bank.example/back',
    createdAt,
    expiresAt: createdAt + 30 * 60_000,
    ...extra,
  });

  it('saves a state once and gives it to one consumer only', async () => {
    // Prepare
    const { linkStates } = subject.ports();
    const hash = unique('hash');
    const customerId = unique('c');

    // Act
    await linkStates.save(hash, state(customerId, START, { claimAccount: true }));
    const again = await linkStates.save(hash, state(customerId, START)).then(
      () => 'saved',
      (e: { name?: string }) => e.name,
    );
    const [first, second] = [await linkStates.consume(hash), await linkStates.consume(hash)];

    // Assess
    expect(again).toBe('ConditionalCheckFailedException');
    expect(first).toEqual(state(customerId, START, { claimAccount: true }));
    expect(second).toBeUndefined();
  });

  it("finds the customer's latest stored state, expired or not", async () => {
    // Prepare
    const { linkStates } = subject.ports();
    const customerId = unique('c');
    await linkStates.save(unique('h'), state(customerId, START - 60 * 60_000));
    await linkStates.save(unique('h'), state(customerId, START, { claimAccount: true }));
    await linkStates.save(unique('h'), state(unique('other'), START + 1));

    // Act
    const latest = await linkStates.latestFor(customerId);

    // Assess
    expect(latest).toEqual(state(customerId, START, { claimAccount: true }));
    expect(await linkStates.latestFor(unique('nobody'))).toBeUndefined();
  });
});

describe.each(subjects())('KycReviewStore contract: $name', (subject) => {
  beforeAll(() => subject.setUp());

  it('keeps what a save does not name, the first createdAt, and only newer statuses', async () => {
    // Prepare
    const { kycReviews, clock } = subject.ports();
    const customerId = unique('c');
    const trigger = { type: 'QUOTE', id: 'q-1' } as const;
    await kycReviews.save(
      customerId,
      7,
      'r-1',
      { trigger, redirectUrl: 'https://bank.example/kyc' },
      { status: 'WAITING_CUSTOMER_INPUT', asOf: START + 100 },
    );
    clock.advance(1_000);

    // Act
    const older = await kycReviews.save(
      customerId,
      7,
      'r-1',
      { linkExpiresAt: START + 60_000, createdAt: '2020-01-01T00:00:00.000Z' },
      { status: 'NEW', asOf: START },
    );
    const newer = await kycReviews.save(
      customerId,
      7,
      'r-1',
      {},
      { status: 'PASSED_WITH_REQUIREMENTS', asOf: START + 200, requiredBy: '2026-04-01T00:00:00' },
    );

    // Assess
    expect(older).toEqual({
      reviewId: 'r-1',
      profileId: 7,
      status: 'WAITING_CUSTOMER_INPUT',
      statusOccurredAt: START + 100,
      trigger,
      redirectUrl: 'https://bank.example/kyc',
      linkExpiresAt: START + 60_000,
      createdAt: new Date(START).toISOString(),
      updatedAt: new Date(START + 1_000).toISOString(),
    });
    expect(newer).toMatchObject({
      status: 'PASSED_WITH_REQUIREMENTS',
      statusOccurredAt: START + 200,
      requiredBy: '2026-04-01T00:00:00.000Z',
    });
    expect(await kycReviews.get(customerId, 7, 'r-1')).toEqual(newer);
  });

  it("lists a profile's reviews newest first, and only that profile's", async () => {
    // Prepare
    const { kycReviews, clock } = subject.ports();
    const customerId = unique('c');
    await kycReviews.save(customerId, 7, 'old', {}, { status: 'PASSED', asOf: START });
    clock.advance(1_000);
    await kycReviews.save(customerId, 7, 'new', {}, { status: 'NEW', asOf: START + 1_000 });
    await kycReviews.save(customerId, 8, 'elsewhere', {}, { status: 'NEW', asOf: START + 1_000 });

    // Act
    const listed = await kycReviews.list(customerId, 7);

    // Assess
    expect(listed.map((r) => r.reviewId)).toEqual(['new', 'old']);
    expect(await kycReviews.get(customerId, 7, 'elsewhere')).toBeUndefined();
  });

  it('gives a review first saved without a status the status NEW', async () => {
    // Prepare
    const { kycReviews } = subject.ports();
    const customerId = unique('c');

    // Act
    const saved = await kycReviews.save(customerId, 7, 'r', { redirectUrl: 'https://bank.example/kyc' });

    // Assess
    expect(saved.status).toBe('NEW');
    expect(saved).not.toHaveProperty('statusOccurredAt');
  });
});

describe.each(subjects())('WebhookEventStore contract: $name', (subject) => {
  beforeAll(() => subject.setUp());

  it('records the first copy of an event; later copies get that record back', async () => {
    // Prepare
    const { webhookEvents } = subject.ports();
    const dedupKey = unique('event');
    const event = {
      dedupKey,
      eventType: 'profiles#verification-state-change',
      status: 'APPLIED' as const,
      customerId: 'c-1',
      resourceId: '42',
      occurredAt: START - 5,
    };

    // Act
    const first = await webhookEvents.record(event, budget());
    const copy = await webhookEvents.record({ ...event, status: 'UNMATCHED', deliveryId: 'd-2' }, budget());

    // Assess
    expect(first).toEqual({ kind: 'new' });
    const stored = { ...event, receivedAt: START, expiresAt: Math.floor(START / 1000) + 30 * 24 * 60 * 60 };
    expect(copy).toEqual({ kind: 'existing', event: stored });
    expect(await webhookEvents.get(dedupKey)).toEqual(stored);
  });

  it('keeps a payload only up to the kept size', async () => {
    // Prepare
    const { webhookEvents } = subject.ports();
    const [small, large] = [unique('small'), unique('large')];

    // Act
    await webhookEvents.record(
      { dedupKey: small, eventType: 'x', status: 'IGNORED', payload: '{"a":1}' },
      budget(),
    );
    await webhookEvents.record(
      { dedupKey: large, eventType: 'x', status: 'IGNORED', payload: 'x'.repeat(MAX_KEPT_PAYLOAD_BYTES + 1) },
      budget(),
    );

    // Assess
    expect((await webhookEvents.get(small))?.payload).toBe('{"a":1}');
    expect(await webhookEvents.get(large)).not.toHaveProperty('payload');
    expect(await webhookEvents.get(unique('never'))).toBeUndefined();
  });
});
