import { DecryptCommand, EncryptCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsCipher } from '../../../shared/adapters/kms-cipher';
import { customerContext, DecryptionError } from '../../../shared/ports/cipher';

const KEY_ID = 'alias/wise-onboarding-app';
const kms = mockClient(KMSClient);

beforeEach(() => {
  kms.reset();
});

describe('KmsCipher', () => {
  it("encrypts under the application key with the customer's encryption context", async () => {
    // Prepare
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('blob') });
    const cipher = new KmsCipher(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    // Act
    const out = await cipher.encrypt('the-secret', customerContext('cust-1', 'wise-user-tokens'));

    // Assess
    expect(out).toBe(Buffer.from('blob').toString('base64'));
    expect(kms).toHaveReceivedCommandWith(EncryptCommand, {
      KeyId: KEY_ID,
      Plaintext: Buffer.from('the-secret'),
      EncryptionContext: { app: 'wise-onboarding', customerId: 'cust-1', purpose: 'wise-user-tokens' },
    });
  });

  it('decrypts with the same key and context', async () => {
    // Prepare
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('the-secret') });
    const cipher = new KmsCipher(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    // Act
    const plain = await cipher.decrypt(
      Buffer.from('blob').toString('base64'),
      customerContext('cust-1', 'p'),
    );

    // Assess
    expect(plain).toBe('the-secret');
    expect(kms).toHaveReceivedCommandWith(DecryptCommand, {
      KeyId: KEY_ID,
      CiphertextBlob: Buffer.from('blob'),
      EncryptionContext: { app: 'wise-onboarding', customerId: 'cust-1', purpose: 'p' },
    });
  });

  it("turns a ciphertext KMS refuses (another customer's context) into DecryptionError", async () => {
    // Prepare
    kms.on(DecryptCommand).rejects(new InvalidCiphertextException({ message: 'bad context', $metadata: {} }));
    const cipher = new KmsCipher(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    // Act
    const err = await cipher.decrypt('YmxvYg==', customerContext('cust-2', 'p')).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(DecryptionError);
    expect((err as Error).message).not.toContain('cust-2');
  });
});
