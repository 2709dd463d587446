import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLease } from '../../../shared/adapters/dynamodb/lease';
import { kycCreationLease } from '../../../shared/ports/kyc-reviews';
import { startTestStack, type CallResult, type TestStack } from '../../support/stack';
import { customerWithProfile, quoteFor, type CustomerWithProfile } from './customer';

let t: TestStack;
let returnUrl: string;

/** Long enough that, without the lease, every one of five simultaneous calls lists Wise before any creates. */
const SLOW_CREATE_MS = 1_000;
/** Longer than a waiting call's bounded wait (~2.5 s): a call serialised behind it would answer 409. */
const SLOWER_THAN_THE_WAIT_MS = 3_000;

const reviewsPath = (c: CustomerWithProfile) =>
  `/v1/customers/${c.customerId}/wise-account/profiles/${c.profileId}/kyc-reviews`;

const createReview = (c: CustomerWithProfile, trigger: unknown) =>
  t.call('POST', reviewsPath(c), { as: c.customerId, body: { trigger, redirectUrl: returnUrl } });

/** The profile's KYC reviews as the simulator (Wise) holds them. */
const reviewsAtWise = async (c: CustomerWithProfile): Promise<{ id: string; profileId: number }[]> =>
  ((await t.sim_('GET', '/_sim/state')).body.kycReviews as { id: string; profileId: number }[]).filter(
    (r) => r.profileId === c.profileId,
  );

/** Makes Wise slow to create a review for this profile (the list and link calls stay fast). */
const slowReviewCreation = async (c: CustomerWithProfile, delayMs: number) => {
  const res = await t.sim_('POST', '/_sim/faults', {
    method: 'POST',
    path: `/v1/profiles/${c.profileId}/kyc-reviews`,
    delayMs,
  });
  if (res.status !== 201) throw new Error(`fault not injected: ${res.status} ${res.text}`);
};

/** The creation lease item, exactly as the table holds it (layout: docs/CONTRIBUTING-NOTES.md). */
const leaseKey = (c: CustomerWithProfile, triggerKey: string) => ({
  pk: `CUSTOMER#${c.customerId}`,
  sk: `KYCCREATE#${c.profileId}#${triggerKey}`,
});

const leaseItem = async (c: CustomerWithProfile, triggerKey: string) => {
  const { table } = t.stack.deps['kyc-reviews'];
  return (
    await table.db.send(
      new GetCommand({ TableName: table.name, Key: leaseKey(c, triggerKey), ConsistentRead: true }),
    )
  ).Item;
};

/** What a crashed invocation leaves behind: its lease, never released. */
const leaveCrashedLease = async (c: CustomerWithProfile, triggerKey: string, leaseUntil: number) => {
  const { table } = t.stack.deps['kyc-reviews'];
  await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...leaseKey(c, triggerKey),
        leaseOwner: 'crashed-invocation',
        leaseUntil,
        expiresAt: Math.ceil(leaseUntil / 1000),
      },
    }),
  );
};

/** Every answer is 201/200 or a clean 409 KYC_REVIEW_IN_PROGRESS; all the 2xx name one review, created once. */
const expectOneReviewAnswered = (answers: CallResult[]): string => {
  for (const answer of answers) {
    if (answer.status === 409) {
      expect(answer.body.code).toBe('KYC_REVIEW_IN_PROGRESS');
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    } else {
      expect([200, 201], answer.text).toContain(answer.status);
    }
  }
  const served = answers.filter((a) => a.status < 300);
  expect(served.length).toBeGreaterThan(0);
  expect(served.filter((a) => a.status === 201)).toHaveLength(1);
  const ids = new Set(served.map((a) => a.body.id as string));
  expect(ids.size).toBe(1);
  return [...ids][0]!;
};

beforeAll(async () => {
  t = await startTestStack();
  returnUrl = `http://localhost:${t.stack.gateway.port}/app/kyc-done`;
});

afterAll(async () => {
  await t?.close();
});

afterEach(async () => {
  await t.sim_('DELETE', '/_sim/faults');
});

