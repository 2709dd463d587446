import { randomUUID } from 'node:crypto';
import {
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
} from '../../../shared/ports/grants';
import { noTokens, RelinkRequiredError } from '../../../shared/ports/user-tokens';
import { WiseApiError } from '../../../shared/wise/errors';
import type { TokenResponse } from '../../../shared/wise/schemas';

interface HeldGrant {
  grantId: string;
  kind: GrantKind;
  profileIds: number[];
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  relinkRequired: boolean;
  version: number;
  keptAt: number;
}

const summary = (g: HeldGrant): GrantSummary => ({
  grantId: g.grantId,
  kind: g.kind,
  profileIds: [...g.profileIds],
  relinkRequired: g.relinkRequired,
  version: g.version,
});

/**
 * The {@link Grants} port in memory, with the DynamoDB service's rules: one grant per profile (a
 * new grant takes its profiles from older ones, an emptied one is deleted), one registration-code
 * grant, the "no profile given" choice (registration-code grant, else `personalProfileId` set with
 * {@link personal}, else the oldest usable grant), ACCOUNT_NOT_READY / RELINK_REQUIRED, and on a
 * 401 WiseApiError one "refresh" (a new access token) and one retry. No expiry, no lease: those are
 * the service's and are tested against DynamoDB Local and the simulator.
 */
export class InMemoryGrants implements Grants {
  readonly held = new Map<string, Map<string, HeldGrant>>();
  /** Every `alsoWrite` a successful keep committed, in order. */
  readonly transactWrites: TransactWrite[] = [];
  /** Refreshes made after Wise refused a token, by grant id. */
  readonly refreshes = new Map<string, number>();
  private readonly personalProfiles = new Map<string, number>();
  private refuseNext?: number[];
  private kept = 0;

  constructor(private readonly now: () => number = () => 0) {}

  private of(customerId: string): Map<string, HeldGrant> {
    let grants = this.held.get(customerId);
    if (!grants) this.held.set(customerId, (grants = new Map()));
    return grants;
  }

  private covering(customerId: string, profileId: number | undefined): HeldGrant | undefined {
    const grants = [...this.of(customerId).values()].sort((a, b) => a.keptAt - b.keptAt);
    if (profileId !== undefined) return grants.find((g) => g.profileIds.includes(profileId));
    const usable = grants.filter((g) => !g.relinkRequired);
    const personal = this.personalProfiles.get(customerId);
    return (
      usable.find((g) => g.kind === 'registration_code') ??
      (personal !== undefined ? usable.find((g) => g.profileIds.includes(personal)) : undefined) ??
      usable[0] ??
      grants[0]
    );
  }

  async keep(customerId: string, tokens: TokenResponse, options: KeepOptions): Promise<GrantSummary> {
    if (!tokens.refresh_token) throw new Error('a user token answer carries a refresh token');
    if (this.refuseNext) {
      const refused = this.refuseNext;
      this.refuseNext = undefined;
      throw new GrantWriteRefused(refused);
    }
    const grants = this.of(customerId);
    const grantId = randomUUID();
    // The one registration-code grant is replaced, its profiles kept: Wise's covers every profile the partner made.
    const previous = [...grants.values()].find(
      (g) => options.kind === 'registration_code' && g.kind === options.kind,
    );
    if (previous) grants.delete(previous.grantId);
    const covered = [...new Set([...(previous?.profileIds ?? []), ...options.profileIds])];
    for (const other of grants.values()) {
      const had = other.profileIds.length;
      other.profileIds = other.profileIds.filter((id) => !covered.includes(id));
      if (other.profileIds.length === 0 && (had > 0 || other.kind === 'authorization_code'))
        grants.delete(other.grantId);
    }
    const grant: HeldGrant = {
      grantId,
      kind: options.kind,
      profileIds: covered,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: this.now() + tokens.expires_in * 1000,
      relinkRequired: false,
      version: 1,
      keptAt: previous?.keptAt ?? ++this.kept,
    };
    grants.set(grantId, grant);
    this.transactWrites.push(...(options.alsoWrite ?? []));
    return summary(grant);
  }

