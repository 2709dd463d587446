import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError, type Cipher, type EncryptionContext } from '../ports/cipher';

/**
 * The local stack's stand-in for KMS (no KMS emulator exists for this machine): AES-256-GCM
 * with the encryption context as additional authenticated data, so a ciphertext opens only
 * under the context it was sealed with — the same contract as KMS. Never used in AWS.
 */
export class LocalCipher implements Cipher {
  constructor(
    private readonly key: Buffer,
    private readonly onCall: () => void = () => {},
  ) {
    if (key.length !== 32) throw new Error('LocalCipher needs a 32-byte key');
  }

  private static aad(context: EncryptionContext): Buffer {
    const sorted = Object.keys(context)
      .sort()
      .map((k) => [k, context[k]]);
    return Buffer.from(JSON.stringify(sorted), 'utf8');
  }

  async encrypt(plaintext: string, context: EncryptionContext): Promise<string> {
    this.onCall();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(LocalCipher.aad(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    this.onCall();
    try {
      const raw = Buffer.from(ciphertext, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(LocalCipher.aad(context));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError();
    }
  }
}
