/**
 * The encryption-context vocabulary of the application-secrets key, defined once: the cipher's
 * contexts (shared/ports/cipher.ts `customerContext`) use it and the key's policy
 * (infra/constructs/keys.ts) allows encryption and decryption only with `app` equal to
 * {@link APP_CONTEXT} and no key outside {@link ENCRYPTION_CONTEXT_KEYS}. A context carrying any other
 * key is refused by KMS in AWS (not by the local cipher), so a new key is added here first.
 */
export const APP_CONTEXT = 'wise-onboarding';

export const ENCRYPTION_CONTEXT_KEYS = [
  'app',
  /** Every ciphertext is bound to its customer: the key policy requires this key. */
  'customerId',
  /** What the value is (`wise-user-tokens`, `wise-registration-code`, `kyc-hosted-link`, ...). */
  'purpose',
  /** The Wise grant a token pair belongs to, and the pair's version. */
  'grantId',
  'version',
  /** The KYC review a hosted link belongs to. */
  'reviewId',
  /** The link result (sha256 of route 9's one-time result) a kept authorization code belongs to. */
  'linkResult',
] as const;

export type EncryptionContextKey = (typeof ENCRYPTION_CONTEXT_KEYS)[number];