  async addProfile(customerId: string, ref: GrantRef, profileId: number): Promise<void> {
    const grants = this.of(customerId);
    const grant =
      'grantId' in ref ? grants.get(ref.grantId) : [...grants.values()].find((g) => g.kind === ref.kind);
    if (!grant || grant.profileIds.includes(profileId)) return;
    for (const other of grants.values()) other.profileIds = other.profileIds.filter((id) => id !== profileId);
    grant.profileIds.push(profileId);
  }

  async forProfile(customerId: string, profileId?: number): Promise<GrantSummary | undefined> {
    const grant = this.covering(customerId, profileId);
    return grant ? summary(grant) : undefined;
  }

  async list(customerId: string): Promise<GrantSummary[]> {
    return [...this.of(customerId).values()].sort((a, b) => a.keptAt - b.keptAt).map(summary);
  }

  private usable(customerId: string, profileId: number | undefined): HeldGrant {
    const grant = this.covering(customerId, profileId);
    if (!grant) throw noTokens();
    if (grant.relinkRequired) throw new RelinkRequiredError();
    return grant;
  }

  async accessToken(customerId: string, profileId: number | undefined): Promise<IssuedAccessToken> {
    const grant = this.usable(customerId, profileId);
    return {
      accessToken: grant.accessToken,
      expiresAt: grant.expiresAt,
      grantId: grant.grantId,
      profileIds: [...grant.profileIds],
    };
  }

  async withAccessToken<T>(
    customerId: string,
    profileId: number | undefined,
    call: (accessToken: string, grant: GrantSummary) => Promise<T>,
    _options?: AccessTokenOptions,
  ): Promise<T> {
    const grant = this.usable(customerId, profileId);
    try {
      return await call(grant.accessToken, summary(grant));
    } catch (err) {
      if (!(err instanceof WiseApiError) || !err.isInvalidToken) throw err;
      const count = (this.refreshes.get(grant.grantId) ?? 0) + 1;
      this.refreshes.set(grant.grantId, count);
      grant.accessToken = `${grant.accessToken}~refreshed${count}`;
      grant.version += 1;
      return call(grant.accessToken, summary(grant));
    }
  }

  async accessOf(
    customerId: string,
    profileIds: readonly number[] = [],
  ): Promise<Map<number, ProfileAccess>> {
    const access = new Map<number, ProfileAccess>(profileIds.map((id) => [id, 'NONE']));
    for (const g of this.of(customerId).values())
      for (const id of g.profileIds) access.set(id, g.relinkRequired ? 'RELINK_REQUIRED' : 'GRANTED');
    return access;
  }

  async forgetAll(customerId: string): Promise<void> {
    this.held.delete(customerId);
  }

  /** Test setup: the customer holds a grant covering these profiles. */
  give(
    customerId: string,
    grant: { kind?: GrantKind; profileIds?: number[]; accessToken?: string; refreshToken?: string } = {},
  ): GrantSummary {
    const kind = grant.kind ?? 'authorization_code';
    const grantId = randomUUID();
    const held: HeldGrant = {
      grantId,
      kind,
      profileIds: [...(grant.profileIds ?? [])],
      accessToken: grant.accessToken ?? `access-${customerId}-${grantId}`,
      refreshToken: grant.refreshToken ?? `refresh-${customerId}-${grantId}`,
      expiresAt: this.now() + 12 * 3600_000,
      relinkRequired: false,
      version: 1,
      keptAt: ++this.kept,
    };
    this.of(customerId).set(grantId, held);
    return summary(held);
  }

  /** Test setup: which profile is the customer's personal one ("no profile given" falls back to its grant). */
  personal(customerId: string, profileId: number): this {
    this.personalProfiles.set(customerId, profileId);
    return this;
  }

  /** Test setup: Wise refused this grant (or the grant covering this profile) for good. */
  requireRelink(customerId: string, grant: { grantId: string } | { profileId: number }): this {
    const held =
      'grantId' in grant
        ? this.of(customerId).get(grant.grantId)
        : this.covering(customerId, grant.profileId);
    if (held) held.relinkRequired = true;
    return this;
  }

  /** Test setup: the next keep fails as if these `alsoWrite` conditions had failed. */
  refuseNextKeep(refusedWrites: number[] = [0]): this {
    this.refuseNext = refusedWrites;
    return this;
  }
}
