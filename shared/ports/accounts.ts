import type { AccountStatus, CustomerAccount, ProfileRecord } from '../domain/account';
import type { LeaseSpec } from './lease';

export type { AccountStatus, CustomerAccount, ProfileRecord } from '../domain/account';

/** What signup writes when it creates the account item. */
export type NewAccount = Omit<CustomerAccount, 'profiles' | 'createdAt' | 'updatedAt'>;

/** The account fields a flow may set (the id, profiles and timestamps are the store's). */
export type AccountFields = Partial<
  Omit<CustomerAccount, 'customerId' | 'profiles' | 'createdAt' | 'updatedAt'>
>;

export interface AccountUpdateOptions {
  /** A compare-and-set on the status: the update happens only while the status is one of these. */
  expectStatus?: AccountStatus[];
  /** Attributes to remove in the same write. */
  remove?: string[];
}

/** A profile as first recorded: its id and type, anything else known at the time. */
export type NewProfile = Pick<ProfileRecord, 'id' | 'type'> & Partial<ProfileRecord>;

/**
 * The customer's Wise account, its profiles and their verification. Secrets are held only as
 * ciphertext; the store never sees a plaintext secret. Work on one account (signup) is serialised
 * by the {@link Lease} on {@link accountLease}, not by this store.
 */
export interface AccountStore {
  /** The account with its profiles (strongly consistent); undefined for an unknown customer. */
  get(customerId: string): Promise<CustomerAccount | undefined>;
  /**
   * Creates the account once; false when it already exists. `lease` takes the account's lease in
   * the same write (as `lease.take(accountLease(id), owner, leaseMs)` would), saving a write per signup.
   */
  create(account: NewAccount, lease?: { owner: string; leaseMs: number }): Promise<boolean>;
  /** Sets fields; false when the account does not exist or its status is not one of `expectStatus`. */
  update(customerId: string, fields: AccountFields, options?: AccountUpdateOptions): Promise<boolean>;
  /** Records a profile once (a known profile keeps its verification). */
  putProfile(customerId: string, profile: NewProfile): Promise<void>;
  getProfile(customerId: string, profileId: number): Promise<ProfileRecord | undefined>;
  deleteProfiles(customerId: string, profileIds: number[]): Promise<void>;
  /** Which customer owns a Wise profile (webhooks carry only Wise's ids). */
  customerOfProfile(profileId: number): Promise<string | undefined>;
  customerOfWiseUser(userId: number): Promise<string | undefined>;
}

/** The account item's key: the customer's partition, sort key ACCOUNT. */
export const accountKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'ACCOUNT' }) as const;

/**
 * The account's work lease (one signup at a time per customer), on the account item, which must exist.
 *
 * @example if (!(await lease.take(accountLease(customerId), owner, 30_000))) throw new InProgressError();
 */
export const accountLease = (customerId: string): LeaseSpec => ({ key: accountKey(customerId) });
