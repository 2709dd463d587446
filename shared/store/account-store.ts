import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerAccount, ProfileRecord } from '../domain/account';
import {
  type AccountFields,
  type AccountStore as Accounts,
  type AccountUpdateOptions,
  type NewAccount,
  type NewProfile,
} from '../ports/accounts';
import type { Clock } from '../ports/clock';
import { LEASE_OWNER, LEASE_UNTIL } from '../ports/lease';
import { isConditionalCheckFailure, type Table } from './dynamo';

export const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
export const ACCOUNT_SK = 'ACCOUNT';
export const profileSk = (profileId: number) => `PROFILE#${profileId}`;

type AccountItem = Omit<CustomerAccount, 'profiles'> & {
  pk: string;
  sk: string;
  gsi1pk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
};

/**
 * gsi2's keys for an account in `status`, written with every status write (route 22 lists
 * customers by status, newest status change first). CREATING is left out of the index: see
 * shared/table.ts. Writers that set `status` outside this store must set these too.
 */
export const statusIndexKeys = (customerId: string, status: string, atIso: string) =>
  status === 'CREATING' ? undefined : { gsi2pk: `STATUS#${status}`, gsi2sk: `${atIso}#${customerId}` };
type ProfileItem = ProfileRecord & { pk: string; sk: string; gsi1pk: string; customerId: string };

/**
 * The customer's Wise account, its profiles and their verification, in the application table.
 * Secrets are stored only as ciphertext; this store never sees a plaintext secret.
 */
export class AccountStore implements Accounts {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** The account with its profiles, one strongly consistent Query. */
  async get(customerId: string): Promise<CustomerAccount | undefined> {
    const out = await this.table.db.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': customerPk(customerId) },
        ConsistentRead: true,
      }),
    );
    const items = out.Items ?? [];
    const account = items.find((i) => i.sk === ACCOUNT_SK) as AccountItem | undefined;
    if (!account) return undefined;
    const profiles = items
      .filter((i) => typeof i.sk === 'string' && i.sk.startsWith('PROFILE#'))
      .map((i) => {
        const { pk: _pk, sk: _sk, gsi1pk: _g, customerId: _c, ...profile } = i as ProfileItem;
        return profile as ProfileRecord;
      })
      .sort((a, b) => (a.type === b.type ? a.id - b.id : a.type === 'PERSONAL' ? -1 : 1));
    const { pk: _pk, sk: _sk, gsi1pk: _g, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = account;
    return { ...rest, profiles };
  }

  /** Creates the account item once; false when it already exists. */
  async create(account: NewAccount, lease?: { owner: string; leaseMs: number }): Promise<boolean> {
    const now = this.iso();
    // Taking the lease in the same write as the creation saves a write per signup; the fields are
    // the Lease port's, so `lease.release(accountLease(id), owner)` ends it like any other.
    const leaseFields = lease
      ? { [LEASE_OWNER]: lease.owner, [LEASE_UNTIL]: this.clock.now() + lease.leaseMs }
      : {};
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            pk: customerPk(account.customerId),
            sk: ACCOUNT_SK,
            ...account,
            // As `update` does: a user-state webhook must find an account created already linked.
            ...(account.wiseUserId !== undefined ? { gsi1pk: `WISEUSER#${account.wiseUserId}` } : {}),
            ...statusIndexKeys(account.customerId, account.status, now),
            ...leaseFields,
            createdAt: now,
            updatedAt: now,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Sets fields on the account. `expectStatus` makes it a compare-and-set on the status, so two
   * flows racing on one customer cannot both win.
   */
  async update(
    customerId: string,
    fields: AccountFields,
    options: AccountUpdateOptions = {},
  ): Promise<boolean> {
    const now = this.iso();
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': now };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      sets.push(`#${key} = :${key}`);
    }
    if (fields.wiseUserId !== undefined) {
      names['#gsi1pk'] = 'gsi1pk';
      values[':gsi1pk'] = `WISEUSER#${fields.wiseUserId}`;
      sets.push('#gsi1pk = :gsi1pk');
    }
    const indexRemoves: string[] = [];
    if (fields.status !== undefined) {
      const keys = statusIndexKeys(customerId, fields.status, now);
      if (keys) {
        Object.assign(names, { '#gsi2pk': 'gsi2pk', '#gsi2sk': 'gsi2sk' });
        Object.assign(values, { ':gsi2pk': keys.gsi2pk, ':gsi2sk': keys.gsi2sk });
        sets.push('#gsi2pk = :gsi2pk', '#gsi2sk = :gsi2sk');
      } else {
        indexRemoves.push('gsi2pk', 'gsi2sk');
      }
    }
    const removes = [...(options.remove ?? []), ...indexRemoves].map((r) => {
      names[`#${r}`] = r;
      return `#${r}`;
    });
    let condition = 'attribute_exists(pk)';
    if (options.expectStatus) {
      names['#status'] = 'status';
      const placeholders = options.expectStatus.map((s, i) => {
        values[`:expect${i}`] = s;
        return `:expect${i}`;
      });
      condition += ` AND #status IN (${placeholders.join(', ')})`;
    }
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: customerPk(customerId), sk: ACCOUNT_SK },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }

  /** Records a profile (idempotent: a known profile keeps its verification). */
  async putProfile(customerId: string, profile: NewProfile): Promise<void> {
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            pk: customerPk(customerId),
            sk: profileSk(profile.id),
            gsi1pk: `PROFILE#${profile.id}`,
            customerId,
            verification: 'unknown',
            ...profile,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }

  async getProfile(customerId: string, profileId: number): Promise<ProfileRecord | undefined> {
    const out = await this.table.db.send(
      new GetCommand({
        TableName: this.table.name,
        Key: { pk: customerPk(customerId), sk: profileSk(profileId) },
      }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _g, customerId: _c, ...profile } = out.Item as ProfileItem;
    return profile as ProfileRecord;
  }

  async deleteProfiles(customerId: string, profileIds: number[]): Promise<void> {
    for (const id of profileIds) {
      await this.table.db.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: { pk: customerPk(customerId), sk: profileSk(id) },
        }),
      );
    }
  }

  /** Which customer owns a Wise profile (webhooks carry only Wise's ids). */
  async customerOfProfile(profileId: number): Promise<string | undefined> {
    return this.lookup(`PROFILE#${profileId}`);
  }

  async customerOfWiseUser(userId: number): Promise<string | undefined> {
    return this.lookup(`WISEUSER#${userId}`);
  }

  private async lookup(gsi1pk: string): Promise<string | undefined> {
    const out = await this.table.db.send(ownerQuery(this.table.name, gsi1pk));
    return ownerOf(out.Items);
  }
}

/**
 * "Whose is this Wise id?" on gsi1 (keys only): the one query shape, shared with the webhook
 * projection, which sends it with its own time bound and capacity accounting.
 */
export const ownerQuery = (tableName: string, gsi1pk: string, returnCapacity = false): QueryCommand =>
  new QueryCommand({
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :k',
    ExpressionAttributeValues: { ':k': gsi1pk },
    Limit: 1,
    ...(returnCapacity ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
  });

/** The customer id of the item an owner query found, if it is a customer's. */
export const ownerOf = (items: Record<string, unknown>[] | undefined): string | undefined => {
  const pk = items?.[0]?.pk;
  return typeof pk === 'string' && pk.startsWith('CUSTOMER#') ? pk.slice('CUSTOMER#'.length) : undefined;
};
