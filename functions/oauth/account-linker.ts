import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccountStatus, CustomerAccount } from '../../shared/domain/account';
import { verifyIdentity } from '../../shared/domain/linking/identity';
import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import type { AuditActor, AuditTrail } from '../../shared/ports/audit';
import { GrantWriteRefused, type Grants } from '../../shared/ports/grants';
import type { IdentityRecords } from '../../shared/ports/identity';
import type { ProfileOwners } from '../../shared/ports/profile-owners';
import type { TokenResponse, WiseApi, WiseCallOptions, WiseProfile } from '../../shared/ports/wise';
import { WiseApiError, WiseContractError } from '../../shared/wise/errors';

export interface AccountLinkerPorts {
  readonly wise: Pick<WiseApi, 'authorizationCodeToken' | 'getProfile' | 'listProfiles' | 'me'>;
  readonly grants: Pick<Grants, 'keep'>;
  readonly accounts: Pick<AccountStore, 'get' | 'create' | 'update' | 'putProfile' | 'customerOfProfile'>;
  readonly identities: Pick<IdentityRecords, 'summary' | 'compare'>;
  readonly owners: Pick<ProfileOwners, 'ownerOf' | 'claimWrite'>;
  readonly audit: Pick<AuditTrail, 'record' | 'transactItem'>;
  readonly logger: Logger;
  /** The redirect URI registered with Wise: a code exchange must name it exactly. */
  readonly redirectUri: string;
}

/** A code Wise gave for one customer (kept by the callback, or typed by the customer), to be linked. */
export interface CodeToLink {
  readonly customerId: string;
  /** The authorization code; absent when `tokens` (an earlier exchange of it) is given. */
  readonly code?: string;
  /** Wise's answer to an earlier exchange of the code, when a completion resumes after an outage. */
  readonly tokens?: TokenResponse;
  /** The profile the customer chose on Wise's page (the callback's `profileId`); the email flow has none. */
  readonly profileId?: number;
  readonly actor: AuditActor;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
  /** Called once Wise exchanged the code, before anything else may fail: the caller keeps the answer. */
  readonly onExchanged?: (tokens: TokenResponse) => Promise<void>;
}

/** What the partner should do next for a linked Wise user that has no profile yet (issue 19, item 13). */
export const CREATE_PERSONAL_PROFILE = 'CREATE_PERSONAL_PROFILE' as const;

export type LinkOutcome =
  | { kind: 'linked'; profileId: number }
  /** Linked, but the Wise user has no profile: the grant is kept, the partner creates the personal profile. */
  | { kind: 'linked_without_profile'; nextStep: typeof CREATE_PERSONAL_PROFILE }
  /** Wise refused the code (wrong, expired, used): each route answers its own problem. */
  | { kind: 'code_rejected' }
  /** Refused for good after the exchange; nothing was kept. */
  | { kind: 'refused'; error: DomainError };

/** Statuses in which the customer already has working access that a refused link must not take away. */
const withAccess: readonly AccountStatus[] = ['ACTIVE', 'LINKED'];

/**
 * Completing a link, shared by route 17 (a result the callback kept) and route 10 (a code the
 * customer typed): exchange the code with the registered redirect URI, read the granted profile,
 * and keep the grant only when every rule holds —
 * 1. the account is not another Wise user's (an account is bound to one Wise user until route 19
 *    disconnects it: never a silent move to another person's Wise account);
 * 2. the profile is the customer on record (date of birth, or registration number for a business;
 *    nothing on record for its type: IDENTITY_UNVERIFIABLE);
 * 3. no other customer holds the profile — checked first, and made atomic by writing the profile's
 *    owner in the grant's own transaction.
 * Another profile of the same Wise user is a grant of its own: the first one keeps working.
 */
export class AccountLinker {
  constructor(private readonly ports: AccountLinkerPorts) {}

  async link(input: CodeToLink): Promise<LinkOutcome> {
    const options = { deadline: input.deadline };
    const tokens = input.tokens ?? (await this.exchange(input, options));
    if (!tokens) return { kind: 'code_rejected' };
    if (!input.tokens) await input.onExchanged?.(tokens);

    const { wise } = this.ports;
    const profile = await this.grantedProfile(tokens.access_token, input.profileId, options);
    const wiseUserId = (await wise.me(tokens.access_token, options)).id;
    const account = await this.ports.accounts.get(input.customerId);

    if (
      account?.wiseUserId !== undefined &&
      account.wiseUserId !== wiseUserId &&
      account.status !== 'DISCONNECTED'
    )
      return this.refuse(input, account, 'LINKED_TO_ANOTHER_WISE_USER', profile?.id);
    if (!profile) return this.keepWithoutProfile(input, account, tokens, wiseUserId);

    const onRecord = await this.ports.identities.summary(input.customerId);
    const verdict = await verifyIdentity(profile, onRecord, (fact, value) =>
      this.ports.identities.compare(input.customerId, fact, value),
    );
    if (verdict === 'unverifiable') return this.refuse(input, account, 'IDENTITY_UNVERIFIABLE', profile.id);
    if (verdict === 'mismatch') return this.refuse(input, account, 'IDENTITY_MISMATCH', profile.id);
    if (await this.heldElsewhere(input.customerId, profile.id))
      return this.refuse(input, account, 'PROFILE_LINKED_ELSEWHERE', profile.id);

    const type = profile.type === 'BUSINESS' ? 'BUSINESS' : 'PERSONAL';
    const previousStatus = account?.status;
    try {
      await this.ports.grants.keep(input.customerId, tokens, {
        kind: 'authorization_code',
        profileIds: [profile.id],
        alsoWrite: [
          this.ports.owners.claimWrite(profile.id, input.customerId),
          this.ports.audit.transactItem(input.customerId, {
            action: 'link.completed',
            actor: input.actor,
            details: {
              profileId: profile.id,
              status: 'LINKED',
              ...(previousStatus ? { previousStatus } : {}),
            },
          }),
        ],
      });
    } catch (err) {
      // The owner's condition: another customer completed a link to this profile meanwhile.
      if (err instanceof GrantWriteRefused)
        return this.refuse(input, account, 'PROFILE_LINKED_ELSEWHERE', profile.id);
      throw err;
    }
    await this.ports.accounts.putProfile(input.customerId, { id: profile.id, type });
    await this.setStatus(input.customerId, 'LINKED', {
      wiseUserId,
      ...(type === 'PERSONAL' && account?.personalProfileId === undefined
        ? { personalProfileId: profile.id }
        : {}),
    });
    this.ports.logger.info('link completed', { customerId: input.customerId, profileId: profile.id });
    return { kind: 'linked', profileId: profile.id };
  }

