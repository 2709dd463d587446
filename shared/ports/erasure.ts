import type { AuditPosition } from './audit';

export interface ErasureOutcome {
  /** Items deleted by this call. */
  readonly deleted: number;
  /** False when the deadline came first: a repeat carries on where this one stopped. */
  readonly complete: boolean;
}

/**
 * Route 23's deletion: every item of the customer — the `CUSTOMER#{cid}` partition (account,
 * profiles, grants and the v1 `TOKENS`, identity, KYC reviews and their leases), the Wise-profile
 * ownership records it holds (`WISEPROFILE#{pid}` / `OWNER`), its link states and pending link
 * results, its Idempotency-Key records — and its audit events older than the tombstone. Deleted
 * in bounded batches, unprocessed items retried with backoff until `deadline`. Safe to repeat.
 */
export interface CustomerErasure {
  eraseAllBefore(
    customerId: string,
    tombstone: AuditPosition,
    options: { deadline: number },
  ): Promise<ErasureOutcome>;
}
