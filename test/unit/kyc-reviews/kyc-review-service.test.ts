import { describe, expect, it } from 'vitest';
import {
  hostedLinkContext,
  KycReviewService,
  LINK_PURPOSE,
  type KycReviewServiceDeps,
} from '../../../functions/kyc-reviews/kyc-review-service';
import { customerContext, type Cipher } from '../../../shared/ports/cipher';
import type { WiseKycReview } from '../../../shared/ports/wise';
import { WiseApiError, WiseUnavailableError } from '../../../shared/wise/errors';
import {
  FakeWiseAccess,
  InMemoryAccountStore,
  InMemoryKycReviewStore,
  InMemoryLease,
  ManualClock,
} from '../../support/fakes';
import { problemOf } from '../../support/problems';
import { WISE_KYC_PATCH_EXAMPLE } from '../../support/wise-examples';

const CUSTOMER = 'cust-1';
const PROFILE = 30000001;
const REVIEW = '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8';
const QUOTE = '6f0c3a36-5a0e-4b5e-9a57-0d8f1c2b3a4d';
const RETURN = 'https://app.example.com/kyc/done';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Seals by prefixing the context: enough to prove which context was used, never plaintext at rest. */
const fakeCipher: Cipher = {
  encrypt: async (plain, ctx) => `sealed:${JSON.stringify(ctx)}:${Buffer.from(plain).toString('base64')}`,
  decrypt: async (sealed, ctx) => {
    const prefix = `sealed:${JSON.stringify(ctx)}:`;
    if (!sealed.startsWith(prefix)) throw new Error('wrong context');
    return Buffer.from(sealed.slice(prefix.length), 'base64').toString();
  },
};

const wiseReview = (overrides: Partial<WiseKycReview> = {}): WiseKycReview => ({
  id: REVIEW,
  status: 'WAITING_CUSTOMER_INPUT',
  triggerReferences: [{ type: 'QUOTE', triggerData: { id: QUOTE } }],
  ...overrides,
});

const setup = async () => {
  const clock = new ManualClock(T0);
  let linkCount = 0;
  const wise = new FakeWiseAccess()
    .on('listKycReviews', async () => [])
    .on('createKycReview', async () => wiseReview({ status: 'NEW' }))
    .on('setKycReviewRedirect', async () => {
      linkCount += 1;
      return wiseReview({
        link: {
          value: `https://wise.example/embedded-flows/verification?token=secret-${linkCount}`,
          expiresAt: new Date(clock.now() + 300_000).toISOString().replace('Z', ''),
        },
      });
    })
    .on('getKycReview', async () =>
      wiseReview({
        requirements: [[{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }]],
      }),
    );
  const reviews = new InMemoryKycReviewStore(clock);
  const accounts = new InMemoryAccountStore(clock);
  await accounts.putProfile(CUSTOMER, { id: PROFILE, type: 'PERSONAL' });
  const deps: KycReviewServiceDeps = {
    allowedReturnUrls: ['https://app.example.com/'],
    clock,
    cipher: fakeCipher,
    wiseAs: wise.wiseAsFn,
    accounts,
    reviews,
    lease: new InMemoryLease(clock),
  };
  return { service: new KycReviewService(deps), wise, reviews, clock };
};

/** The review as the store holds it. */
const storedReview = (reviews: InMemoryKycReviewStore) => reviews.get(CUSTOMER, PROFILE, REVIEW);

