import { describe, expect, it, vi } from 'vitest';
import {
  CREATION_LEASE_MS,
  CREATION_WAIT_POLL_MS,
  CREATION_WAIT_POLLS,
  KycReviewService,
  type KycReviewServiceDeps,
} from '../../../functions/kyc-reviews/kyc-review-service';
import type { KycReview, KycTrigger } from '../../../shared/domain/kyc/review';
import type { Cipher } from '../../../shared/ports/cipher';
import { kycCreationLease, kycCreationLeaseSk, kycTriggerKey } from '../../../shared/ports/kyc-reviews';
import type { WiseKycReview } from '../../../shared/ports/wise';
import { WiseApiError } from '../../../shared/wise/errors';
import {
  FakeWiseAccess,
  InMemoryAccountStore,
  InMemoryKycReviewStore,
  InMemoryLease,
  ManualClock,
} from '../../support/fakes';
import { problemOf } from '../../support/problems';

const CUSTOMER = 'cust-1';
const PROFILE = 30000001;
const REVIEW = '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8';
const QUOTE = '6f0c3a36-5a0e-4b5e-9a57-0d8f1c2b3a4d';
const RETURN = 'https://app.example.com/kyc/done';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const QUOTE_TRIGGER: KycTrigger = { type: 'QUOTE', id: QUOTE };

const plainCipher: Cipher = {
  encrypt: async (plain) => `sealed:${Buffer.from(plain).toString('base64')}`,
  decrypt: async (sealed) => Buffer.from(sealed.slice('sealed:'.length), 'base64').toString(),
};

const wiseReview = (overrides: Partial<WiseKycReview> = {}): WiseKycReview => ({
  id: REVIEW,
  status: 'WAITING_CUSTOMER_INPUT',
  triggerReferences: [{ type: 'QUOTE', triggerData: { id: QUOTE } }],
  ...overrides,
});

/** The creation lease of a trigger of the test's customer and profile. */
const leaseOf = (trigger: KycTrigger) => kycCreationLease(CUSTOMER, PROFILE, trigger);

const setup = async () => {
  const clock = new ManualClock(T0);
  const events: string[] = [];
  const wise = new FakeWiseAccess()
    .on('listKycReviews', async () => [])
    .on('createKycReview', async () => {
      events.push('create');
      return wiseReview({ status: 'NEW' });
    })
    .on('setKycReviewRedirect', async () => {
      events.push('link');
      return wiseReview({
        link: {
          value: 'https://wise.example/embedded-flows/verification?token=secret',
          expiresAt: new Date(clock.now() + 300_000).toISOString().replace('Z', ''),
        },
      });
    })
    .on('getKycReview', async () => wiseReview());
  const reviews = new InMemoryKycReviewStore(clock);
  const accounts = new InMemoryAccountStore(clock);
  await accounts.putProfile(CUSTOMER, { id: PROFILE, type: 'PERSONAL' });
  const lease = new InMemoryLease(clock);
  // What other requests do to the lease, unrecorded; this request's own calls are spied on.
  const takeAs = lease.take.bind(lease);
  const giveBack = lease.release.bind(lease);
  const take = vi.spyOn(lease, 'take');
  const release = vi.spyOn(lease, 'release').mockImplementation(async (spec, owner) => {
    events.push('release');
    await giveBack(spec, owner);
  });
  const sleeps: number[] = [];
  /** Each wait is one poll; `duringWait` plays what another request does meanwhile. */
  let duringWait: (poll: number) => void | Promise<void> = () => undefined;
  const deps: KycReviewServiceDeps = {
    allowedReturnUrls: ['https://app.example.com/'],
    clock,
    cipher: plainCipher,
    wiseAs: wise.wiseAsFn,
    accounts,
    reviews,
    lease,
    sleep: async (ms) => {
      sleeps.push(ms);
      await duringWait(sleeps.length);
    },
  };
  return {
    service: new KycReviewService(deps),
    wise,
    reviews,
    leases: {
      take,
      release,
      /** Another request holds the lease for this trigger. */
      holdForOther: (trigger: KycTrigger) => takeAs(leaseOf(trigger), 'other', CREATION_LEASE_MS),
      /** The other request gives the lease back (its create failed). */
      releaseByOther: (trigger: KycTrigger) => giveBack(leaseOf(trigger), 'other'),
      holder: (trigger: KycTrigger) => lease.holder(leaseOf(trigger)),
      /** How many lease items remain (a standalone lease is deleted when released). */
      held: () => lease.items.size,
    },
    sleeps,
    events,
    onWait: (fn: typeof duringWait) => {
      duringWait = fn;
    },
  };
};

