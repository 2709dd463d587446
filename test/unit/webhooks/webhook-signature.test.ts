import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkWebhookSignature,
  webhookKeyringFor,
  WISE_WEBHOOK_PUBLIC_KEYS,
} from '../../../shared/webhooks/webhook-signature';

/**
 * Wise's own signed sample (transferwise/digital-signatures-examples,
 * verify-webhook-signature/verify-signature.js): a transfers#state-change body and its
 * X-Signature-SHA256, made with Wise's sandbox private key.
 */
const WISE_SAMPLE_BODY =
  '{"data":{"resource":{"id":49983981,"profile_id":16055450,"account_id":14124090,"type":"transfer"},"current_state":"incoming_payment_waiting","previous_state":null,"occurred_at":"2021-08-23T10:12:50Z"},"subscription_id":"90aa8e14-4ef1-4a56-861c-f3c9cde097ea","event_type":"transfers#state-change","schema_version":"2.0.0","sent_at":"2021-08-23T10:12:50Z"}';
const WISE_SAMPLE_SIGNATURE =
  'wKcKCYXAzxNgiu7xmoDm943NUni7Rz33QN8JkEA9dWSGebgndonabgSj18Y4C08OrwVmueGsED2s00M7DtJVcYKOS1i3G4TMVx+mgM3aL9djMBkQtiYNBFUd6wrPI7ZUNHv/TrlKSjTMc+6JFvUvJ7owY3z85e3I4jLRLJowMFvO8kvCJ60+1pY9wDwZvtZ//WS93LrwGjk9Dvwzpmu0w+P4J75tETT5qC3Uv0y5G2yO8SEoO3yNP/tg/BOli02niHb53vEOUWUb9bly6thnfMoXoiV/osoGxgF20R58RlvkAmezyyl1Sv542TfS2DpiwVnmjjjkCyXeSUcKookYLQ==';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pemOf = (pair: ReturnType<typeof rsa>) =>
  pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const signB64 = (body: string | Buffer, pair: ReturnType<typeof rsa>) =>
  sign('RSA-SHA256', Buffer.from(body), pair.privateKey).toString('base64');

