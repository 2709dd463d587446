import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canServeStoredLink, isLinkServable, LINK_SAFETY_MARGIN_MS, LINK_TTL_MS, linkExpiry } from '../../../shared/domain/kyc/link';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('isLinkServable', () => {
  it('serves a link only while more than 30 seconds of it are left', () => {
    // Prepare
    const cases = [
      { left: LINK_TTL_MS, servable: true },
      { left: LINK_SAFETY_MARGIN_MS + 1, servable: true },
      { left: LINK_SAFETY_MARGIN_MS, servable: false },
      { left: 1, servable: false },
      { left: 0, servable: false },
      { left: -60_000, servable: false },
    ];

    // Act
    const verdicts = cases.map((c) => isLinkServable(now + c.left, now));

    // Assess
    expect(verdicts).toEqual(cases.map((c) => c.servable));
  });

  it('never serves a link without a usable expiry', () => {
    // Prepare / Act / Assess
    expect(isLinkServable(undefined, now)).toBe(false);
    expect(isLinkServable(Number.NaN, now)).toBe(false);
    expect(isLinkServable(Number.POSITIVE_INFINITY, now)).toBe(false);
  });

  it('never serves an expired link, whatever the times (property)', () => {
    // Prepare / Act / Assess
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), (t, left) => {
        const servable = isLinkServable(t + left, t);
        if (left <= LINK_SAFETY_MARGIN_MS) expect(servable).toBe(false);
        else expect(servable).toBe(true);
      }),
    );
  });
});

describe('linkExpiry', () => {
  it('takes the earlier of Wise\'s stated expiry and the documented 5 minutes', () => {
    // Prepare / Act / Assess
    expect(linkExpiry(now + 4 * 60_000, now)).toBe(now + 4 * 60_000);
    expect(linkExpiry(now + 60 * 60_000, now)).toBe(now + LINK_TTL_MS);
    expect(linkExpiry(undefined, now)).toBe(now + LINK_TTL_MS);
  });
});

describe('canServeStoredLink', () => {
  const stored = {
    status: 'WAITING_CUSTOMER_INPUT',
    linkCiphertext: 'sealed',
    linkExpiresAt: now + 2 * 60_000,
    redirectUrl: 'https://app.example.com/kyc',
  };

  it('serves the stored link for the same return address while the review waits for the customer', () => {
    // Prepare / Act / Assess
    expect(canServeStoredLink(stored, now, 'https://app.example.com/kyc')).toBe(true);
  });

  it('asks Wise again for another return address, another status, no link, or a nearly expired link', () => {
    // Prepare
    const variants = [
      { review: stored, redirect: 'https://app.example.com/other' },
      { review: { ...stored, status: 'PROCESSING' }, redirect: stored.redirectUrl },
      { review: { ...stored, linkCiphertext: undefined }, redirect: stored.redirectUrl },
      { review: { ...stored, linkExpiresAt: now + 29_000 }, redirect: stored.redirectUrl },
    ];

    // Act
    const verdicts = variants.map((v) => canServeStoredLink(v.review, now, v.redirect));

    // Assess
    expect(verdicts).toEqual([false, false, false, false]);
  });
});