const create = (
  service: KycReviewService,
  trigger: KycTrigger = QUOTE_TRIGGER,
  options: { deadline?: number } = {},
) => service.create(CUSTOMER, PROFILE, { trigger, redirectUrl: RETURN }, options);

describe('the creation lease key', () => {
  it('names the trigger: a quote by its id in lower case, a proactive review by its type', () => {
    // Act
    const keys = [
      kycTriggerKey({ type: 'QUOTE', id: QUOTE.toUpperCase() }),
      kycTriggerKey({ type: 'PROACTIVE_SEND_MONEY' }),
      kycCreationLeaseSk(PROFILE, QUOTE_TRIGGER),
    ];

    // Assess
    expect(keys).toEqual([`QUOTE#${QUOTE}`, 'PROACTIVE_SEND_MONEY', `KYCCREATE#${PROFILE}#QUOTE#${QUOTE}`]);
    expect(kycCreationLeaseSk(PROFILE, QUOTE_TRIGGER).startsWith(`KYC#${PROFILE}#`)).toBe(false);
  });
});

describe('KycReviewService.create under the creation lease', () => {
  it('creates under the lease and gives it back as soon as the review is recorded, before the link', async () => {
    // Prepare
    const { service, leases, events, sleeps } = await setup();

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(true);
    expect(review.id).toBe(REVIEW);
    expect(leases.take).toHaveBeenCalledWith(
      {
        key: { pk: `CUSTOMER#${CUSTOMER}`, sk: kycCreationLeaseSk(PROFILE, QUOTE_TRIGGER) },
        standalone: true,
      },
      expect.any(String),
      CREATION_LEASE_MS,
    );
    expect(events).toEqual(['create', 'release', 'link']);
    expect(leases.held()).toBe(0);
    expect(sleeps).toEqual([]);
  });

  it('gives the lease back when Wise refuses the trigger, so a retry does not wait', async () => {
    // Prepare
    const { service, wise, leases } = await setup();
    wise.once('createKycReview', async () => {
      throw new WiseApiError(404, '/v1/profiles/{profileId}/kyc-reviews', {});
    });

    // Act
    const refused = await problemOf(create(service));

    // Assess
    expect(refused.code).toBe('QUOTE_NOT_FOUND');
    expect(leases.release).toHaveBeenCalledTimes(1);
    expect(leases.held()).toBe(0);
  });

  it("answers with the holder's review once it is recorded, without calling Wise to create", async () => {
    // Prepare
    const { service, wise, reviews, leases, sleeps, onWait } = await setup();
    await leases.holdForOther(QUOTE_TRIGGER);
    onWait(async (poll) => {
      if (poll === 3) {
        await reviews.save(
          CUSTOMER,
          PROFILE,
          REVIEW,
          { trigger: QUOTE_TRIGGER },
          { status: 'WAITING_CUSTOMER_INPUT', asOf: T0 },
        );
      }
    });

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(false);
    expect(review.id).toBe(REVIEW);
    expect(review.link?.url).toContain('embedded-flows/verification');
    expect(sleeps).toEqual([CREATION_WAIT_POLL_MS, CREATION_WAIT_POLL_MS, CREATION_WAIT_POLL_MS]);
    expect(wise.callsOf('listKycReviews')).toEqual([]);
    expect(wise.callsOf('createKycReview')).toEqual([]);
    expect(leases.holder(QUOTE_TRIGGER)?.owner).toBe('other');
  });

  it('answers 409 KYC_REVIEW_IN_PROGRESS with Retry-After after a bounded wait, never touching Wise', async () => {
    // Prepare
    const { service, wise, leases, sleeps } = await setup();
    await leases.holdForOther(QUOTE_TRIGGER);

    // Act
    const busy = await problemOf(create(service));

    // Assess
    expect(busy).toMatchObject({ status: 409, code: 'KYC_REVIEW_IN_PROGRESS', retryAfterSeconds: 2 });
    expect(sleeps).toEqual(Array.from({ length: CREATION_WAIT_POLLS }, () => CREATION_WAIT_POLL_MS));
    expect(CREATION_WAIT_POLLS * CREATION_WAIT_POLL_MS).toBeLessThanOrEqual(2_500);
    expect(wise.callsOf('listKycReviews')).toEqual([]);
    expect(wise.callsOf('createKycReview')).toEqual([]);
    expect(leases.release).not.toHaveBeenCalled();
  });

  it("does not wait past the request's deadline", async () => {
    // Prepare
    const { service, leases, sleeps } = await setup();
    await leases.holdForOther(QUOTE_TRIGGER);

    // Act
    const busy = await problemOf(
      create(service, QUOTE_TRIGGER, { deadline: Date.now() + CREATION_WAIT_POLL_MS / 2 }),
    );

    // Assess
    expect(busy.code).toBe('KYC_REVIEW_IN_PROGRESS');
    expect(sleeps).toEqual([]);
  });

  it('takes over when the holder gives up without recording a review, and creates it', async () => {
    // Prepare
    const { service, wise, leases, onWait } = await setup();
    await leases.holdForOther(QUOTE_TRIGGER);
    onWait(async (poll) => {
      if (poll === 2) await leases.releaseByOther(QUOTE_TRIGGER); // the holder's create failed; it released the lease
    });

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(true);
    expect(review.id).toBe(REVIEW);
    expect(wise.callsOf('createKycReview')).toHaveLength(1);
    expect(leases.held()).toBe(0);
  });

  it('answers the stored review when it was recorded between the first read and the lease', async () => {
    // Prepare
    const { service, wise, reviews, leases } = await setup();
    const recorded: KycReview = {
      reviewId: REVIEW,
      profileId: PROFILE,
      status: 'WAITING_CUSTOMER_INPUT',
      trigger: QUOTE_TRIGGER,
    };
    vi.spyOn(reviews, 'list').mockResolvedValueOnce([]).mockResolvedValueOnce([recorded]);

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(false);
    expect(review.id).toBe(REVIEW);
    expect(wise.callsOf('createKycReview')).toEqual([]);
    expect(leases.release).toHaveBeenCalledTimes(1);
    expect(leases.held()).toBe(0);
  });

  it('serialises per trigger: another trigger of the same profile is not held up', async () => {
    // Prepare
    const { service, wise, leases, sleeps } = await setup();
    await leases.holdForOther(QUOTE_TRIGGER);
    wise.once('createKycReview', async () =>
      wiseReview({ triggerReferences: [{ type: 'PROACTIVE_SEND_MONEY' }] }),
    );

    // Act
    const { created } = await create(service, { type: 'PROACTIVE_SEND_MONEY' });

    // Assess
    expect(created).toBe(true);
    expect(sleeps).toEqual([]);
    expect(wise.calls.filter((c) => c.method === 'createKycReview')).toEqual([
      { customerId: CUSTOMER, method: 'createKycReview', args: [PROFILE, { type: 'PROACTIVE_SEND_MONEY' }] },
    ]);
  });

  it('never fails a created review because the lease could not be given back', async () => {
    // Prepare
    const { service, leases } = await setup();
    leases.release.mockRejectedValue(
      Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }),
    );

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(true);
    expect(review.id).toBe(REVIEW);
    expect(leases.release).toHaveBeenCalledTimes(1);
  });
});
