import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { WiseEnvironment } from '../runtime/config';

/**
 * Wise's published webhook signing keys, pinned byte-exact from
 * https://docs.wise.com/guides/developer/webhooks/event-handling (also in
 * transferwise/digital-signatures-examples). Pinned in code rather than fetched, so that a
 * compromised network path or configuration store cannot swap the key a delivery is checked with.
 * Rotation: Wise's new key goes into WISE_WEBHOOK_PUBLIC_KEYS (added beside these), then a release pins it.
 */
export const WISE_WEBHOOK_PUBLIC_KEYS = {
  production: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvO8vXV+JksBzZAY6GhSO
XdoTCfhXaaiZ+qAbtaDBiu2AGkGVpmEygFmWP4Li9m5+Ni85BhVvZOodM9epgW3F
bA5Q1SexvAF1PPjX4JpMstak/QhAgl1qMSqEevL8cmUeTgcMuVWCJmlge9h7B1CS
D4rtlimGZozG39rUBDg6Qt2K+P4wBfLblL0k4C4YUdLnpGYEDIth+i8XsRpFlogx
CAFyH9+knYsDbR43UJ9shtc42Ybd40Afihj8KnYKXzchyQ42aC8aZ/h5hyZ28yVy
Oj3Vos0VdBIs/gAyJ/4yyQFCXYte64I7ssrlbGRaco4nKF3HmaNhxwyKyJafz19e
HwIDAQAB
-----END PUBLIC KEY-----
`,
  sandbox: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwpb91cEYuyJNQepZAVfP
ZIlPZfNUefH+n6w9SW3fykqKu938cR7WadQv87oF2VuT+fDt7kqeRziTmPSUhqPU
ys/V2Q1rlfJuXbE+Gga37t7zwd0egQ+KyOEHQOpcTwKmtZ81ieGHynAQzsn1We3j
wt760MsCPJ7GMT141ByQM+yW1Bx+4SG3IGjXWyqOWrcXsxAvIXkpUD/jK/L958Cg
nZEgz0BSEh0QxYLITnW1lLokSx/dTianWPFEhMC9BgijempgNXHNfcVirg1lPSyg
z7KqoKUN0oHqWLr2U1A+7kqrl6O2nx3CKs1bj1hToT1+p4kcMoHXA7kA+VBLUpEs
VwIDAQAB
-----END PUBLIC KEY-----
`,
} as const;

/** Wise's keys are 2048-bit RSA; anything weaker in the override is a configuration mistake. */
const MIN_MODULUS_BITS = 2048;
/** A Base64 RSA-4096 signature is 684 characters; far longer headers are refused unread. */
const MAX_SIGNATURE_CHARS = 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/** The keys a delivery may be signed with, parsed once per container. */
export interface WebhookKeyring {
  readonly keys: readonly KeyObject[];
  /**
   * `pinned`: Wise's key for the environment; `pinned+extra`: that key and WISE_WEBHOOK_PUBLIC_KEYS
   * beside it; `extra`: the configured keys alone (local, where nothing is pinned); `none`: refuse everything.
   */
  readonly source: 'pinned' | 'pinned+extra' | 'extra' | 'none';
  /** Each key's SHA-256 fingerprint of its DER (SPKI) encoding, hex: what the start-up log names. */
  readonly fingerprints: readonly string[];
  /** Why a configured key is not used (for the operator's log), never key material. */
  readonly problem?: string;
}

/** SHA-256 of the key's DER (SPKI) encoding, hex: `openssl pkey -pubin -outform DER | sha256sum`. */
export const keyFingerprint = (key: KeyObject): string =>
  createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');

const parseRsaKey = (pem: string): KeyObject => {
  const key = createPublicKey({ key: pem, format: 'pem' });
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_MODULUS_BITS) {
    throw new Error(`not an RSA key of at least ${MIN_MODULUS_BITS} bits`);
  }
  return key;
};

/** The configured extra keys, or why none of them is used. Partial sets are refused as a whole. */
const extraKeys = (text: string): { keys: KeyObject[]; problem?: string } => {
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return { keys: [], problem: 'WISE_WEBHOOK_PUBLIC_KEYS holds no PEM public key' };
  // Text between the blocks is a truncated or mangled key, not something to skip over.
  if (text.replace(PEM_BLOCK, '').trim() !== '') {
    return { keys: [], problem: 'WISE_WEBHOOK_PUBLIC_KEYS holds text that is not a PEM public key' };
  }
  try {
    return { keys: blocks.map(parseRsaKey) };
  } catch (err) {
    return {
      keys: [],
      problem: `WISE_WEBHOOK_PUBLIC_KEYS holds an unusable key (${(err as Error).message})`,
    };
  }
};

const ring = (
  keys: readonly KeyObject[],
  source: WebhookKeyring['source'],
  problem?: string,
): WebhookKeyring => {
  // The same key configured twice (Wise's own key pasted into the extras) is checked once.
  const unique = new Map(keys.map((k) => [keyFingerprint(k), k]));
  return {
    keys: [...unique.values()],
    source,
    fingerprints: [...unique.keys()],
    ...(problem ? { problem } : {}),
  };
};

/**
 * The verification keys for an environment. In sandbox and production Wise's pinned key is always
 * one of them: WISE_WEBHOOK_PUBLIC_KEYS (one or more PEM blocks, concatenated) only ADDS keys beside
 * it (Wise announcing a rotation, a test key), so a configuration store that is written to cannot
 * swap the key deliveries are checked with. A set of extra keys that does not parse completely is
 * refused as a whole (and said so in `problem`): using part of it would silently ignore the
 * operator's intent. `local` has no pinned key: the simulator's key arrives as an extra.
 */
export const webhookKeyringFor = (environment: WiseEnvironment, configured?: string): WebhookKeyring => {
  // Environment variables often carry PEMs with literal "\n"; accept both spellings.
  const text = configured?.replace(/\\n/g, '\n').trim();
  const extra = text ? extraKeys(text) : { keys: [] };
  if (environment === 'local') {
    if (extra.keys.length > 0) return ring(extra.keys, 'extra');
    return ring([], 'none', extra.problem ?? 'no webhook key configured for the local environment');
  }
  const pinned = parseRsaKey(WISE_WEBHOOK_PUBLIC_KEYS[environment]);
  return extra.keys.length > 0
    ? ring([pinned, ...extra.keys], 'pinned+extra')
    : ring([pinned], 'pinned', extra.problem);
};

export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'mismatch';

/**
 * Checks X-Signature-SHA256: RSASSA-PKCS1-v1_5 with SHA-256 over the exact body bytes, Base64
 * (API-NOTES §6.5). Any configured key may match (rotation). The legacy SHA-1 `X-Signature` is
 * never consulted: a delivery carrying only that one is `missing`.
 */
export const checkWebhookSignature = (
  body: Buffer,
  signatureHeader: string | undefined,
  keys: readonly KeyObject[],
): SignatureCheck => {
  if (signatureHeader === undefined || signatureHeader.trim() === '') return 'missing';
  const encoded = signatureHeader.trim();
  if (encoded.length > MAX_SIGNATURE_CHARS || !BASE64.test(encoded)) return 'malformed';
  const signature = Buffer.from(encoded, 'base64');
  for (const key of keys) {
    try {
      if (verify('sha256', body, { key, padding: constants.RSA_PKCS1_PADDING }, signature)) return 'valid';
    } catch {
      // A signature of the wrong length for this key: not this key.
    }
  }
  return 'mismatch';
};