describe('KycReviewService.create', () => {
  it('creates, links and reads requirements, storing the link only sealed for this customer', async () => {
    // Prepare
    const { service, wise, reviews } = await setup();

    // Act
    const { created, review } = await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'QUOTE', id: QUOTE }, redirectUrl: RETURN },
      {},
    );

    // Assess
    expect(created).toBe(true);
    expect(wise.calls.filter((c) => c.method === 'createKycReview')).toEqual([
      {
        customerId: CUSTOMER,
        method: 'createKycReview',
        args: [PROFILE, { type: 'QUOTE', triggerData: { id: QUOTE } }],
      },
    ]);
    expect(review.link).toEqual({
      url: 'https://wise.example/embedded-flows/verification?token=secret-1',
      expiresAt: new Date(T0 + 300_000).toISOString(),
    });
    expect(review.requirements).toEqual([
      [{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }],
    ]);
    const stored = (await storedReview(reviews))!;
    expect(JSON.stringify(stored)).not.toContain('secret-1');
    // Bound to the customer and the review: it opens under neither another review's context nor the customer's alone.
    expect(await fakeCipher.decrypt(stored.linkCiphertext!, hostedLinkContext(CUSTOMER, REVIEW))).toContain(
      'secret-1',
    );
    await expect(
      fakeCipher.decrypt(stored.linkCiphertext!, hostedLinkContext(CUSTOMER, 'another-review')),
    ).rejects.toThrow();
    await expect(
      fakeCipher.decrypt(stored.linkCiphertext!, customerContext(CUSTOMER, LINK_PURPOSE)),
    ).rejects.toThrow();
  });

  it('refuses a redirect URL off the allowlist, and a foreign profile, before any Wise call', async () => {
    // Prepare
    const { service, wise } = await setup();

    // Act
    const offList = await problemOf(
      service.create(
        CUSTOMER,
        PROFILE,
        { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: 'https://app.example.com.evil.io/' },
        {},
      ),
    );
    const foreign = await problemOf(
      service.create(CUSTOMER, 42, { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN }, {}),
    );

    // Assess
    expect([offList.status, offList.code]).toEqual([400, 'RETURN_URL_NOT_ALLOWED']);
    expect([foreign.status, foreign.code]).toEqual([404, 'PROFILE_NOT_FOUND']);
    expect(wise.callsOf('listKycReviews')).toEqual([]);
    expect(wise.callsOf('createKycReview')).toEqual([]);
  });

  it("maps Wise's 404 for a quote trigger to QUOTE_NOT_FOUND", async () => {
    // Prepare
    const { service, wise } = await setup();
    wise.once('createKycReview', async () => {
      throw new WiseApiError(404, '/v1/profiles/{profileId}/kyc-reviews', { errors: [] });
    });

    // Act
    const problem = await problemOf(
      service.create(CUSTOMER, PROFILE, { trigger: { type: 'QUOTE', id: QUOTE }, redirectUrl: RETURN }, {}),
    );

    // Assess
    expect([problem.status, problem.code]).toEqual([404, 'QUOTE_NOT_FOUND']);
  });

  it('adopts a review Wise already holds for the trigger instead of creating a second one', async () => {
    // Prepare: an earlier attempt created it at Wise and died before recording it.
    const { service, wise, reviews } = await setup();
    wise.once('listKycReviews', async () => [wiseReview({ status: 'NEW' })]);

    // Act
    const { review } = await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'QUOTE', id: QUOTE }, redirectUrl: RETURN },
      {},
    );

    // Assess
    expect(review.id).toBe(REVIEW);
    expect(wise.callsOf('createKycReview')).toEqual([]);
    expect((await storedReview(reviews))?.trigger).toEqual({ type: 'QUOTE', id: QUOTE });
  });

  it('answers a repeat from the store while the link has more than 30 s left, and asks Wise once it has not', async () => {
    // Prepare
    const { service, wise, clock } = await setup();
    const input = { trigger: { type: 'QUOTE' as const, id: QUOTE }, redirectUrl: RETURN };
    const first = await service.create(CUSTOMER, PROFILE, input, {});
    clock.advance(300_000 - 31_000);

    // Act
    const early = await service.create(CUSTOMER, PROFILE, input, {});
    clock.advance(1_000);
    const late = await service.create(CUSTOMER, PROFILE, input, {});

    // Assess
    expect(early.created).toBe(false);
    expect(early.review.link).toEqual(first.review.link);
    expect(late.review.link?.url).toMatch(/secret-2$/);
    expect(wise.callsOf('setKycReviewRedirect')).toHaveLength(2);
    expect(wise.callsOf('createKycReview')).toHaveLength(1);
  });
});

