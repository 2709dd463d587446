import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { IdentityDigestKey } from '../ports/identity';

/** At least 256 bits: the key is all that separates a digest of a date of birth from a guess. */
const MIN_KEY_BYTES = 32;

const checked = (key: Buffer, where: string): Buffer => {
  // Name the problem, never the value.
  if (key.length < MIN_KEY_BYTES)
    throw new Error(`The identity digest key (${where}) is shorter than 32 bytes`);
  return key;
};

/**
 * The key from a Secrets Manager secret of the stack (a generated random string, never shown to
 * anyone), read once per container: the key does not rotate by itself (rotating it orphans every
 * digest), so there is nothing to refresh.
 */
export class SecretsManagerIdentityKey implements IdentityDigestKey {
  private key?: Promise<Buffer>;

  constructor(private readonly secretArn: string) {}

  get(): Promise<Buffer> {
    this.key ??= getSecret(this.secretArn, { maxAge: 24 * 60 * 60 }).then((raw) => {
      if (typeof raw !== 'string') throw new Error('The identity digest key secret is not a string');
      return checked(Buffer.from(raw, 'utf8'), 'secret');
    });
    // A failed read is not cached: the next request asks again.
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }
}

/** A key held in memory (the local stack without a key file, and tests). */
export class StaticIdentityKey implements IdentityDigestKey {
  private readonly key: Buffer;
  constructor(key: Buffer = randomBytes(MIN_KEY_BYTES)) {
    this.key = checked(key, 'static');
  }
  async get(): Promise<Buffer> {
    return this.key;
  }
}

/** The local stack's key, kept in a file under .local/ (made on first use) so digests survive restarts. */
export const localIdentityKey = (path: string): StaticIdentityKey => {
  if (existsSync(path))
    return new StaticIdentityKey(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
  const key = randomBytes(MIN_KEY_BYTES);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, key.toString('base64'), { mode: 0o600 });
  return new StaticIdentityKey(key);
};