describe('route 12: simultaneous requests without Idempotency-Key', () => {
  it('opens one review at Wise for five simultaneous requests for the same quote', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const quoteId = await quoteFor(t, c);
    await slowReviewCreation(c, SLOW_CREATE_MS);

    // Act
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => createReview(c, { type: 'QUOTE', id: quoteId })),
    );

    // Assess
    const reviewId = expectOneReviewAnswered(answers);
    expect((await reviewsAtWise(c)).map((r) => r.id)).toEqual([reviewId]);
    const listed = await t.call('GET', reviewsPath(c), { as: c.customerId });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([reviewId]);
    expect(await leaseItem(c, `QUOTE#${quoteId}`)).toBeUndefined();
  });

  it('opens one review at Wise for five simultaneous proactive requests', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    await slowReviewCreation(c, SLOW_CREATE_MS);

    // Act
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => createReview(c, { type: 'PROACTIVE_SEND_MONEY' })),
    );

    // Assess
    const reviewId = expectOneReviewAnswered(answers);
    expect((await reviewsAtWise(c)).map((r) => r.id)).toEqual([reviewId]);
    for (const answer of answers.filter((a) => a.status < 300)) {
      expect(answer.body.trigger).toEqual({ type: 'PROACTIVE_SEND_MONEY' });
      // Wise's new review is NEW for a few seconds and has no link yet (issue 19, item 1).
      expect(answer.body.link).toBeNull();
    }
    expect(await leaseItem(c, 'PROACTIVE_SEND_MONEY')).toBeUndefined();
  });

  it("answers 409 KYC_REVIEW_IN_PROGRESS behind a crashed holder's lease, and takes it over once it expires", async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const quoteId = await quoteFor(t, c);
    await leaveCrashedLease(c, `QUOTE#${quoteId}`, t.clock.now() + 30_000);

    // Act
    const behindLease = await createReview(c, { type: 'QUOTE', id: quoteId });
    const wiseAfterWait = await reviewsAtWise(c);
    t.clock.advance(30_001);
    const afterExpiry = await createReview(c, { type: 'QUOTE', id: quoteId });

    // Assess
    expect(behindLease.status).toBe(409);
    expect(behindLease.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(behindLease.headers.get('retry-after')).toBe('2');
    expect(behindLease.body).toMatchObject({ status: 409, code: 'KYC_REVIEW_IN_PROGRESS' });
    expect(behindLease.body.detail).toMatch(/being created by another request/);
    expect(wiseAfterWait).toEqual([]);
    expect(afterExpiry.status).toBe(201);
    expect(afterExpiry.body.trigger).toEqual({ type: 'QUOTE', id: quoteId });
    expect((await reviewsAtWise(c)).map((r) => r.id)).toEqual([afterExpiry.body.id]);
    expect(await leaseItem(c, `QUOTE#${quoteId}`)).toBeUndefined();
  });

  it('does not hold up a request for another trigger of the same profile', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const [first, second] = [await quoteFor(t, c), await quoteFor(t, c)];
    await slowReviewCreation(c, SLOWER_THAN_THE_WAIT_MS);

    // Act
    const answers = await Promise.all([
      createReview(c, { type: 'QUOTE', id: first }),
      createReview(c, { type: 'QUOTE', id: second }),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers.map((a) => a.body.trigger.id)).toEqual([first, second]);
    expect(answers[0]!.body.id).not.toBe(answers[1]!.body.id);
    expect((await reviewsAtWise(c)).map((r) => r.id).sort()).toEqual(
      answers.map((a) => a.body.id as string).sort(),
    );
  });

  it('gives the lease back when Wise refuses the quote, so the retry is answered at once', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const unknownQuote = randomUUID();

    // Act
    const refused = await createReview(c, { type: 'QUOTE', id: unknownQuote });
    const retried = await createReview(c, { type: 'QUOTE', id: unknownQuote });

    // Assess
    expect([refused.status, retried.status]).toEqual([404, 404]);
    expect([refused.body.code, retried.body.code]).toEqual(['QUOTE_NOT_FOUND', 'QUOTE_NOT_FOUND']);
    expect(await leaseItem(c, `QUOTE#${unknownQuote}`)).toBeUndefined();
  });
});

describe('the creation lease in DynamoDB', () => {
  it('has one holder, is released only by it, and is taken over once expired', async () => {
    // Prepare
    const deps = t.stack.deps['kyc-reviews'];
    const leases = new DynamoLease(deps.table, t.clock);
    const c = { customerId: `lease-${randomUUID().slice(0, 8)}`, profileId: 4242, userId: 0 };
    const lease = kycCreationLease(c.customerId, c.profileId, { type: 'PROACTIVE_SEND_MONEY' });

    // Act
    const holder = await leases.take(lease, 'holder', 30_000);
    const rival = await leases.take(lease, 'rival', 30_000);
    await leases.release(lease, 'rival');
    const afterRivalRelease = await leaseItem(c, 'PROACTIVE_SEND_MONEY');
    t.clock.advance(30_001);
    const successor = await leases.take(lease, 'successor', 30_000);
    await leases.release(lease, 'holder');
    const afterStaleRelease = await leaseItem(c, 'PROACTIVE_SEND_MONEY');
    await leases.release(lease, 'successor');

    // Assess
    expect([holder, rival, successor]).toEqual([true, false, true]);
    expect(afterRivalRelease).toMatchObject({ leaseOwner: 'holder' });
    expect(afterStaleRelease).toMatchObject({ leaseOwner: 'successor', leaseUntil: t.clock.now() + 30_000 });
    expect(afterStaleRelease?.expiresAt).toBe(Math.ceil((t.clock.now() + 30_000) / 1000));
    expect(await leaseItem(c, 'PROACTIVE_SEND_MONEY')).toBeUndefined();
  });
});
