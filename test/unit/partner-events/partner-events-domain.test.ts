import { describe, expect, it } from 'vitest';
import {
  accessOfGrants,
  affectsAccess,
  partnerEventsOf,
  sameAccess,
  type ItemChange,
} from '../../../shared/domain/partner-events';
import { partnerEventTypes } from '../../../shared/ports/partner-events';

const AT = Date.parse('2026-03-01T10:00:00Z');
const pk = 'CUSTOMER#c-1';
const change = (
  sk: string,
  oldImage?: Record<string, unknown>,
  newImage?: Record<string, unknown>,
): ItemChange => ({
  pk,
  sk,
  oldImage,
  newImage,
  at: AT,
});

describe('partnerEventsOf: account status', () => {
  it('announces a new account as a change from NONE', () => {
    // Act
    const [event, ...rest] = partnerEventsOf(
      change('ACCOUNT', undefined, { status: 'CREATING', updatedAt: '2026-03-01T10:00:00.000Z' }),
    );

    // Assess
    expect(rest).toEqual([]);
    expect(event).toEqual({
      detailType: partnerEventTypes.accountStatus,
      detail: expect.objectContaining({
        customerId: 'c-1',
        status: 'CREATING',
        previousStatus: 'NONE',
        occurredAt: '2026-03-01T10:00:00.000Z',
      }),
    });
  });

  it('announces a status change once, and nothing when only other fields change', () => {
    // Prepare
    const before = { status: 'CREATING', updatedAt: '2026-03-01T10:00:00.000Z' };

    // Act
    const changed = partnerEventsOf(
      change('ACCOUNT', before, { status: 'ACTIVE', updatedAt: '2026-03-01T10:00:01.000Z' }),
    );
    const same = partnerEventsOf(
      change('ACCOUNT', before, {
        status: 'CREATING',
        signupStep: 'USER_CREATED',
        updatedAt: '2026-03-01T10:00:02.000Z',
      }),
    );

    // Assess
    expect(changed.map((e) => e.detail)).toEqual([
      expect.objectContaining({ status: 'ACTIVE', previousStatus: 'CREATING' }),
    ]);
    expect(same).toEqual([]);
  });

  it('gives the same eventId to the same change (a redelivered record) and another to the next change', () => {
    // Prepare
    const first = change(
      'ACCOUNT',
      { status: 'LINKED', updatedAt: 'a' },
      { status: 'RELINK_REQUIRED', updatedAt: 'b' },
    );
    const next = change(
      'ACCOUNT',
      { status: 'RELINK_REQUIRED', updatedAt: 'b' },
      { status: 'LINKED', updatedAt: 'c' },
    );

    // Act
    const [a] = partnerEventsOf(first);
    const [again] = partnerEventsOf({ ...first });
    const [b] = partnerEventsOf(next);

    // Assess
    expect(a!.detail.eventId).toBe(again!.detail.eventId);
    expect(a!.detail.eventId).not.toBe(b!.detail.eventId);
    expect(a!.detail.eventId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('announces nothing for a removed item (erasure) or an item of no customer', () => {
    expect(partnerEventsOf(change('ACCOUNT', { status: 'LINKED' }, undefined))).toEqual([]);
    expect(
      partnerEventsOf({ ...change('EVENT', undefined, { status: 'RECEIVED' }), pk: 'WEBHOOK#x' }),
    ).toEqual([]);
  });
});

describe('partnerEventsOf: profile verification', () => {
  it('announces a verification change with the profile id and the time Wise gave', () => {
    // Act
    const events = partnerEventsOf(
      change(
        'PROFILE#42',
        { verification: 'unknown' },
        {
          verification: 'verified',
          verificationOccurredAt: AT,
          verificationUpdatedAt: '2026-03-01T10:00:00.000Z',
        },
      ),
    );

    // Assess
    expect(events).toEqual([
      {
        detailType: partnerEventTypes.profileVerification,
        detail: expect.objectContaining({
          profileId: 42,
          verification: 'verified',
          previousVerification: 'unknown',
          occurredAt: '2026-03-01T10:00:00.000Z',
        }),
      },
    ]);
  });

  it('says nothing of a new profile that is still unknown, nor of a write that keeps the verification', () => {
    expect(partnerEventsOf(change('PROFILE#42', undefined, { verification: 'unknown' }))).toEqual([]);
    expect(
      partnerEventsOf(
        change('PROFILE#42', { verification: 'verified' }, { verification: 'verified', gsi2pk: 'x' }),
      ),
    ).toEqual([]);
  });
});

describe('partnerEventsOf: KYC review status', () => {
  it('announces a new review from null and a status change from the previous status', () => {
    // Act
    const created = partnerEventsOf(
      change('KYC#42#rev-1', undefined, { status: 'NEW', statusOccurredAt: AT }),
    );
    const moved = partnerEventsOf(
      change('KYC#42#rev-1', { status: 'NEW' }, { status: 'PASSED', statusOccurredAt: AT + 1000 }),
    );

    // Assess
    expect(created.map((e) => e.detail)).toEqual([
      expect.objectContaining({ profileId: 42, reviewId: 'rev-1', status: 'NEW', previousStatus: null }),
    ]);
    expect(moved.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        status: 'PASSED',
        previousStatus: 'NEW',
        occurredAt: new Date(AT + 1000).toISOString(),
      }),
    ]);
  });

  it('ignores the creation lease items beside the reviews', () => {
    expect(partnerEventsOf(change('KYCCREATE#42#QUOTE#q', undefined, { status: 'x' }))).toEqual([]);
  });
});

