import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);
const KEY_FILE = 'webhook-signing-key.pem';

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
}

/**
 * The simulator signs webhooks with its own 2048-bit RSA key (it cannot hold Wise's). The key is
 * generated once and kept under the snapshot dir, so a restart keeps the key the product trusts
 * and start-up stays fast; without a snapshot dir a fresh key lives for the process only.
 */
export async function loadOrCreateSigningKey(snapshotDir?: string): Promise<SigningKey> {
  // In-memory simulators in one process (e.g. one per test file) share one key: generating a
  // 2048-bit key costs up to a second.
  if (!snapshotDir) return (processKey ??= generateKey());
  const file = snapshotDir ? join(snapshotDir, KEY_FILE) : undefined;
  if (file && existsSync(file)) {
    const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    return { privateKey, publicKeyPem: exportPublic(createPublicKey(privateKey)) };
  }
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
  if (file && snapshotDir) {
    mkdirSync(snapshotDir, { recursive: true });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  }
  return { privateKey, publicKeyPem: exportPublic(publicKey) };
}

let processKey: Promise<SigningKey> | undefined;

async function generateKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: exportPublic(publicKey) };
}

function exportPublic(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }) as string;
}
