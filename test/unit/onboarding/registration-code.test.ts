import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  newRegistrationCode,
  personalProfileIdempotenceUuid,
  REGISTRATION_CODE_MIN_LENGTH,
  uuidFrom,
} from '../../../shared/domain/onboarding/registration-code';
import { canTransferByCurrency } from '../../../shared/domain/onboarding/verification';

describe('registration codes', () => {
  it("are at least Wise's 32 characters, URL-safe, and never repeat", () => {
    // Act
    const codes = Array.from({ length: 1000 }, newRegistrationCode);

    // Assess
    for (const code of codes) {
      expect(code.length).toBeGreaterThanOrEqual(REGISTRATION_CODE_MIN_LENGTH);
      expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('idempotence uuids', () => {
  it('are well-formed UUIDs, stable per input and distinct across customers', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        (a, b) => {
          // Act
          const ua = personalProfileIdempotenceUuid(a);

          // Assess
          expect(ua).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(personalProfileIdempotenceUuid(a)).toBe(ua);
          if (a !== b) expect(personalProfileIdempotenceUuid(b)).not.toBe(ua);
        },
      ),
    );
  });

  it('depend on every part and on where the parts split', () => {
    // Assess
    expect(uuidFrom('ab', 'c')).not.toBe(uuidFrom('a', 'bc'));
  });
});

describe('canTransfer', () => {
  it('is true when verified, or not verified with an entitlement above 0', () => {
    // Act
    const result = canTransferByCurrency([
      { source_currency: 'GBP', maximum_entitled_amount: 100000, current_status: 'verified' },
      { source_currency: 'USD', maximum_entitled_amount: 0, current_status: 'not_verified' },
      { source_currency: 'eur', maximum_entitled_amount: 10000, current_status: 'not_verified' },
      { source_currency: 'JPY', maximum_entitled_amount: 0, current_status: 'verified' },
    ]);

    // Assess
    expect(result).toEqual({ GBP: true, USD: false, EUR: true, JPY: true });
  });
});
