/** The key of the item a lease lives on. */
export interface LeaseKey {
  readonly pk: string;
  readonly sk: string;
}

export interface LeaseSpec {
  readonly key: LeaseKey;
  /**
   * `standalone`: the lease is an item of its own, created when taken and deleted when released
   * (TTL tidies one a crashed holder left). Otherwise it lives on an existing item (an account, a
   * grant), which must exist, and release only removes the lease's fields.
   */
  readonly standalone?: boolean;
  /** Attribute values the item must still hold for the lease to be taken (e.g. the version read). */
  readonly guard?: Readonly<Record<string, string | number>>;
}

/**
 * One holder at a time for a piece of work (a signup, a token refresh, a KYC review creation):
 * a conditional take that succeeds when no one holds the lease, the holder's own lease has lapsed,
 * or `owner` already holds it; a release that only the holder can make. A lease that outlived
 * its holder (a crashed invocation) is taken over once `until` has passed.
 */
export interface Lease {
  /** Takes the lease for `ms` milliseconds; false while another owner holds an unexpired one. */
  take(spec: LeaseSpec, owner: string, ms: number): Promise<boolean>;
  /** Gives the lease back, only if `owner` still holds it (a taken-over lease is not ours). */
  release(spec: LeaseSpec, owner: string): Promise<void>;
}

/** The attribute names a lease writes on its item. */
export const LEASE_OWNER = 'leaseOwner';
export const LEASE_UNTIL = 'leaseUntil';
