import type { HttpResult } from '../http/types';

/** How long a partner may replay a POST with the same Idempotency-Key. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** A request still in progress after this long died mid-way (Lambda's 30 s API limit) and may be retried. */
export const STALE_IN_PROGRESS_MS = 60_000;

export type IdempotencyOutcome = { kind: 'fresh' } | { kind: 'replay'; result: HttpResult };

/**
 * The stored answers of partner POSTs by (scope, Idempotency-Key). `begin` makes the caller the
 * one running the request (`fresh`), or returns the stored answer (`replay`); it throws
 * DomainError IDEMPOTENCY_KEY_REUSED for the same key with another request hash and
 * InProgressError while another request with the key runs (unless it went stale or the record expired).
 */
export interface IdempotencyStore {
  begin(scope: string, key: string, requestHash: string): Promise<IdempotencyOutcome>;
  /** Stores the answer to replay for this key. */
  complete(scope: string, key: string, result: HttpResult): Promise<void>;
  /** Forgets the key (a failure on our side), so the partner's retry runs again. */
  release(scope: string, key: string): Promise<void>;
}
