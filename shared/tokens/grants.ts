import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../errors/domain-error';
import type { AccountStore } from '../ports/accounts';
import { customerContext, type Cipher, type EncryptionContext } from '../ports/cipher';
import type { Clock } from '../ports/clock';
import {
  grantKey,
  GrantWriteRefused,
  type AccessTokenOptions,
  type GrantKind,
  type GrantRef,
  type Grants,
  type GrantSummary,
  type IssuedAccessToken,
  type KeepOptions,
  type ProfileAccess,
  type TransactWrite,
} from '../ports/grants';
import { LEASE_OWNER, LEASE_UNTIL, type Lease, type LeaseSpec } from '../ports/lease';
import { noTokens, RelinkRequiredError } from '../ports/user-tokens';
import type { TokenResponse, WiseApi, WiseCallOptions } from '../ports/wise';
import { waitUntil } from '../runtime/wait';
import { isConditionalCheckFailure, isTransactionConflict, type Table } from '../store/dynamo';
import { WiseApiError } from '../wise/errors';
import { classifyTokenRefusal } from '../wise/token-refusal';
import type { RetryPolicy } from '../wise/transport';
import { LruCache } from './plain-cache';

/** A compare-and-set lost to another writer: in a transaction, or as a single conditional write. */
const isWriteConflict = (err: unknown): boolean =>
  isTransactionConflict(err) || isConditionalCheckFailure(err);

/** Refresh when less than this is left (Wise's own sample refreshes one hour ahead). */
export const REFRESH_WINDOW_MS = 60 * 60 * 1000;
/** How often a caller waiting for another's refresh looks for the new version. */
const POLL_MS = 50;
/** A caller without a deadline of its own (the compatibility layer) gives up after this long. */
export const DEFAULT_WAIT_MS = 20_000;
/**
 * What the lease adds to the refresh's own deadline: decrypting before, encrypting and the fenced
 * write after (KMS and DynamoDB calls with the SDK's retries), and clock skew between containers.
 */
export const LEASE_MARGIN_MS = 5_000;
/** Decrypted pairs a container keeps (#18: bounded). */
export const PLAIN_CACHE_ENTRIES = 1_000;
const TOKENS_SK = 'TOKENS';
const GRANT_PREFIX = 'GRANT#';
const PURPOSE = 'wise-user-tokens';
/** A keep or coverage change that lost a race with another one on the same items is tried again. */
const COVERAGE_ATTEMPTS = 4;

/**
 * The longest a refresh with its retries can last at Wise under this transport policy: every
 * attempt timing out, with the longest backoff between them. A request deadline cuts it shorter.
 */
export const longestRefreshMs = (policy: RetryPolicy): number =>
  policy.maxAttempts * policy.timeoutMs + (policy.maxAttempts - 1) * policy.maxDelayMs;

/** The encryption context of one version of one grant's token pair (#18: naming grant and version). */
export const grantContext = (customerId: string, grantId: string, version: number): EncryptionContext => ({
  ...customerContext(customerId, PURPOSE),
  grantId,
  version: String(version),
});

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** `CUSTOMER#{cid}` / `GRANT#{grantId}`. */
interface GrantItem {
  pk: string;
  sk: string;
  grantId: string;
  kind: GrantKind;
  profileIds: number[];
  /** Grows with every change of `profileIds`: coverage writes are compare-and-set on it. */
  coverage: number;
  /** The token pair's version, in its encryption context; grows with every refresh and re-mint. */
  version: number;
  /** Absent once the grant is RELINK_REQUIRED. */
  ciphertext?: string;
  accessExpiresAt: number;
  relinkRequired?: boolean;
  /**
   * A refresh may have reached Wise without its answer coming back: Wise may have invalidated the
   * stored access token. The next caller refreshes first (the refresh token itself still works).
   */
  accessInDoubt?: boolean;
  /** Epoch ms the grant was first kept: "the oldest grant" for calls without a profile. */
  keptAt: number;
  leaseOwner?: string;
  leaseUntil?: number;
}

/** The v1 single pair, `CUSTOMER#{cid}` / `TOKENS`. */
interface V1TokensItem {
  ciphertext?: string;
  relinkRequired?: boolean;
  accessExpiresAt: number;
  version: number;
  leaseOwner?: string;
}