describe("a link Wise has just issued (Wise's own PATCH example)", () => {
  it('is served for 5 minutes from the PATCH, though Wise prints expiresAt 56 ms after updatedAt', async () => {
    // Prepare: Wise answers the PATCH exactly as its API reference example does.
    const { service, wise } = await setup();
    wise.on(
      'setKycReviewRedirect',
      async () => structuredClone(WISE_KYC_PATCH_EXAMPLE) as unknown as WiseKycReview,
    );

    // Act
    const { review } = await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );
    const fresh = await service.link(CUSTOMER, PROFILE, REVIEW, {}, {});

    // Assess
    expect(review.link).toEqual({
      url: WISE_KYC_PATCH_EXAMPLE.link.value,
      expiresAt: new Date(T0 + 300_000).toISOString(),
    });
    expect(fresh).toEqual({
      url: WISE_KYC_PATCH_EXAMPLE.link.value,
      expiresAt: new Date(T0 + 300_000).toISOString(),
    });
  });
});

describe('KycReviewService.link', () => {
  it('always asks Wise for a new link, even while the stored one is good (its token may be spent)', async () => {
    // Prepare
    const { service, wise } = await setup();
    const { review } = await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );

    // Act
    const link = await service.link(CUSTOMER, PROFILE, REVIEW, {}, {});

    // Assess
    expect(review.link?.url).toMatch(/secret-1$/);
    expect(link.url).toMatch(/secret-2$/);
    expect(wise.callsOf('setKycReviewRedirect')).toHaveLength(2);
  });

  it('answers 409 KYC_LINK_UNAVAILABLE with Retry-After while the review is still NEW', async () => {
    // Prepare: Wise shows no link while NEW (only in WAITING_CUSTOMER_INPUT)
    const { service, wise } = await setup();
    wise.on('setKycReviewRedirect', async () => wiseReview({ status: 'NEW' }));
    const { review } = await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );

    // Act
    const problem = await problemOf(service.link(CUSTOMER, PROFILE, REVIEW, {}, {}));

    // Assess
    expect(review.link).toBeNull();
    expect([problem.status, problem.code, problem.retryAfterSeconds]).toEqual([
      409,
      'KYC_LINK_UNAVAILABLE',
      3,
    ]);
  });

  it('asks Wise for a fresh link when the stored one cannot be opened', async () => {
    // Prepare
    const { service, wise, reviews } = await setup();
    await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );
    await reviews.save(CUSTOMER, PROFILE, REVIEW, { linkCiphertext: 'tampered' });

    // Act
    const link = await service.link(CUSTOMER, PROFILE, REVIEW, {}, {});

    // Assess
    expect(link.url).toMatch(/secret-2$/);
    expect(wise.callsOf('setKycReviewRedirect')).toHaveLength(2);
  });

  it('answers 409 KYC_LINK_UNAVAILABLE when Wise gives no link', async () => {
    // Prepare
    const { service, wise, reviews } = await setup();
    await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );
    reviews.applyWebhookStatus(CUSTOMER, PROFILE, REVIEW, { status: 'PROCESSING', statusOccurredAt: T0 });
    wise.once('setKycReviewRedirect', async () => wiseReview({ status: 'PASSED' }));

    // Act
    const problem = await problemOf(service.link(CUSTOMER, PROFILE, REVIEW, {}, {}));

    // Assess
    expect([problem.status, problem.code]).toEqual([409, 'KYC_LINK_UNAVAILABLE']);
  });
});

describe('KycReviewService.get', () => {
  it('answers from the store while Wise is unavailable', async () => {
    // Prepare
    const { service, wise } = await setup();
    await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );
    wise.once('getKycReview', async () => {
      throw new WiseUnavailableError('/v2/profiles/{profileId}/kyc-reviews/{kycReviewId}', 2);
    });

    // Act
    const review = await service.get(CUSTOMER, PROFILE, REVIEW, {});

    // Assess
    expect(review).toMatchObject({ id: REVIEW, status: 'WAITING_CUSTOMER_INPUT' });
  });

  it('keeps a newer stored status over what an older read says', async () => {
    // Prepare
    const { service, reviews, clock } = await setup();
    await service.create(
      CUSTOMER,
      PROFILE,
      { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: RETURN },
      {},
    );
    reviews.applyWebhookStatus(CUSTOMER, PROFILE, REVIEW, {
      status: 'PASSED',
      statusOccurredAt: Math.floor(clock.now() / 1000) * 1000,
    });

    // Act: a read in the same second as the webhook's occurred_at.
    const review = await service.get(CUSTOMER, PROFILE, REVIEW, {});

    // Assess
    expect(review.status).toBe('PASSED');
  });
});
