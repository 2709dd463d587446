/** How long a partner may replay a POST with the same Idempotency-Key. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** A request still in progress after this long died mid-way (Lambda's 30 s API limit) and may be retried. */
export const STALE_IN_PROGRESS_MS = 60_000;

/**
 * What is kept to replay an answer: its status in clear (for operators), the answer itself sealed
 * under the customer's encryption context (shared/http/idempotency.ts). A store never sees an
 * answer in plain text: route 3's answer is a whole Wise profile, route 8's carries an OAuth state.
 */
export interface StoredAnswer {
  readonly status: number;
  readonly sealed: string;
}

export type IdempotencyOutcome = { kind: 'fresh' } | { kind: 'replay'; answer: StoredAnswer };

/**
 * The stored answers of partner POSTs, per customer and record key. The record key and the request
 * hash are keyed digests made by the caller (shared/http/idempotency.ts): neither the partner's
 * Idempotency-Key nor anything of the body can be recovered from them.
 *
 * `begin` makes the caller the one running the request (`fresh`), or returns the stored answer
 * (`replay`); it throws DomainError IDEMPOTENCY_KEY_REUSED for the same key with another request
 * hash and InProgressError while another request with the key runs (unless it went stale or the
 * record expired).
 */
export interface IdempotencyStore {
  begin(customerId: string, key: string, requestHash: string): Promise<IdempotencyOutcome>;
  /** Stores the answer to replay for this key (nothing, when the record is gone: expired or erased). */
  complete(customerId: string, key: string, answer: StoredAnswer): Promise<void>;
  /** Forgets the key (a failure on our side, or an answer that says "retry"), so the partner's retry runs again. */
  release(customerId: string, key: string): Promise<void>;
}