const summary = (g: GrantItem): GrantSummary => ({
  grantId: g.grantId,
  kind: g.kind,
  profileIds: [...g.profileIds],
  relinkRequired: g.relinkRequired === true || !g.ciphertext,
  version: g.version,
});

const usable = (g: GrantItem): boolean => !g.relinkRequired && g.ciphertext !== undefined;

/** Another caller's refresh did not finish within this request's deadline. */
const refreshTooSlow = () =>
  new DomainError('WISE_UNAVAILABLE', {
    detail: 'Token refresh is taking too long; retry.',
    retryAfterSeconds: 2,
  });

/** What to do when Wise refuses a refresh: mint again from the registration code, or give up. */
export interface RefreshRefusedPolicy {
  /** New tokens from the registration code, for users this service created; undefined otherwise. */
  remint(customerId: string, options: WiseCallOptions): Promise<TokenResponse | undefined>;
  /** Marks the customer's account RELINK_REQUIRED (called once no usable grant remains). */
  markRelinkRequired(customerId: string): Promise<void>;
}

export interface GrantServiceOptions {
  /** The longest a refresh may take at Wise ({@link longestRefreshMs} of the transport's policy). */
  refreshBudgetMs: number;
  /** Decrypted pairs kept in memory (default {@link PLAIN_CACHE_ENTRIES}). */
  cacheEntries?: number;
}

/**
 * The {@link Grants} port on the table, KMS and Wise.
 *
 * Refresh is fenced: the refresher takes the lease on the grant item guarded by the version it
 * read, for longer than its Wise calls can last (their deadline is cut to the refresh budget and
 * the lease adds {@link LEASE_MARGIN_MS}), so no second refresher reaches Wise while the first may
 * still; the new pair is written only while the writer still holds the lease AND the item still
 * has the version it read. Wise invalidates the previous access token when it refreshes but keeps
 * the refresh token, so a refresh whose answer was lost is repaired by refreshing again: the grant
 * is marked `accessInDoubt` (or, after a crash, still carries the lapsed lease) and nobody is given
 * its stored access token until a refresh has succeeded.
 */
export class GrantService implements Grants {
  private readonly plain: LruCache<TokenPair>;
  private readonly container = randomUUID();

  constructor(
    private readonly table: Table,
    private readonly cipher: Cipher,
    private readonly wise: Pick<WiseApi, 'refreshToken'>,
    private readonly clock: Clock,
    private readonly refused: RefreshRefusedPolicy,
    private readonly lease: Lease,
    private readonly accounts: Pick<AccountStore, 'get'>,
    private readonly options: GrantServiceOptions,
  ) {
    this.plain = new LruCache(options.cacheEntries ?? PLAIN_CACHE_ENTRIES);
  }

  /** Decrypted pairs held now (for the cache-bound test). */
  get cachedPairs(): number {
    return this.plain.size;
  }

  // ---- reading -------------------------------------------------------------------------------

  private async query(customerId: string): Promise<GrantItem[]> {
    const items: GrantItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :grant)',
          ExpressionAttributeValues: { ':pk': grantKey(customerId, '').pk, ':grant': GRANT_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as GrantItem[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.keptAt - b.keptAt || a.grantId.localeCompare(b.grantId));
  }

  /** Every grant of the customer, oldest first; a v1 pair is migrated first. */
  private async readAll(customerId: string): Promise<GrantItem[]> {
    const grants = await this.query(customerId);
    if (grants.length > 0) return grants;
    // No v1 pair either: it may have been migrated since the query (the grant and the deletion
    // commit together), so one more query sees that grant. Only customers without grants pay it.
    await this.migrate(customerId);
    return this.query(customerId);
  }

  private async readGrant(customerId: string, grantId: string): Promise<GrantItem | undefined> {
    const out = await this.table.db.send(
      new GetCommand({
        TableName: this.table.name,
        Key: grantKey(customerId, grantId),
        ConsistentRead: true,
      }),
    );
    return out.Item as GrantItem | undefined;
  }

