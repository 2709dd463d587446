/**
 * Encrypts the application's secrets at rest (registration codes, tokens, OAuth state).
 * The encryption context binds a ciphertext to its owner: a value encrypted for customer A
 * does not decrypt when presented as customer B's.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface Cipher {
  encrypt(plaintext: string, context: EncryptionContext): Promise<string>;
  decrypt(ciphertext: string, context: EncryptionContext): Promise<string>;
}

/** Raised when a ciphertext cannot be opened (wrong context, tampered, wrong key). */
export class DecryptionError extends Error {
  constructor(message = 'The value could not be decrypted.') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** The encryption context for a secret that belongs to a customer. */
export const customerContext = (customerId: string, purpose: string): EncryptionContext => ({
  app: 'wise-onboarding',
  customerId,
  purpose,
});
