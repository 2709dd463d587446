import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors/domain-error';
import { customerContext, type Cipher } from '../ports/cipher';
import type { Clock } from '../ports/clock';
import type { Lease, LeaseSpec } from '../ports/lease';
import { noTokens, RelinkRequiredError, type UserTokens } from '../ports/user-tokens';
import type { WiseApi, WiseCallOptions as CallOptions } from '../ports/wise';
import { waitUntil } from '../runtime/wait';
import type { Table } from '../store/dynamo';
import { customerPk } from '../store/account-store';
import { WiseApiError } from '../wise/errors';
import type { TokenResponse } from '../wise/schemas';

/** Refresh when less than this is left (Wise's own sample refreshes one hour ahead). */
export const REFRESH_WINDOW_MS = 60 * 60 * 1000;
/** A refresh lease outlives one refresh call with its retries, and no more. */
const LEASE_MS = 20_000;
/** How often a caller waiting for another's refresh looks for the new version. */
const POLL_MS = 50;
/** A waiting caller without a deadline of its own gives up after this long. */
const DEFAULT_WAIT_MS = 20_000;
const TOKENS_SK = 'TOKENS';
const PURPOSE = 'wise-user-tokens';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

interface TokenItem {
  /** Absent on a tombstone: Wise refused the refresh and the tokens were deleted. */
  ciphertext?: string;
  /** Set when Wise refused a refresh: every later call answers RELINK_REQUIRED until a new link stores tokens. */
  relinkRequired?: boolean;
  accessExpiresAt: number;
  version: number;
}

export { noTokens, RelinkRequiredError } from '../ports/user-tokens';

/** Another caller's refresh did not finish within this request's deadline. */
const refreshTooSlow = () =>
  new DomainError('WISE_UNAVAILABLE', {
    detail: 'Token refresh is taking too long; retry.',
    retryAfterSeconds: 2,
  });

/** What to do when Wise refuses a refresh: mint again from the registration code, or give up. */
export interface RefreshRefusedPolicy {
  /** New tokens from the registration code, for users this service created; undefined otherwise. */
  remint(customerId: string, options: CallOptions): Promise<TokenResponse | undefined>;
  /** Marks the customer RELINK_REQUIRED. */
  markRelinkRequired(customerId: string): Promise<void>;
}

/**
 * The customer's Wise user tokens: stored KMS-encrypted, decrypted only when needed, refreshed
 * when less than an hour is left. Refreshing invalidates Wise's previous access token, so a lease
 * on the tokens item, guarded by the version read, makes one caller the refresher; the others wait
 * for the new version.
 */
export class UserTokenService implements UserTokens {
  /** Decrypted tokens by customer and version: a warm container does not pay KMS per request. */
  private readonly plain = new Map<string, { version: number; pair: TokenPair }>();
  private readonly container = randomUUID();

  constructor(
    private readonly table: Table,
    private readonly cipher: Cipher,
    private readonly wise: WiseApi,
    private readonly clock: Clock,
    private readonly refused: RefreshRefusedPolicy,
    private readonly lease: Lease,
  ) {}

  private key(customerId: string) {
    return { pk: customerPk(customerId), sk: TOKENS_SK };
  }

  /** The refresh lease lives on the tokens item, and only on the version the refresher read. */
  private refreshLease(customerId: string, version: number): LeaseSpec {
    return { key: this.key(customerId), guard: { version } };
  }