  /**
   * Moves a v1 `TOKENS` pair into a grant covering the account's profiles as stored (a
   * registration-code grant for a user this service created), re-encrypted under the grant's
   * context, and deletes it, in one transaction conditional on the v1 version read: of two
   * containers migrating at once, one wins and the other reads its grant.
   */
  private async migrate(customerId: string): Promise<void> {
    const v1Key = { pk: grantKey(customerId, '').pk, sk: TOKENS_SK };
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: v1Key, ConsistentRead: true }),
    );
    const v1 = out.Item as V1TokensItem | undefined;
    if (!v1) return;
    const account = await this.accounts.get(customerId);
    const grantId = randomUUID();
    const version = 1;
    const live = !v1.relinkRequired && v1.ciphertext !== undefined;
    const ciphertext = live
      ? await this.cipher.encrypt(
          await this.cipher.decrypt(v1.ciphertext!, customerContext(customerId, PURPOSE)),
          grantContext(customerId, grantId, version),
        )
      : undefined;
    const item: GrantItem = {
      ...grantKey(customerId, grantId),
      grantId,
      kind: account?.origin === 'CREATED' ? 'registration_code' : 'authorization_code',
      profileIds: (account?.profiles ?? []).map((p) => p.id),
      coverage: 0,
      version,
      ...(ciphertext ? { ciphertext } : { relinkRequired: true }),
      accessExpiresAt: live ? v1.accessExpiresAt : 0,
      // A v1 refresh lease left on the item: that refresh may have reached Wise.
      ...(v1.leaseOwner ? { accessInDoubt: true } : {}),
      keptAt: this.clock.now(),
    };
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.name,
                Item: item,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Delete: {
                TableName: this.table.name,
                Key: v1Key,
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': v1.version },
              },
            },
          ],
        }),
      );
    } catch (err) {
      // Another container migrated (or a v1 writer moved the pair on): read what is there now.
      if (!isTransactionConflict(err)) throw err;
    }
  }

  /** The grant a call uses: the one covering the profile, or (no profile) see the port. */
  private async resolve(customerId: string, profileId: number | undefined): Promise<GrantItem | undefined> {
    const grants = await this.readAll(customerId);
    if (profileId !== undefined) return grants.find((g) => g.profileIds.includes(profileId));
    const live = grants.filter(usable);
    const registration = live.find((g) => g.kind === 'registration_code');
    if (registration) return registration;
    if (live.length > 1) {
      const account = await this.accounts.get(customerId);
      const personal = account?.personalProfileId ?? account?.profiles.find((p) => p.type === 'PERSONAL')?.id;
      const ofPersonal = live.find((g) => personal !== undefined && g.profileIds.includes(personal));
      if (ofPersonal) return ofPersonal;
    }
    return live[0] ?? grants[0];
  }

  private async covering(customerId: string, profileId: number | undefined): Promise<GrantItem> {
    const grant = await this.resolve(customerId, profileId);
    if (!grant) throw noTokens();
    if (!usable(grant)) throw new RelinkRequiredError();
    return grant;
  }

  private cacheKey(customerId: string, grantId: string, version: number): string {
    return `${customerId}\u0000${grantId}\u0000${version}`;
  }

  private async open(customerId: string, grant: GrantItem): Promise<TokenPair> {
    if (!usable(grant)) throw new RelinkRequiredError();
    const key = this.cacheKey(customerId, grant.grantId, grant.version);
    const cached = this.plain.get(key);
    if (cached) return cached;
    const pair = JSON.parse(
      await this.cipher.decrypt(grant.ciphertext!, grantContext(customerId, grant.grantId, grant.version)),
    ) as TokenPair;
    this.plain.set(key, pair);
    return pair;
  }

  /** The stored access token may be handed out: no refresh pending or lost, and enough time left. */
  private trusted(grant: GrantItem, minValidityMs: number): boolean {
    return (
      usable(grant) &&
      !grant.accessInDoubt &&
      grant.leaseOwner === undefined &&
      grant.accessExpiresAt - this.clock.now() > minValidityMs
    );
  }

  // ---- the port ------------------------------------------------------------------------------

  async keep(customerId: string, tokens: TokenResponse, options: KeepOptions): Promise<GrantSummary> {
    if (!tokens.refresh_token) throw new Error('a user token answer carries a refresh token');
    const pair: TokenPair = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
    const grantId = randomUUID();
    const version = 1;
    const ciphertext = await this.cipher.encrypt(
      JSON.stringify(pair),
      grantContext(customerId, grantId, version),
    );
    const extra = options.alsoWrite ?? [];
    for (let attempt = 1; ; attempt++) {
      const grants = await this.readAll(customerId);
      // The one registration-code grant is replaced; Wise's covers every profile the partner created.
      const replaced =
        options.kind === 'registration_code' ? grants.find((g) => g.kind === 'registration_code') : undefined;
      const covered = [...new Set([...(replaced?.profileIds ?? []), ...options.profileIds])];
      const item: GrantItem = {
        ...grantKey(customerId, grantId),
        grantId,
        kind: options.kind,
        profileIds: covered,
        coverage: 0,
        version,
        ciphertext,
        accessExpiresAt: this.clock.now() + tokens.expires_in * 1000,
        keptAt: replaced?.keptAt ?? this.clock.now(),
      };
      const writes: TransactWrite[] = [
        { Put: { TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        ...grants.filter((g) => g !== replaced).flatMap((g) => this.giveUp(customerId, g, covered, true)),
        ...(replaced ? [this.deleteWrite(customerId, replaced)] : []),
      ];
      try {
        await this.writeAll([...writes, ...extra]);
        this.plain.set(this.cacheKey(customerId, grantId, version), pair);
        return summary(item);
      } catch (err) {
        const refused = this.refusedExtras(err, writes.length, extra.length);
        if (refused.length > 0) throw new GrantWriteRefused(refused);
        if (!isWriteConflict(err) || attempt >= COVERAGE_ATTEMPTS) throw err;
      }
    }
  }

  async addProfile(customerId: string, ref: GrantRef, profileId: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const grants = await this.readAll(customerId);
      const target =
        'grantId' in ref
          ? grants.find((g) => g.grantId === ref.grantId)
          : grants.find((g) => g.kind === ref.kind);
      if (!target || target.profileIds.includes(profileId)) return;
      const writes: TransactWrite[] = [
        this.coverageWrite(customerId, target, [...target.profileIds, profileId]),
        ...grants.filter((g) => g !== target).flatMap((g) => this.giveUp(customerId, g, [profileId], false)),
      ];
      try {
        await this.writeAll(writes);
        return;
      } catch (err) {
        if (!isWriteConflict(err) || attempt >= COVERAGE_ATTEMPTS) throw err;
      }
    }
  }

  async forProfile(customerId: string, profileId?: number): Promise<GrantSummary | undefined> {
    const grant = await this.resolve(customerId, profileId);
    return grant ? summary(grant) : undefined;
  }

  async list(customerId: string): Promise<GrantSummary[]> {
    return (await this.readAll(customerId)).map(summary);
  }

  async accessOf(
    customerId: string,
    profileIds: readonly number[] = [],
  ): Promise<Map<number, ProfileAccess>> {
    const access = new Map<number, ProfileAccess>(profileIds.map((id) => [id, 'NONE']));
    for (const g of await this.readAll(customerId))
      for (const id of g.profileIds) access.set(id, usable(g) ? 'GRANTED' : 'RELINK_REQUIRED');
    return access;
  }

  async forgetAll(customerId: string): Promise<void> {
    this.plain.deletePrefix(`${customerId}\u0000`);
    const keys = [
      ...(await this.query(customerId)).map((g) => grantKey(customerId, g.grantId)),
      { pk: grantKey(customerId, '').pk, sk: TOKENS_SK },
    ];
    // A refresh in flight finds no item to write to (its write is conditional on the lease owner).
    for (const Key of keys) await this.table.db.send(new DeleteCommand({ TableName: this.table.name, Key }));
  }

  async accessToken(
    customerId: string,
    profileId: number | undefined,
    options: AccessTokenOptions,
  ): Promise<IssuedAccessToken> {
    const minValidityMs = options.minValidityMs ?? REFRESH_WINDOW_MS;
    let grant = await this.covering(customerId, profileId);
    let accessToken: string;
    if (this.trusted(grant, minValidityMs)) accessToken = (await this.open(customerId, grant)).accessToken;
    else
      ({ accessToken, grant } = await this.refresh(
        customerId,
        profileId,
        grant,
        options.deadline,
        minValidityMs,
      ));
    return {
      accessToken,
      expiresAt: grant.accessExpiresAt,
      grantId: grant.grantId,
      profileIds: [...grant.profileIds],
    };
  }

  async withAccessToken<T>(
    customerId: string,
    profileId: number | undefined,
    call: (accessToken: string, grant: GrantSummary) => Promise<T>,
    options: AccessTokenOptions,
  ): Promise<T> {
    const minValidityMs = options.minValidityMs ?? REFRESH_WINDOW_MS;
    let grant = await this.covering(customerId, profileId);
    let token: string;
    if (this.trusted(grant, minValidityMs)) token = (await this.open(customerId, grant)).accessToken;
    else
      ({ accessToken: token, grant } = await this.refresh(
        customerId,
        profileId,
        grant,
        options.deadline,
        minValidityMs,
      ));
    try {
      return await call(token, summary(grant));
    } catch (err) {
      // Wise refused a token that should still be valid (refreshed elsewhere, revoked): refresh once.
      if (classifyTokenRefusal(err) !== 'invalid_token') throw err;
      const fresh = await this.refresh(customerId, profileId, grant, options.deadline, minValidityMs, token);
      return call(fresh.accessToken, summary(fresh.grant));
    }
  }

  // ---- refresh -------------------------------------------------------------------------------

  /** The refresh lease lives on the grant item, and only on the version the refresher read. */
  private refreshLease(customerId: string, grant: GrantItem): LeaseSpec {
    return { key: grantKey(customerId, grant.grantId), guard: { version: grant.version } };
  }

  /**
   * Refreshes under the lease, or waits for another caller's refresh. `rejected` is an access token
   * Wise just refused: once the stored one differs (someone refreshed meanwhile) it is used as is.
   */
  private async refresh(
    customerId: string,
    profileId: number | undefined,
    seen: GrantItem,
    deadline: number,
    minValidityMs: number,
    rejected?: string,
  ): Promise<{ accessToken: string; grant: GrantItem }> {
    // One owner per refresh, not per container: two requests of one local process must not share a lease.
    const owner = `${this.container}/${randomUUID()}`;
    let grant = seen;
    let first = true;
    const done = await waitUntil(
      async () => {
        if (!first) {
          const next =
            (await this.readGrant(customerId, grant.grantId)) ?? (await this.resolve(customerId, profileId));
          if (!next) throw noTokens();
          if (next.grantId !== grant.grantId || next.version !== grant.version) rejected = undefined;
          grant = next;
        }
        first = false;
        if (!usable(grant)) throw new RelinkRequiredError();
        if (grant.leaseOwner === undefined && !grant.accessInDoubt) {
          if (rejected) {
            const current = await this.open(customerId, grant);
            if (current.accessToken !== rejected) return { accessToken: current.accessToken, grant };
          } else if (this.trusted(grant, minValidityMs)) {
            return { accessToken: (await this.open(customerId, grant)).accessToken, grant };
          }
        }
        // The refresh's Wise calls end by `until`; the lease outlives them (see the class comment).
        const until = Math.min(deadline, Date.now() + this.options.refreshBudgetMs);
        const leaseMs = Math.max(0, until - Date.now()) + LEASE_MARGIN_MS;
        if (!(await this.lease.take(this.refreshLease(customerId, grant), owner, leaseMs))) return undefined;
        return this.refreshHoldingLease(customerId, grant, owner, until);
      },
      { every: POLL_MS, deadline },
    );
    if (!done) throw refreshTooSlow();
    return done;
  }

  /**
   * Refreshes at Wise holding the lease. A definite refusal other than `invalid_grant` changed
   * nothing at Wise: the lease is released. `invalid_grant`: a registration-code grant is re-minted,
   * any other grant becomes RELINK_REQUIRED. Anything else (timeouts, 5xx, a lost answer) may have
   * refreshed at Wise: the grant is marked in doubt so that the next caller refreshes again.
   * Undefined when the fenced write found the lease or version gone (the caller reads again).
   */
  private async refreshHoldingLease(
    customerId: string,
    grant: GrantItem,
    owner: string,
    until: number,
  ): Promise<{ accessToken: string; grant: GrantItem } | undefined> {
    let pair: TokenPair;
    try {
      pair = await this.open(customerId, grant);
    } catch (err) {
      await this.releaseLease(customerId, grant, owner);
      throw err;
    }
    const options = { deadline: until };
    let fresh: TokenResponse;
    try {
      fresh = await this.wise.refreshToken(pair.refreshToken, options);
    } catch (err) {
      // What the refusal says about the grant is decided in one place (shared/wise/token-refusal.ts):
      // Wise's documents give a refused grant as 400, 401 or 403, with `invalid_grant` or (after an
      // email change at Wise) a body without an OAuth error.
      const refusal = classifyTokenRefusal(err);
      if (refusal === 'transient' || !(err instanceof WiseApiError)) {
        // No answer, or none that can be trusted: Wise may have rotated the pair.
        await this.markInDoubt(customerId, grant, owner);
        throw err;
      }
      if (refusal !== 'invalid_grant') {
        // Our client credentials or our request were refused: nothing about this grant changed.
        await this.releaseLease(customerId, grant, owner);
        throw err;
      }
      let reminted: TokenResponse | undefined;
      if (grant.kind === 'registration_code') {
        try {
          reminted = await this.refused.remint(customerId, options);
        } catch (e) {
          const remintRefusal = classifyTokenRefusal(e);
          if (remintRefusal === 'transient' || !(e instanceof WiseApiError)) {
            await this.markInDoubt(customerId, grant, owner);
            throw e;
          }
          if (remintRefusal !== 'invalid_grant') {
            // The registration code may still be good once our credentials are: keep the grant.
            await this.releaseLease(customerId, grant, owner);
            throw e;
          }
        }
      }
      if (!reminted) {
        await this.relinkRequired(customerId, grant, owner);
        throw new RelinkRequiredError();
      }
      fresh = reminted;
    }
    const next: TokenPair = {
      accessToken: fresh.access_token,
      refreshToken: fresh.refresh_token ?? pair.refreshToken,
    };
    let written: GrantItem | undefined;
    try {
      written = await this.writeRefreshed(customerId, grant, owner, next, fresh.expires_in);
    } catch (err) {
      // Wise refreshed but the new pair could not be kept (KMS or the table failed): the stored
      // access token is no longer good. In doubt, lease given back: the next caller refreshes again.
      await this.markInDoubt(customerId, grant, owner);
      throw err;
    }
    if (!written) return undefined;
    return { accessToken: next.accessToken, grant: written };
  }

  /** The fenced write: only while `owner` holds the lease on the version it read. */
  private async writeRefreshed(
    customerId: string,
    grant: GrantItem,
    owner: string,
    pair: TokenPair,
    expiresIn: number,
  ): Promise<GrantItem | undefined> {
    const version = grant.version + 1;
    const ciphertext = await this.cipher.encrypt(
      JSON.stringify(pair),
      grantContext(customerId, grant.grantId, version),
    );
    try {
      const out = await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: grantKey(customerId, grant.grantId),
          UpdateExpression:
            'SET ciphertext = :c, version = :next, accessExpiresAt = :exp REMOVE accessInDoubt, #owner, #until',
          ConditionExpression: '#owner = :me AND version = :v',
          ExpressionAttributeNames: { '#owner': LEASE_OWNER, '#until': LEASE_UNTIL },
          ExpressionAttributeValues: {
            ':c': ciphertext,
            ':next': version,
            ':exp': this.clock.now() + expiresIn * 1000,
            ':me': owner,
            ':v': grant.version,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.plain.set(this.cacheKey(customerId, grant.grantId, version), pair);
      return out.Attributes as GrantItem;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return undefined;
      // The write may have landed with its answer lost: our own ciphertext at our version says so.
      const landed = await this.readGrant(customerId, grant.grantId).catch(() => undefined);
      if (landed?.version !== version || landed.ciphertext !== ciphertext) throw err;
      this.plain.set(this.cacheKey(customerId, grant.grantId, version), pair);
      return landed;
    }
  }

  /** The refresh may have happened at Wise: nobody gets the stored access token before a new refresh. */
  private async markInDoubt(customerId: string, grant: GrantItem, owner: string): Promise<void> {
    await this.fencedUpdate(customerId, grant, owner, 'SET accessInDoubt = :t REMOVE #owner, #until', {
      ':t': true,
    }).catch(() => undefined); // The lease left in place says the same to the next caller.
  }

  /** Wise refused the grant for good: the ciphertext goes, its profiles answer RELINK_REQUIRED. */
  private async relinkRequired(customerId: string, grant: GrantItem, owner: string): Promise<void> {
    this.plain.delete(this.cacheKey(customerId, grant.grantId, grant.version));
    const changed = await this.fencedUpdate(
      customerId,
      grant,
      owner,
      'SET relinkRequired = :t, version = :next, accessExpiresAt = :zero REMOVE ciphertext, accessInDoubt, #owner, #until',
      { ':t': true, ':next': grant.version + 1, ':zero': 0 },
    );
    if (!changed) return;
    // Decision (documented on the port): the account needs a relink once no usable grant remains.
    if (!(await this.query(customerId)).some(usable)) await this.refused.markRelinkRequired(customerId);
  }

  private async fencedUpdate(
    customerId: string,
    grant: GrantItem,
    owner: string,
    update: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: grantKey(customerId, grant.grantId),
          UpdateExpression: update,
          ConditionExpression: '#owner = :me AND version = :v',
          ExpressionAttributeNames: { '#owner': LEASE_OWNER, '#until': LEASE_UNTIL },
          ExpressionAttributeValues: { ...values, ':me': owner, ':v': grant.version },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailure(err)) return false;
      throw err;
    }
  }

  private async releaseLease(customerId: string, grant: GrantItem, owner: string): Promise<void> {
    await this.lease.release(this.refreshLease(customerId, grant), owner).catch(() => undefined);
  }

  // ---- coverage writes -----------------------------------------------------------------------

  /**
   * What another grant becomes when `taken` profiles move to a new grant: it keeps the rest, and is
   * deleted when nothing is left (and, for a newly kept grant, an empty authorization-code grant:
   * Wise has just invalidated its refresh token, and it reaches no profile).
   */
  private giveUp(
    customerId: string,
    g: GrantItem,
    taken: readonly number[],
    dropEmptyAuth: boolean,
  ): TransactWrite[] {
    const rest = g.profileIds.filter((id) => !taken.includes(id));
    if (rest.length === g.profileIds.length) {
      return dropEmptyAuth && rest.length === 0 && g.kind === 'authorization_code'
        ? [this.deleteWrite(customerId, g)]
        : [];
    }
    return rest.length === 0 ? [this.deleteWrite(customerId, g)] : [this.coverageWrite(customerId, g, rest)];
  }

  /** Coverage changes are compare-and-set on `coverage`; the token pair and the lease are left alone. */
  private coverageWrite(customerId: string, g: GrantItem, profileIds: number[]): TransactWrite {
    return {
      Update: {
        TableName: this.table.name,
        Key: grantKey(customerId, g.grantId),
        UpdateExpression: 'SET profileIds = :ids, coverage = :next',
        ConditionExpression: 'coverage = :seen',
        ExpressionAttributeValues: { ':ids': profileIds, ':next': g.coverage + 1, ':seen': g.coverage },
      },
    };
  }

  private deleteWrite(customerId: string, g: GrantItem): TransactWrite {
    this.plain.delete(this.cacheKey(customerId, g.grantId, g.version));
    return {
      Delete: {
        TableName: this.table.name,
        Key: grantKey(customerId, g.grantId),
        ConditionExpression: 'coverage = :seen',
        ExpressionAttributeValues: { ':seen': g.coverage },
      },
    };
  }

  /**
   * Writes that must land together go in one transaction; a single write goes alone, with the
   * same condition: DynamoDB bills a transactional item twice (2 WCU), so the common case of a
   * grant kept or covering one more profile, with no other grant touched, costs half.
   */
  private async writeAll(writes: readonly TransactWrite[]): Promise<void> {
    const only = writes.length === 1 ? writes[0] : undefined;
    if (only?.Put) await this.table.db.send(new PutCommand(only.Put));
    else if (only?.Update) await this.table.db.send(new UpdateCommand(only.Update));
    else if (only?.Delete) await this.table.db.send(new DeleteCommand(only.Delete));
    else await this.table.db.send(new TransactWriteCommand({ TransactItems: [...writes] }));
  }

  /** Indexes (into `alsoWrite`) of the caller's writes whose condition failed. */
  private refusedExtras(err: unknown, offset: number, count: number): number[] {
    if (!isTransactionConflict(err)) return [];
    const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    const refused: number[] = [];
    for (let i = 0; i < count; i++)
      if (reasons[offset + i]?.Code === 'ConditionalCheckFailed') refused.push(i);
    return refused;
  }
}
