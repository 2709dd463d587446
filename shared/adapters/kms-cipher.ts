import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DecryptionError, type Cipher, type EncryptionContext } from '../ports/cipher';

/**
 * Cipher backed by AWS KMS Encrypt/Decrypt under the application key. The values are small
 * (< 4 KiB), so direct encryption needs no data-key management; the encryption context is
 * authenticated by KMS and appears in CloudTrail, which lets auditors see whose secret was opened.
 */
export class KmsCipher implements Cipher {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    private readonly onCall: () => void = () => {},
  ) {}

  async encrypt(plaintext: string, context: EncryptionContext): Promise<string> {
    this.onCall();
    const out = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(plaintext, 'utf8'),
        EncryptionContext: { ...context },
      }),
    );
    if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
    return Buffer.from(out.CiphertextBlob).toString('base64');
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    this.onCall();
    try {
      const out = await this.kms.send(
        new DecryptCommand({
          KeyId: this.keyId,
          CiphertextBlob: Buffer.from(ciphertext, 'base64'),
          EncryptionContext: { ...context },
        }),
      );
      if (!out.Plaintext) throw new DecryptionError();
      return Buffer.from(out.Plaintext).toString('utf8');
    } catch (err) {
      if ((err as { name?: string }).name === 'InvalidCiphertextException') throw new DecryptionError();
      throw err;
    }
  }
}
