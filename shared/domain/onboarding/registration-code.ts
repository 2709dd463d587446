import { createHash, randomBytes } from 'node:crypto';

/** Wise's minimum length for a registration code (API-NOTES §2.1). */
export const REGISTRATION_CODE_MIN_LENGTH = 32;

/**
 * A registration code: 32 bytes from the CSPRNG, base64url (43 characters, 256 bits). It acts as
 * the customer's password at Wise until they claim the account, so it is never guessable.
 */
export const newRegistrationCode = (): string => randomBytes(32).toString('base64url');

/**
 * A stable UUID from a name (RFC 9562 version 8, SHA-256 based): the same inputs give the same
 * X-idempotence-uuid, so a retried profile creation is recognised by Wise rather than doubled.
 */
export const uuidFrom = (...parts: string[]): string => {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** The X-idempotence-uuid of a customer's personal profile: one per customer, ever. */
export const personalProfileIdempotenceUuid = (customerId: string): string =>
  uuidFrom('wise-onboarding', 'personal-profile', customerId);
