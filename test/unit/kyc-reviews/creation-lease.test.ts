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
import { ManualClock } from '../../../shared/ports/clock';
import { kycCreationLeaseSk, kycTriggerKey } from '../../../shared/store/kyc-creation-lease-store';
import type { KycReviewFields, KycStatusObservation } from '../../../shared/store/kyc-review-store';
import { WiseApiError } from '../../../shared/wise/errors';
import type { WiseKycReview } from '../../../shared/wise/schemas';
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

/** Reviews in memory, keeping what each save says. */
const memoryReviews = () => {
  const items = new Map<string, KycReview>();
  return {
    items,
    get: vi.fn(async (_c: string, _p: number, id: string) => items.get(id)),
    list: vi.fn(async () => [...items.values()]),
    save: vi.fn(async (_c: string, profileId: number, reviewId: string, fields: KycReviewFields, observed?: KycStatusObservation) => {
      const after: KycReview = {
        ...(items.get(reviewId) ?? { reviewId, profileId, status: 'NEW' }),
        ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
        ...(observed ? { status: observed.status, statusOccurredAt: observed.asOf } : {}),
      };
      items.set(reviewId, after);
      return after;
    }),
  };
};

/** Leases in memory with the DynamoDB store's rule: taken when absent or expired; released only by the holder. */
const memoryLeases = (clock: ManualClock) => {
  const held = new Map<string, { owner: string; until: number }>();
  const keyOf = (c: string, p: number, t: KycTrigger) => `${c}/${kycCreationLeaseSk(p, t)}`;
  return {
    held,
    holdForOther: (trigger: KycTrigger) => held.set(keyOf(CUSTOMER, PROFILE, trigger), { owner: 'other', until: clock.now() + CREATION_LEASE_MS }),
    acquire: vi.fn(async (c: string, p: number, t: KycTrigger, owner: string, leaseMs: number) => {
      const current = held.get(keyOf(c, p, t));
      if (current && current.until >= clock.now()) return false;
      held.set(keyOf(c, p, t), { owner, until: clock.now() + leaseMs });
      return true;
    }),
    release: vi.fn(async (c: string, p: number, t: KycTrigger, owner: string) => {
      if (held.get(keyOf(c, p, t))?.owner === owner) held.delete(keyOf(c, p, t));
    }),
  };
};

const setup = () => {
  const clock = new ManualClock(T0);
  const events: string[] = [];
  const wise = {
    listKycReviews: vi.fn(async (): Promise<WiseKycReview[]> => []),
    createKycReview: vi.fn(async () => {
      events.push('create');
      return wiseReview({ status: 'NEW' });
    }),
    setKycReviewRedirect: vi.fn(async () => {
      events.push('link');
      return wiseReview({
        link: { value: 'https://wise.example/embedded-flows/verification?token=secret', expiresAt: new Date(clock.now() + 300_000).toISOString().replace('Z', '') },
      });
    }),
    getKycReview: vi.fn(async () => wiseReview()),
  };
  const reviews = memoryReviews();
  const leases = memoryLeases(clock);
  leases.release.mockImplementation(async (c, p, t, owner) => {
    events.push('release');
    if (leases.held.get(`${c}/${kycCreationLeaseSk(p, t)}`)?.owner === owner) leases.held.delete(`${c}/${kycCreationLeaseSk(p, t)}`);
  });
  const sleeps: number[] = [];
  /** Each wait is one poll; `duringWait` plays what another request does meanwhile. */
  let duringWait: (poll: number) => void | Promise<void> = () => undefined;
  const deps: KycReviewServiceDeps = {
    allowedReturnUrls: ['https://app.example.com/'],
    clock,
    cipher: plainCipher,
    wise,
    tokens: { withAccessToken: async (_c, call) => call('user-token') },
    accounts: { getProfile: async (_c, id) => (id === PROFILE ? { id, type: 'PERSONAL', verification: 'unknown' } : undefined) },
    reviews,
    creationLeases: leases,
    sleep: async (ms) => {
      sleeps.push(ms);
      await duringWait(sleeps.length);
    },
  };
  return {
    service: new KycReviewService(deps),
    wise,
    reviews,
    leases,
    sleeps,
    events,
    onWait: (fn: typeof duringWait) => {
      duringWait = fn;
    },
  };
};

