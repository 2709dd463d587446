import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canServeStoredLink,
  isLinkServable,
  LINK_SAFETY_MARGIN_MS,
  LINK_TTL_MS,
  linkExpiry,
} from '../../../shared/domain/kyc/link';
import { parseWiseInstant } from '../../../shared/domain/kyc/wise-time';
import { WISE_KYC_PATCH_EXAMPLE } from '../../support/wise-examples';

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
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
        (t, left) => {
          const servable = isLinkServable(t + left, t);
          if (left <= LINK_SAFETY_MARGIN_MS) expect(servable).toBe(false);
          else expect(servable).toBe(true);
        },
      ),
    );
  });
});

describe('linkExpiry', () => {
  it('is 5 minutes after the PATCH was sent: Wise generates the link no earlier', () => {
    // Prepare / Act / Assess
    expect(linkExpiry(now)).toBe(now + LINK_TTL_MS);
    expect(LINK_TTL_MS).toBe(5 * 60 * 1000);
  });

  it("serves a link issued as in Wise's PATCH example (expiresAt printed 56 ms after updatedAt)", () => {
    // Prepare: what the old rule took for the expiry
    const printed = parseWiseInstant(WISE_KYC_PATCH_EXAMPLE.link.expiresAt)!;
    const updatedAt = parseWiseInstant(WISE_KYC_PATCH_EXAMPLE.updatedAt)!;

    // Act
    const expiry = linkExpiry(updatedAt);

    // Assess
    expect(printed - updatedAt).toBe(56);
    expect(isLinkServable(printed, updatedAt)).toBe(false);
    expect(isLinkServable(expiry, updatedAt)).toBe(true);
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
