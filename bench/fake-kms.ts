import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';

/**
 * An in-process stand-in for the KMS client (no KMS emulator exists here), so the benchmark runs
 * the product's real KmsCipher adapter — its `onCall` counts KMS calls exactly where AWS would bill
 * them — without a network hop that the floor would not have either. AES-GCM with the encryption
 * context as AAD keeps KMS's contract: a ciphertext opens only under its own context.
 */
export const fakeKmsClient = (): KMSClient => {
  const key = randomBytes(32);
  const aad = (context: Record<string, string> | undefined) =>
    Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => a.localeCompare(b))));
  const send = async (command: unknown) => {
    if (command instanceof EncryptCommand) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(aad(command.input.EncryptionContext));
      const body = Buffer.concat([
        c.update(Buffer.from(command.input.Plaintext ?? new Uint8Array())),
        c.final(),
      ]);
      return {
        CiphertextBlob: new Uint8Array(Buffer.concat([iv, c.getAuthTag(), body])),
        KeyId: command.input.KeyId,
      };
    }
    if (command instanceof DecryptCommand) {
      const raw = Buffer.from(command.input.CiphertextBlob ?? new Uint8Array());
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAAD(aad(command.input.EncryptionContext));
        d.setAuthTag(raw.subarray(12, 28));
        return { Plaintext: new Uint8Array(Buffer.concat([d.update(raw.subarray(28)), d.final()])) };
      } catch {
        throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
      }
    }
    throw new Error(`fake KMS: unsupported command ${(command as object).constructor.name}`);
  };
  return { send } as unknown as KMSClient;
};
