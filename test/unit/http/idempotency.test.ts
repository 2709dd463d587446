import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalCipher } from '../../../shared/adapters/local-cipher';
import { StaticIdentityKey } from '../../../shared/adapters/identity-key';
import {
  isRetryableAnswer,
  ReplayedAnswers,
  STORED_ANSWER_PURPOSE,
  type ReplayRequest,
} from '../../../shared/http/idempotency';
import type { Answer } from '../../../shared/http/operation';
import { customerContext } from '../../../shared/ports/cipher';
import { InMemoryIdempotencyStore, ManualClock } from '../../support/fakes';

const request = (overrides: Partial<ReplayRequest> = {}): ReplayRequest => ({
  customerId: 'alice',
  routeKey: 'POST /v1/customers/{customerId}/wise-account/business-profiles',
  path: '/v1/customers/alice/wise-account/business-profiles',
  body: Buffer.from('{"businessName":"Alice Ltd"}'),
  idempotencyKey: 'key-1',
  ...overrides,
});

const setup = () => {
  const store = new InMemoryIdempotencyStore(new ManualClock(Date.UTC(2026, 0, 1)));
  const cipher = new LocalCipher(randomBytes(32));
  const digestKey = new StaticIdentityKey();
  return { store, cipher, digestKey, replays: new ReplayedAnswers(store, { digestKey, cipher }) };
};

/** Runs one request through the protocol: the replayed answer, or `answer` (then finished). */
const through = async (replays: ReplayedAnswers, req: ReplayRequest, answer: Answer): Promise<Answer> => {
  const replay = await replays.begin(req);
  if (replay.kind === 'replay') return replay.answer;
  await replay.finish(answer);
  return answer;
};

const profile: Answer = {
  status: 201,
  body: { profile: { id: 7, businessName: 'Alice Ltd', registrationNumber: '0123' } },
};

describe('ReplayedAnswers', () => {
  it('stores only keyed digests and a sealed answer, and replays the answer whole', async () => {
    // Prepare
    const { store, replays } = setup();

    // Act
    await through(replays, request(), profile);
    const replayed = await through(replays, request(), { status: 500 });

    // Assess
    expect(replayed).toEqual(profile);
    const [[id, record]] = [...store.records] as [
      [string, typeof store.records extends Map<string, infer R> ? R : never],
    ];
    const atRest = JSON.stringify({ id, record });
    for (const secret of ['Alice Ltd', '0123', 'key-1', 'businessName']) expect(atRest).not.toContain(secret);
    expect(record.requestHash).toMatch(/^hmac-sha256:v1:[A-Za-z0-9_-]{43}$/);
  });

  it('makes other digests under another key: without the stack key the hash cannot be recomputed', async () => {
    // Prepare
    const a = setup();
    const b = setup();

    // Act
    const [da, db] = await Promise.all([a.replays.digests(request()), b.replays.digests(request())]);

    // Assess
    expect(da.requestHash).not.toBe(db.requestHash);
    expect(da.recordKey).not.toBe(db.recordKey);
  });

  it("binds the record to the customer and the route: another customer's same key and body is another request", async () => {
    // Prepare
    const { replays } = setup();
    await through(replays, request(), profile);

    // Act
    const bob = await replays.begin(request({ customerId: 'bob' }));
    const otherRoute = await replays.begin(
      request({ routeKey: 'POST /v1/customers/{customerId}/wise-link' }),
    );

    // Assess
    expect([bob.kind, otherRoute.kind]).toEqual(['fresh', 'fresh']);
  });

  it("seals the answer's data key under the customer's encryption context", async () => {
    // Prepare
    const { store, cipher, replays } = setup();
    await through(replays, request(), profile);
    const [, record] = [...store.records][0]!;
    const wrapped = (JSON.parse(record.answer!) as { sealed: string }).sealed.split('.')[1]!;

    // Act + Assess
    await expect(
      cipher.decrypt(wrapped, customerContext('alice', STORED_ANSWER_PURPOSE)),
    ).resolves.toBeTruthy();
    await expect(cipher.decrypt(wrapped, customerContext('bob', STORED_ANSWER_PURPOSE))).rejects.toThrow();
  });

  it('runs the request again when a stored answer no longer opens (moved onto another record, or the key changed)', async () => {
    // Prepare: record A's sealed answer copied onto record B.
    const { store, replays } = setup();
    await through(replays, request({ idempotencyKey: 'a' }), profile);
    await through(replays, request({ idempotencyKey: 'b' }), { status: 201, body: { profile: { id: 8 } } });
    const records = [...store.records.values()];
    records[1]!.answer = records[0]!.answer;

    // Act
    const again = await replays.begin(request({ idempotencyKey: 'b' }));

    // Assess
    expect(again.kind).toBe('fresh');
  });

  it.each([
    ['409 IN_PROGRESS', { status: 409, body: { code: 'IN_PROGRESS' }, headers: { 'Retry-After': '1' } }],
    [
      '409 KYC_REVIEW_IN_PROGRESS',
      { status: 409, body: { code: 'KYC_REVIEW_IN_PROGRESS' }, headers: { 'retry-after': '2' } },
    ],
    ['429', { status: 429, body: { code: 'TOO_MANY_ATTEMPTS' } }],
    ['500', { status: 500, body: { code: 'INTERNAL_ERROR' } }],
    ['503', { status: 503, body: { code: 'WISE_UNAVAILABLE' }, headers: { 'Retry-After': '5' } }],
  ])('never stores a retryable answer (%s): the retry runs again', async (_name, retryable) => {
    // Prepare
    const { store, replays } = setup();

    // Act
    await through(replays, request(), retryable as Answer);
    const retry = await replays.begin(request());

    // Assess
    expect(isRetryableAnswer(retryable as Answer)).toBe(true);
    expect(retry.kind).toBe('fresh');
    expect(store.records.size).toBe(1);
  });

  it('stores a refusal (4xx without Retry-After) and a failure without an answer leaves no record', async () => {
    // Prepare
    const { store, replays } = setup();
    const refusal: Answer = { status: 422, body: { code: 'DOCUMENT_REJECTED' }, headers: {} };

    // Act
    await through(replays, request({ idempotencyKey: 'refused' }), refusal);
    const failed = await replays.begin(request({ idempotencyKey: 'crashed' }));
    if (failed.kind === 'fresh') await failed.finish(undefined);

    // Assess
    expect(isRetryableAnswer(refusal)).toBe(false);
    expect(await through(replays, request({ idempotencyKey: 'refused' }), { status: 500 })).toEqual(refusal);
    expect(store.records.size).toBe(1);
  });
});