  private async read(customerId: string): Promise<TokenItem | undefined> {
    const out = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: this.key(customerId), ConsistentRead: true }),
    );
    return out.Item as TokenItem | undefined;
  }

  private async open(customerId: string, item: TokenItem): Promise<TokenPair> {
    if (item.relinkRequired || !item.ciphertext) throw new RelinkRequiredError();
    const cached = this.plain.get(customerId);
    if (cached && cached.version === item.version) return cached.pair;
    const pair = JSON.parse(
      await this.cipher.decrypt(item.ciphertext, customerContext(customerId, PURPOSE)),
    ) as TokenPair;
    this.plain.set(customerId, { version: item.version, pair });
    return pair;
  }

  /** Stores a fresh token answer from Wise (signup, linking, refresh), replacing what was there. */
  async store(customerId: string, tokens: TokenResponse, previousVersion?: number): Promise<void> {
    if (!tokens.refresh_token) throw new Error('a user token answer carries a refresh token');
    const pair: TokenPair = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
    const ciphertext = await this.cipher.encrypt(JSON.stringify(pair), customerContext(customerId, PURPOSE));
    const version = (previousVersion ?? (await this.read(customerId))?.version ?? 0) + 1;
    await this.table.db.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...this.key(customerId),
          ciphertext,
          accessExpiresAt: this.clock.now() + tokens.expires_in * 1000,
          version,
        },
      }),
    );
    this.plain.set(customerId, { version, pair });
  }

  async discard(customerId: string): Promise<void> {
    this.plain.delete(customerId);
    await this.table.db.send(new DeleteCommand({ TableName: this.table.name, Key: this.key(customerId) }));
  }

  async has(customerId: string): Promise<boolean> {
    const item = await this.read(customerId);
    return item !== undefined && !item.relinkRequired;
  }

  /**
   * Deletes the tokens but leaves a tombstone, so that every later call for this customer answers
   * RELINK_REQUIRED (not "no tokens yet") until a new link stores fresh tokens over it.
   */
  private async revokeLocally(customerId: string, version: number): Promise<void> {
    this.plain.delete(customerId);
    await this.table.db.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...this.key(customerId), relinkRequired: true, accessExpiresAt: 0, version: version + 1 },
      }),
    );
  }

  /** A usable access token, refreshed first when it is close to expiry. */
  async accessToken(customerId: string, options: CallOptions = {}): Promise<string> {
    const item = await this.read(customerId);
    if (!item) throw noTokens();
    if (item.relinkRequired) throw new RelinkRequiredError();
    if (item.accessExpiresAt - this.clock.now() > REFRESH_WINDOW_MS)
      return (await this.open(customerId, item)).accessToken;
    return this.refresh(customerId, item, options);
  }

  /**
   * Runs a call with the customer's access token. When Wise refuses the token although it should
   * still be valid (revoked, rotated elsewhere), refreshes once and retries.
   */
  async withAccessToken<T>(
    customerId: string,
    call: (token: string) => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const token = await this.accessToken(customerId, options);
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof WiseApiError) || !err.isInvalidToken) throw err;
      const item = await this.read(customerId);
      if (!item) throw noTokens();
      if (item.relinkRequired) throw new RelinkRequiredError();
      const fresh = await this.refresh(customerId, item, options, token);
      return call(fresh);
    }
  }

  /**
   * Refreshes under a lease. `rejected` is an access token Wise just refused: if the stored
   * token is already a different one, another caller refreshed meanwhile and it is used as is.
   * While another caller holds the lease, waits for the version it will store.
   */
  private async refresh(
    customerId: string,
    seen: TokenItem,
    options: CallOptions,
    rejected?: string,
  ): Promise<string> {
    // One owner per refresh, not per container: two requests of one local process must not share a lease.
    const owner = `${this.container}/${randomUUID()}`;
    let item: TokenItem | undefined = seen;
    let first = true;
    const token = await waitUntil(
      async () => {
        if (!first) {
          const next = await this.read(customerId);
          if (next && item && next.version !== item.version) rejected = undefined;
          item = next;
        }
        first = false;
        if (!item || item.relinkRequired) throw new RelinkRequiredError();
        if (rejected) {
          const current = await this.open(customerId, item);
          if (current.accessToken !== rejected) return current.accessToken;
        } else if (item.accessExpiresAt - this.clock.now() > REFRESH_WINDOW_MS) {
          return (await this.open(customerId, item)).accessToken;
        }
        if (!(await this.lease.take(this.refreshLease(customerId, item.version), owner, LEASE_MS)))
          return undefined;
        return this.refreshHoldingLease(customerId, item, options, owner);
      },
      { every: POLL_MS, deadline: options.deadline ?? Date.now() + DEFAULT_WAIT_MS },
    );
    if (token === undefined) throw refreshTooSlow();
    return token;
  }

  /** Storing the new version replaces the whole item, lease included: success needs no release. */
  private async refreshHoldingLease(
    customerId: string,
    item: TokenItem,
    options: CallOptions,
    owner: string,
  ): Promise<string> {
    const pair = await this.open(customerId, item);
    let fresh: TokenResponse;
    try {
      fresh = await this.wise.refreshToken(pair.refreshToken, options);
    } catch (err) {
      // Wise documents only `invalid_grant` for a refused refresh, with no fixed status (400/401/403).
      // Any other refusal (invalid_client after a secret rotation, invalid_request) says nothing about
      // this customer's tokens: deleting them would force every customer to link again.
      if (!(err instanceof WiseApiError) || !err.isInvalidGrant) {
        await this.releaseLease(customerId, item.version, owner);
        throw err;
      }
      const reminted = await this.refused.remint(customerId, options).catch(async (e: unknown) => {
        if (e instanceof WiseApiError) return undefined;
        await this.releaseLease(customerId, item.version, owner);
        throw e;
      });
      if (!reminted) {
        await this.revokeLocally(customerId, item.version);
        await this.refused.markRelinkRequired(customerId);
        throw new RelinkRequiredError();
      }
      fresh = reminted;
    }
    if (!fresh.refresh_token) fresh = { ...fresh, refresh_token: pair.refreshToken };
    await this.store(customerId, fresh, item.version);
    return fresh.access_token;
  }

  private async releaseLease(customerId: string, version: number, owner: string): Promise<void> {
    await this.lease.release(this.refreshLease(customerId, version), owner).catch(() => undefined);
  }
}
