import type { IdentityChange, IdentityFact, IdentitySummary } from '../domain/identity';
import type { TransactWrite } from './grants';

export type { IdentityChange, IdentityFact, IdentitySummary } from '../domain/identity';

export interface RecordOptions {
  /** Written in the same transaction as the change (its audit event); nothing is written when nothing changes. */
  alsoWrite?: (summary: IdentitySummary) => readonly TransactWrite[];
}

export interface RecordOutcome {
  readonly summary: IdentitySummary;
  /** False when the record already held exactly these values (a retry): nothing was written. */
  readonly changed: boolean;
}

/**
 * The customer's identity on record (`CUSTOMER#{cid}` / `IDENTITY`): each fact kept only as an
 * HMAC-SHA256 digest under a key of the stack (never the value, never a bare hash — a date of
 * birth has too few values for an unkeyed hash to hide it), bound to the customer and the fact, so
 * neither a table read nor a comparison across customers reveals anything.
 */
export interface IdentityRecords {
  /** Applies a change (values are normalised first; `null` forgets a fact). */
  record(customerId: string, change: IdentityChange, options?: RecordOptions): Promise<RecordOutcome>;
  /** What is on record. */
  summary(customerId: string): Promise<IdentitySummary>;
  /** `none`: nothing on record for this fact; otherwise whether `value` is the one on record. */
  compare(customerId: string, fact: IdentityFact, value: string): Promise<'match' | 'mismatch' | 'none'>;
  /** Erasure: the record is deleted. */
  forget(customerId: string): Promise<void>;
}

/**
 * The HMAC key the digests are made with: in AWS a Secrets Manager secret of the stack (read once
 * per container), locally a key file under `.local/` (as the local cipher's). Rotating it makes
 * every digest unreadable: the partner records the identities again (route 18).
 */
export interface IdentityDigestKey {
  get(): Promise<Buffer>;
}

/** The identity item's key. */
export const identityItemKey = (customerId: string) =>
  ({ pk: `CUSTOMER#${customerId}`, sk: 'IDENTITY' }) as const;
