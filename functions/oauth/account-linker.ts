import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccountStatus } from '../../shared/domain/account';
import { checkIdentity } from '../../shared/domain/linking/identity';
import type { AccountStore } from '../../shared/ports/accounts';
import type { UserTokens } from '../../shared/ports/user-tokens';
import type { TokenResponse, WiseApi, WiseProfile } from '../../shared/ports/wise';
import { WiseApiError, WiseContractError, WiseUnavailableError } from '../../shared/wise/errors';

export interface AccountLinkerPorts {
  readonly wise: WiseApi;
  readonly tokens: UserTokens;
  readonly accounts: AccountStore;
  readonly logger: Logger;
  /** The redirect URI registered with Wise: a code exchange must name it exactly. */
  readonly redirectUri: string;
}

/** A code Wise gave the customer (callback or email), to be turned into a link for one customer. */
export interface LinkGrant {
  readonly customerId: string;
  readonly code: string;
  /** The profile the customer granted (the callback's `profileId`); the email flow has none. */
  readonly profileId?: number;
  readonly partnerDateOfBirth?: string;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
}

export type LinkResult =
  | { kind: 'linked'; profileId: number; wiseUserId: number }
  /** `rejected`: Wise refused the code; `unavailable`: Wise did not answer in time. */
  | { kind: 'exchange_failed'; cause: 'rejected' | 'unavailable' }
  | { kind: 'identity_mismatch' };

/** Completes a link from a grant; the callback and the email fallback depend on this, not on how. */
export interface LinkCompleter {
  link(grant: LinkGrant): Promise<LinkResult>;
}

const causeOf = (err: unknown): 'rejected' | 'unavailable' => {
  if (err instanceof WiseApiError || err instanceof WiseContractError) return 'rejected';
  if (err instanceof WiseUnavailableError) return 'unavailable';
  throw err;
};

/**
 * Completing a link, shared by the OAuth callback and the email fallback: exchange the code with
 * the registered redirect URI, read the granted profile with the new token, check it is the
 * partner's customer, and only then keep the tokens and mark the account LINKED.
 */
export class AccountLinker implements LinkCompleter {
  constructor(private readonly deps: AccountLinkerPorts) {}

  async link(grant: LinkGrant): Promise<LinkResult> {
    const { wise, redirectUri } = this.deps;
    const options = { deadline: grant.deadline };
    let tokens: TokenResponse;
    try {
      tokens = await wise.authorizationCodeToken(grant.code, redirectUri, options);
    } catch (err) {
      return { kind: 'exchange_failed', cause: causeOf(err) };
    }

    let profile: WiseProfile | undefined;
    let wiseUserId: number;
    try {
      profile = await this.grantedProfile(tokens.access_token, grant.profileId, options);
      wiseUserId = (await wise.me(tokens.access_token, options)).id;
    } catch (err) {
      return { kind: 'exchange_failed', cause: causeOf(err) };
    }
    if (!profile) return { kind: 'exchange_failed', cause: 'rejected' };

    // The tokens have not been stored yet: on a mismatch they are simply dropped.
    if (!(await this.isSameCustomer(grant, profile))) {
      await this.setStatus(grant.customerId, 'LINK_REJECTED');
      this.deps.logger.warn('link rejected', {
        customerId: grant.customerId,
        profileId: profile.id,
        reason: 'identity_mismatch',
      });
      return { kind: 'identity_mismatch' };
    }

    await this.deps.tokens.store(grant.customerId, tokens);
    const type = profile.type === 'BUSINESS' ? 'BUSINESS' : 'PERSONAL';
    await this.deps.accounts.putProfile(grant.customerId, { id: profile.id, type });
    await this.setStatus(grant.customerId, 'LINKED', {
      wiseUserId,
      ...(type === 'PERSONAL' ? { personalProfileId: profile.id } : {}),
    });
    this.deps.logger.info('link completed', { customerId: grant.customerId, profileId: profile.id });
    return { kind: 'linked', profileId: profile.id, wiseUserId };
  }

  /** The granted profile; without a profileId (email flow), the personal profile, else the first. */
  private async grantedProfile(token: string, profileId: number | undefined, options: { deadline: number }) {
    if (profileId !== undefined) return this.deps.wise.getProfile(token, profileId, options);
    const profiles = await this.deps.wise.listProfiles(token, options);
    return profiles.find((p) => p.type === 'PERSONAL') ?? profiles[0];
  }

  /**
   * The same person by date of birth, and not a profile another of the partner's customers already
   * holds: webhooks find their customer by profile id, so a profile must belong to one customer only.
   */
  private async isSameCustomer(grant: LinkGrant, profile: WiseProfile): Promise<boolean> {
    if (checkIdentity(grant.partnerDateOfBirth, profile) === 'mismatch') return false;
    const holder = await this.deps.accounts.customerOfProfile(profile.id);
    return holder === undefined || holder === grant.customerId;
  }

  private async setStatus(
    customerId: string,
    status: AccountStatus,
    fields: { wiseUserId?: number; personalProfileId?: number } = {},
  ): Promise<void> {
    const update = { status, ...(status === 'LINKED' ? { origin: 'LINKED' as const } : {}), ...fields };
    if (await this.deps.accounts.update(customerId, update)) return;
    if (await this.deps.accounts.create({ customerId, ...update })) return;
    // Created by a concurrent request between the two calls: the update now finds it.
    await this.deps.accounts.update(customerId, update);
  }
}