const create = (service: KycReviewService, trigger: KycTrigger = QUOTE_TRIGGER, options: { deadline?: number } = {}) =>
  service.create(CUSTOMER, PROFILE, { trigger, redirectUrl: RETURN }, options);

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
    const { service, leases, events, sleeps } = setup();

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(true);
    expect(review.id).toBe(REVIEW);
    expect(leases.acquire).toHaveBeenCalledWith(CUSTOMER, PROFILE, QUOTE_TRIGGER, expect.any(String), CREATION_LEASE_MS);
    expect(events).toEqual(['create', 'release', 'link']);
    expect(leases.held.size).toBe(0);
    expect(sleeps).toEqual([]);
  });

  it('gives the lease back when Wise refuses the trigger, so a retry does not wait', async () => {
    // Prepare
    const { service, wise, leases } = setup();
    wise.createKycReview.mockRejectedValueOnce(new WiseApiError(404, '/v1/profiles/{profileId}/kyc-reviews', {}));

    // Act
    const refused = await problemOf(create(service));

    // Assess
    expect(refused.code).toBe('QUOTE_NOT_FOUND');
    expect(leases.release).toHaveBeenCalledTimes(1);
    expect(leases.held.size).toBe(0);
  });

  it('answers with the holder\'s review once it is recorded, without calling Wise to create', async () => {
    // Prepare
    const { service, wise, reviews, leases, sleeps, onWait } = setup();
    leases.holdForOther(QUOTE_TRIGGER);
    onWait(async (poll) => {
      if (poll === 3) await reviews.save(CUSTOMER, PROFILE, REVIEW, { trigger: QUOTE_TRIGGER }, { status: 'WAITING_CUSTOMER_INPUT', asOf: T0 });
    });

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(false);
    expect(review.id).toBe(REVIEW);
    expect(review.link?.url).toContain('embedded-flows/verification');
    expect(sleeps).toEqual([CREATION_WAIT_POLL_MS, CREATION_WAIT_POLL_MS, CREATION_WAIT_POLL_MS]);
    expect(wise.listKycReviews).not.toHaveBeenCalled();
    expect(wise.createKycReview).not.toHaveBeenCalled();
    expect(leases.held.get(`${CUSTOMER}/${kycCreationLeaseSk(PROFILE, QUOTE_TRIGGER)}`)?.owner).toBe('other');
  });

  it('answers 409 KYC_REVIEW_IN_PROGRESS with Retry-After after a bounded wait, never touching Wise', async () => {
    // Prepare
    const { service, wise, leases, sleeps } = setup();
    leases.holdForOther(QUOTE_TRIGGER);

    // Act
    const busy = await problemOf(create(service));

    // Assess
    expect(busy).toMatchObject({ status: 409, code: 'KYC_REVIEW_IN_PROGRESS', headers: { 'Retry-After': '2' } });
    expect(sleeps).toEqual(Array.from({ length: CREATION_WAIT_POLLS }, () => CREATION_WAIT_POLL_MS));
    expect(CREATION_WAIT_POLLS * CREATION_WAIT_POLL_MS).toBeLessThanOrEqual(2_500);
    expect(wise.listKycReviews).not.toHaveBeenCalled();
    expect(wise.createKycReview).not.toHaveBeenCalled();
    expect(leases.release).not.toHaveBeenCalled();
  });

  it('does not wait past the request\'s deadline', async () => {
    // Prepare
    const { service, leases, sleeps } = setup();
    leases.holdForOther(QUOTE_TRIGGER);

    // Act
    const busy = await problemOf(create(service, QUOTE_TRIGGER, { deadline: Date.now() + CREATION_WAIT_POLL_MS / 2 }));

    // Assess
    expect(busy.code).toBe('KYC_REVIEW_IN_PROGRESS');
    expect(sleeps).toEqual([]);
  });

  it('takes over when the holder gives up without recording a review, and creates it', async () => {
    // Prepare
    const { service, wise, leases, onWait } = setup();
    leases.holdForOther(QUOTE_TRIGGER);
    onWait((poll) => {
      if (poll === 2) leases.held.clear(); // the holder's create failed; it released the lease
    });

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(true);
    expect(review.id).toBe(REVIEW);
    expect(wise.createKycReview).toHaveBeenCalledTimes(1);
    expect(leases.held.size).toBe(0);
  });

  it('answers the stored review when it was recorded between the first read and the lease', async () => {
    // Prepare
    const { service, wise, reviews, leases } = setup();
    const recorded: KycReview = { reviewId: REVIEW, profileId: PROFILE, status: 'WAITING_CUSTOMER_INPUT', trigger: QUOTE_TRIGGER };
    reviews.list.mockResolvedValueOnce([]).mockResolvedValueOnce([recorded]);

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(false);
    expect(review.id).toBe(REVIEW);
    expect(wise.createKycReview).not.toHaveBeenCalled();
    expect(leases.release).toHaveBeenCalledTimes(1);
    expect(leases.held.size).toBe(0);
  });

  it('serialises per trigger: another trigger of the same profile is not held up', async () => {
    // Prepare
    const { service, wise, leases, sleeps } = setup();
    leases.holdForOther(QUOTE_TRIGGER);
    wise.createKycReview.mockResolvedValueOnce(wiseReview({ triggerReferences: [{ type: 'PROACTIVE_SEND_MONEY' }] }));

    // Act
    const { created } = await create(service, { type: 'PROACTIVE_SEND_MONEY' });

    // Assess
    expect(created).toBe(true);
    expect(sleeps).toEqual([]);
    expect(wise.createKycReview).toHaveBeenCalledWith('user-token', PROFILE, { type: 'PROACTIVE_SEND_MONEY' }, {});
  });

  it('never fails a created review because the lease could not be given back', async () => {
    // Prepare
    const { service, leases } = setup();
    leases.release.mockRejectedValue(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    // Act
    const { created, review } = await create(service);

    // Assess
    expect(created).toBe(true);
    expect(review.id).toBe(REVIEW);
    expect(leases.release).toHaveBeenCalledTimes(1);
  });
});
