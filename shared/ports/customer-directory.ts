import type { AccountStatus } from '../domain/account';

/** One customer in a status list: when its status was last written (ISO 8601). */
export interface CustomerInStatus {
  readonly customerId: string;
  readonly status: AccountStatus;
  readonly updatedAt: string;
}

export interface CustomerStatusPage {
  /** Newest status change first. */
  readonly items: readonly CustomerInStatus[];
  /** Present when more remain: pass it as `after` for the next page. */
  readonly next?: string;
}

/**
 * The customers in one status (route 22), from the status index (gsi2), never a table scan.
 * Positions are `{status write time}#{customerId}`; a customer whose status changes while a list
 * is paged moves to the head of its new status, so a page may miss it or show it twice (at most
 * once per change).
 */
export interface CustomerDirectory {
  inStatus(status: AccountStatus, options: { limit: number; after?: string }): Promise<CustomerStatusPage>;
}