describe('partnerEventsOf: profile access', () => {
  it('announces each profile whose published access changed, in profile order', () => {
    // Act
    const events = partnerEventsOf(
      change(
        'ACCOUNT',
        { status: 'LINKED', publishedAccess: { '7': 'GRANTED', '9': 'GRANTED' }, publishedAccessVersion: 1 },
        {
          status: 'LINKED',
          publishedAccess: JSON.stringify({ '9': 'RELINK_REQUIRED', '11': 'GRANTED' }),
          publishedAccessVersion: 2,
          publishedAccessAt: '2026-03-01T10:00:05.000Z',
        },
      ),
    );

    // Assess
    expect(events.map((e) => [e.detailType, e.detail])).toEqual([
      [
        partnerEventTypes.profileAccess,
        expect.objectContaining({ profileId: 7, access: 'NONE', previousAccess: 'GRANTED' }),
      ],
      [
        partnerEventTypes.profileAccess,
        expect.objectContaining({ profileId: 9, access: 'RELINK_REQUIRED', previousAccess: 'GRANTED' }),
      ],
      [
        partnerEventTypes.profileAccess,
        expect.objectContaining({
          profileId: 11,
          access: 'GRANTED',
          previousAccess: 'NONE',
          occurredAt: '2026-03-01T10:00:05.000Z',
        }),
      ],
    ]);
  });
});

describe('grant changes and access', () => {
  const grant = (profileIds: number[], extra: Record<string, unknown> = { ciphertext: 'c' }) => ({
    profileIds,
    version: 1,
    ...extra,
  });

  it('a token refresh does not touch access; a kept, refused, moved or deleted grant may', () => {
    expect(affectsAccess(change('GRANT#g', grant([1]), { ...grant([1]), version: 2 }))).toBe(false);
    expect(affectsAccess(change('GRANT#g', undefined, grant([1])))).toBe(true);
    expect(affectsAccess(change('GRANT#g', grant([1]), grant([1], { relinkRequired: true })))).toBe(true);
    expect(affectsAccess(change('GRANT#g', grant([1]), grant([1, 2])))).toBe(true);
    expect(affectsAccess(change('GRANT#g', grant([1]), undefined))).toBe(true);
    expect(affectsAccess(change('GRANT#g', undefined, grant([])))).toBe(false);
    expect(affectsAccess(change('PROFILE#1', undefined, grant([1])))).toBe(false);
  });

  it('derives access as route 2 does: a usable grant wins over a refused one', () => {
    // Act
    const access = accessOfGrants([
      { profileIds: [1, 2], usable: false },
      { profileIds: [2], usable: true },
      { profileIds: [3], usable: true },
    ]);

    // Assess
    expect(access).toEqual({ '1': 'RELINK_REQUIRED', '2': 'GRANTED', '3': 'GRANTED' });
    expect(sameAccess(access, { ...access })).toBe(true);
    expect(sameAccess({ '4': 'NONE' } as never, {})).toBe(true);
    expect(sameAccess(access, {})).toBe(false);
  });
});
