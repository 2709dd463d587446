import { createHash, randomBytes } from 'node:crypto';

/** How long route 9's result stays usable for route 17 (PARTNER-API.md route 17). */
export const LINK_RESULT_TTL_MS = 10 * 60 * 1000;

/** 32 random bytes, like a state: a result is a bearer secret for completing one link. */
const RESULT_BYTES = 32;

/** A fresh one-time link result: base64url of 256 random bits. */
export const newLinkResultValue = (random: (size: number) => Buffer = randomBytes): string =>
  random(RESULT_BYTES).toString('base64url');

/** The store key of a result: sha256, hex. The result itself is never stored and never logged. */
export const linkResultHash = (result: string): string =>
  createHash('sha256').update(result, 'utf8').digest('hex');

/** A kept result is usable only before its expiry; the instant of expiry already counts as late. */
export const isResultExpired = (result: { expiresAt: number }, now: number): boolean =>
  now >= result.expiresAt;