describe('Wise published keys', () => {
  it("accepts Wise's own signed sandbox sample with the pinned sandbox key", () => {
    // Prepare
    const keyring = webhookKeyringFor('sandbox');

    // Act
    const check = checkWebhookSignature(Buffer.from(WISE_SAMPLE_BODY), WISE_SAMPLE_SIGNATURE, keyring.keys);

    // Assess
    expect(keyring.source).toBe('pinned');
    expect(check).toBe('valid');
  });

  it("refuses Wise's sandbox sample under the production key, and with one byte changed", () => {
    // Prepare
    const production = webhookKeyringFor('production');
    const sandbox = webhookKeyringFor('sandbox');
    const altered = Buffer.from(
      WISE_SAMPLE_BODY.replace('incoming_payment_waiting', 'incoming_payment_waitinG'),
    );

    // Act
    const underProduction = checkWebhookSignature(
      Buffer.from(WISE_SAMPLE_BODY),
      WISE_SAMPLE_SIGNATURE,
      production.keys,
    );
    const alteredBody = checkWebhookSignature(altered, WISE_SAMPLE_SIGNATURE, sandbox.keys);
    const reserialised = checkWebhookSignature(
      Buffer.from(JSON.stringify(JSON.parse(WISE_SAMPLE_BODY), null, 1)),
      WISE_SAMPLE_SIGNATURE,
      sandbox.keys,
    );

    // Assess
    expect([underProduction, alteredBody, reserialised]).toEqual(['mismatch', 'mismatch', 'mismatch']);
  });

  it.each(['sandbox', 'production'] as const)(
    'pins the %s key as a 2048-bit RSA key and selects it for that environment',
    (environment) => {
      // Act
      const keyring = webhookKeyringFor(environment);

      // Assess
      expect(keyring.keys).toHaveLength(1);
      expect(keyring.keys[0]!.asymmetricKeyType).toBe('rsa');
      expect(keyring.keys[0]!.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(keyring.keys[0]!.export({ type: 'spki', format: 'pem' })).toBe(
        WISE_WEBHOOK_PUBLIC_KEYS[environment],
      );
    },
  );

  it('has no key for the local environment unless one is configured (fail closed)', () => {
    // Act
    const keyring = webhookKeyringFor('local');

    // Assess
    expect(keyring).toMatchObject({ keys: [], source: 'none' });
    expect(keyring.problem).toBeDefined();
  });
});

describe('WISE_WEBHOOK_PUBLIC_KEYS (extra keys)', () => {
  const oldKey = rsa();
  const newKey = rsa();

  it('adds the configured keys beside the pinned key, which is kept, and accepts each (rotation)', () => {
    // Prepare
    const keyring = webhookKeyringFor('production', `${pemOf(oldKey)}${pemOf(newKey)}`);
    const body = '{"event_type":"x","data":{}}';

    // Act
    const checks = [signB64(body, oldKey), signB64(body, newKey), WISE_SAMPLE_SIGNATURE].map((s) =>
      checkWebhookSignature(Buffer.from(body), s, keyring.keys),
    );

    // Assess
    expect(keyring.source).toBe('pinned+extra');
    expect(keyring.keys).toHaveLength(3);
    expect(keyring.keys[0]!.export({ type: 'spki', format: 'pem' })).toBe(
      WISE_WEBHOOK_PUBLIC_KEYS.production,
    );
    expect(checks).toEqual(['valid', 'valid', 'mismatch']);
  });

  it.each(['sandbox', 'production'] as const)(
    "never replaces Wise's pinned %s key: a delivery Wise signed still verifies beside an extra key",
    (environment) => {
      // Prepare: Wise's own sandbox sample, and the sandbox keyring with an unrelated extra key.
      const keyring = webhookKeyringFor(environment, pemOf(oldKey));

      // Act
      const check = checkWebhookSignature(Buffer.from(WISE_SAMPLE_BODY), WISE_SAMPLE_SIGNATURE, keyring.keys);

      // Assess: the pinned key is the first key, whatever is configured.
      expect(keyring.keys[0]!.export({ type: 'spki', format: 'pem' })).toBe(
        WISE_WEBHOOK_PUBLIC_KEYS[environment],
      );
      expect(check).toBe(environment === 'sandbox' ? 'valid' : 'mismatch');
    },
  );

  it('names every key by the SHA-256 fingerprint of its DER encoding, each key once', () => {
    // Prepare
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    const expected = [WISE_WEBHOOK_PUBLIC_KEYS.sandbox, pemOf(newKey)].map((pem) =>
      createHash('sha256').update(der(pem)).digest('hex'),
    );

    // Act: the pinned key configured again as an extra is not a second key.
    const keyring = webhookKeyringFor('sandbox', `${WISE_WEBHOOK_PUBLIC_KEYS.sandbox}${pemOf(newKey)}`);

    // Assess
    expect(keyring.fingerprints).toEqual(expected);
    expect(keyring.keys).toHaveLength(2);
  });

  it('reads PEMs written with literal \\n, as environment variables often carry them', () => {
    // Prepare
    const escaped = pemOf(newKey).replace(/\n/g, '\\n');

    // Act
    const keyring = webhookKeyringFor('local', escaped);

    // Assess
    expect(keyring.keys).toHaveLength(1);
    expect(checkWebhookSignature(Buffer.from('{}'), signB64('{}', newKey), keyring.keys)).toBe('valid');
  });

  it.each([
    ['no PEM at all', 'not a key'],
    ['a broken PEM', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
    [
      'a key weaker than 2048 bits',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }) as string,
    ],
    [
      'a non-RSA key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }) as string,
    ],
  ])('refuses the whole set of extra keys for %s, keeping only the pinned key', (_name, extra) => {
    // Act
    const keyring = webhookKeyringFor('sandbox', `${pemOf(oldKey)}${extra}`);
    const local = webhookKeyringFor('local', `${pemOf(oldKey)}${extra}`);

    // Assess
    expect(keyring).toMatchObject({ source: 'pinned', problem: expect.any(String) });
    expect(keyring.keys).toHaveLength(1);
    expect(keyring.keys[0]!.export({ type: 'spki', format: 'pem' })).toBe(WISE_WEBHOOK_PUBLIC_KEYS.sandbox);
    expect(local).toMatchObject({ keys: [], source: 'none', problem: expect.any(String) });
  });

  it('treats a blank override as unset', () => {
    // Act
    const keyring = webhookKeyringFor('sandbox', '  \n');

    // Assess
    expect(keyring.source).toBe('pinned');
  });
});

describe('checkWebhookSignature', () => {
  const pair = rsa();
  const keys = webhookKeyringFor('local', pemOf(pair)).keys;

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '  ', 'missing'],
    ['not Base64', 'abc$%^', 'malformed'],
    ['two headers joined by the gateway', 'YWJj,YWJj', 'malformed'],
    ['far too long', 'A'.repeat(2000), 'malformed'],
    ['Base64 of the wrong length', 'YWJj', 'mismatch'],
  ])('classifies a %s header', (_name, header, expected) => {
    // Act
    const check = checkWebhookSignature(Buffer.from('{}'), header, keys);

    // Assess
    expect(check).toBe(expected);
  });

  it('refuses a SHA-1 signature of the same key (the legacy X-Signature algorithm)', () => {
    // Prepare
    const sha1 = sign('RSA-SHA1', Buffer.from('{}'), pair.privateKey).toString('base64');

    // Act
    const check = checkWebhookSignature(Buffer.from('{}'), sha1, keys);

    // Assess
    expect(check).toBe('mismatch');
  });

  it('accepts exactly the signed bytes: any single changed byte is refused', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, at, flip) => {
          // Prepare
          const body = Buffer.from(bytes);
          const signature = signB64(body, pair);
          const altered = Buffer.from(body);
          const i = at % altered.length;
          altered[i] = altered[i]! ^ flip;

          // Act / Assess
          expect(checkWebhookSignature(body, signature, keys)).toBe('valid');
          expect(checkWebhookSignature(altered, signature, keys)).toBe('mismatch');
        },
      ),
      { numRuns: 50 },
    );
  });
});
