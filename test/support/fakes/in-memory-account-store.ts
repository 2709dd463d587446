import type { CustomerAccount, ProfileRecord } from '../../../shared/domain/account';
import {
  accountKey,
  type AccountFields,
  type AccountStore,
  type AccountUpdateOptions,
  type NewAccount,
  type NewProfile,
} from '../../../shared/ports/accounts';
import type { Clock } from '../../../shared/ports/clock';
import { LEASE_OWNER, LEASE_UNTIL } from '../../../shared/ports/lease';
import { InMemoryItems, type Item } from './in-memory-items';

const pk = (customerId: string) => accountKey(customerId).pk;
const profileKey = (customerId: string, profileId: number) => ({
  pk: pk(customerId),
  sk: `PROFILE#${profileId}`,
});

const withoutKeys = ({ pk: _pk, sk: _sk, gsi1pk: _g, ...rest }: Item): Item => rest;
const toProfile = (item: Item): ProfileRecord => {
  const { customerId: _c, ...profile } = withoutKeys(item);
  return profile as unknown as ProfileRecord;
};

/**
 * The {@link AccountStore} port in memory, with the DynamoDB store's semantics: create once,
 * updates only of an existing account and, with `expectStatus`, only from those statuses;
 * profiles recorded once; "whose is this Wise id?" answered from `wiseUserId` and profile ids.
 * Share `items` with an {@link InMemoryLease} for the account lease (`accountLease`).
 */
export class InMemoryAccountStore implements AccountStore {
  constructor(
    private readonly clock: Clock,
    readonly items: InMemoryItems = new InMemoryItems(),
  ) {}

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async get(customerId: string): Promise<CustomerAccount | undefined> {
    const items = this.items.partition(pk(customerId));
    const account = items.find((i) => i.sk === 'ACCOUNT');
    if (!account) return undefined;
    const profiles = items
      .filter((i) => String(i.sk).startsWith('PROFILE#'))
      .map(toProfile)
      .sort((a, b) => (a.type === b.type ? a.id - b.id : a.type === 'PERSONAL' ? -1 : 1));
    return { ...(withoutKeys(account) as unknown as Omit<CustomerAccount, 'profiles'>), profiles };
  }

  async create(account: NewAccount, lease?: { owner: string; leaseMs: number }): Promise<boolean> {
    const key = accountKey(account.customerId);
    if (this.items.has(key)) return false;
    const now = this.iso();
    this.items.put({
      ...key,
      ...account,
      ...(lease ? { [LEASE_OWNER]: lease.owner, [LEASE_UNTIL]: this.clock.now() + lease.leaseMs } : {}),
      ...(account.wiseUserId !== undefined ? { gsi1pk: `WISEUSER#${account.wiseUserId}` } : {}),
      createdAt: now,
      updatedAt: now,
    });
    return true;
  }

  async update(
    customerId: string,
    fields: AccountFields,
    options: AccountUpdateOptions = {},
  ): Promise<boolean> {
    const key = accountKey(customerId);
    const item = this.items.get(key);
    if (!item) return false;
    if (options.expectStatus && !options.expectStatus.includes(item.status as never)) return false;
    const next: Item = { ...item };
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) next[name] = value;
    if (fields.wiseUserId !== undefined) next.gsi1pk = `WISEUSER#${fields.wiseUserId}`;
    for (const name of options.remove ?? []) delete next[name];
    next.updatedAt = this.iso();
    this.items.put({ ...next, ...key });
    return true;
  }

  async putProfile(customerId: string, profile: NewProfile): Promise<void> {
    const key = profileKey(customerId, profile.id);
    if (this.items.has(key)) return;
    this.items.put({
      ...key,
      gsi1pk: `PROFILE#${profile.id}`,
      customerId,
      verification: 'unknown',
      ...profile,
    });
  }

  async getProfile(customerId: string, profileId: number): Promise<ProfileRecord | undefined> {
    const item = this.items.get(profileKey(customerId, profileId));
    return item ? toProfile(item) : undefined;
  }

  async deleteProfiles(customerId: string, profileIds: number[]): Promise<void> {
    for (const id of profileIds) this.items.delete(profileKey(customerId, id));
  }

  async customerOfProfile(profileId: number): Promise<string | undefined> {
    return this.owner(`PROFILE#${profileId}`);
  }

  async customerOfWiseUser(userId: number): Promise<string | undefined> {
    return this.owner(`WISEUSER#${userId}`);
  }

  private owner(gsi1pk: string): string | undefined {
    const found = String(this.items.byGsi1(gsi1pk)[0]?.pk ?? '');
    return found.startsWith('CUSTOMER#') ? found.slice('CUSTOMER#'.length) : undefined;
  }

  /** Test setup: sets fields on a profile as a webhook would (verification, cdd), creating it if needed. */
  seedProfile(customerId: string, profile: NewProfile): void {
    const key = profileKey(customerId, profile.id);
    const old = this.items.get(key) ?? {
      gsi1pk: `PROFILE#${profile.id}`,
      customerId,
      verification: 'unknown',
    };
    this.items.put({ ...old, ...profile, ...key });
  }
}