  /** Wise's token answer for the code, or undefined when Wise refused the code; an outage propagates. */
  private async exchange(input: CodeToLink, options: WiseCallOptions): Promise<TokenResponse | undefined> {
    if (!input.code) throw new Error('a code or an earlier exchange is needed');
    try {
      return await this.ports.wise.authorizationCodeToken(input.code, this.ports.redirectUri, options);
    } catch (err) {
      if (err instanceof WiseApiError || err instanceof WiseContractError) return undefined;
      throw err;
    }
  }

  /** The granted profile; without a profileId (email flow), the personal profile, else the first; none for a user without one. */
  private async grantedProfile(
    token: string,
    profileId: number | undefined,
    options: WiseCallOptions,
  ): Promise<WiseProfile | undefined> {
    if (profileId !== undefined) return this.ports.wise.getProfile(token, profileId, options);
    const profiles = await this.ports.wise.listProfiles(token, options);
    return profiles.find((p) => p.type === 'PERSONAL') ?? profiles[0];
  }

  /** Another customer owns the profile: by its owner record, or (profiles this service created) by its profile item. */
  private async heldElsewhere(customerId: string, profileId: number): Promise<boolean> {
    const owner =
      (await this.ports.owners.ownerOf(profileId)) ??
      (await this.ports.accounts.customerOfProfile(profileId));
    return owner !== undefined && owner !== customerId;
  }

  /**
   * A Wise user with no profile yet (Wise's guide: the partner creates it): the grant covers no
   * profile, so there is nothing to compare; the account is LINKED and the next step is the
   * personal profile, from the partner's KYC data.
   */
  private async keepWithoutProfile(
    input: CodeToLink,
    account: CustomerAccount | undefined,
    tokens: TokenResponse,
    wiseUserId: number,
  ): Promise<LinkOutcome> {
    const previousStatus = account?.status;
    await this.ports.grants.keep(input.customerId, tokens, {
      kind: 'authorization_code',
      profileIds: [],
      alsoWrite: [
        this.ports.audit.transactItem(input.customerId, {
          action: 'link.completed',
          actor: input.actor,
          details: { status: 'LINKED', profiles: 0, ...(previousStatus ? { previousStatus } : {}) },
        }),
      ],
    });
    await this.setStatus(input.customerId, 'LINKED', { wiseUserId });
    this.ports.logger.info('link completed without a profile', { customerId: input.customerId });
    return { kind: 'linked_without_profile', nextStep: CREATE_PERSONAL_PROFILE };
  }

  /**
   * Nothing is kept (the tokens are dropped). A mismatch makes the account LINK_REJECTED unless the
   * customer already has access (a second profile that is not theirs leaves the first one working).
   */
  private async refuse(
    input: CodeToLink,
    account: CustomerAccount | undefined,
    reason:
      | 'IDENTITY_MISMATCH'
      | 'IDENTITY_UNVERIFIABLE'
      | 'PROFILE_LINKED_ELSEWHERE'
      | 'LINKED_TO_ANOTHER_WISE_USER',
    profileId: number | undefined,
  ): Promise<LinkOutcome> {
    const previousStatus = account?.status;
    const rejects =
      reason === 'IDENTITY_MISMATCH' &&
      (previousStatus === undefined || !withAccess.includes(previousStatus));
    await this.ports.audit.record(input.customerId, {
      action: 'link.rejected',
      actor: input.actor,
      details: {
        reason,
        ...(profileId !== undefined ? { profileId } : {}),
        ...(rejects ? { status: 'LINK_REJECTED', ...(previousStatus ? { previousStatus } : {}) } : {}),
      },
    });
    if (rejects) await this.setStatus(input.customerId, 'LINK_REJECTED');
    this.ports.logger.warn('link rejected', {
      customerId: input.customerId,
      reason,
      ...(profileId ? { profileId } : {}),
    });
    return { kind: 'refused', error: new DomainError(reason) };
  }

  private async setStatus(
    customerId: string,
    status: AccountStatus,
    fields: { wiseUserId?: number; personalProfileId?: number } = {},
  ): Promise<void> {
    const update = { status, ...(status === 'LINKED' ? { origin: 'LINKED' as const } : {}), ...fields };
    const { accounts } = this.ports;
    if (await accounts.update(customerId, update)) return;
    if (await accounts.create({ customerId, ...update })) return;
    // Created by a concurrent request between the two calls: the update now finds it.
    await accounts.update(customerId, update);
  }
}
