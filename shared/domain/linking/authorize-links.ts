import { DomainError } from '../../errors/domain-error';
import type { AccountStore, CustomerAccount } from '../../ports/accounts';
import type { AuditActor, AuditTrail } from '../../ports/audit';
import type { Clock } from '../../ports/clock';
import type { IdentityRecords } from '../../ports/identity';
import type { LinkStateStore } from '../../ports/link-states';
import type { WiseCredentialsProvider } from '../../ports/secrets';
import { allowedReturnUrl, returnUrlNotAllowed } from '../return-url';
import { authorizeUrl } from './authorize-url';
import {
  linkExpiresAt,
  newLinkState,
  newStateValue,
  stateHash,
  statusesMovingToLinkPending,
} from './link-state';

export interface AuthorizeLinksPorts {
  readonly accounts: Pick<AccountStore, 'get' | 'create' | 'update'>;
  readonly linkStates: Pick<LinkStateStore, 'save'>;
  readonly identities: Pick<IdentityRecords, 'summary'>;
  readonly credentials: WiseCredentialsProvider;
  readonly audit: Pick<AuditTrail, 'record'>;
  readonly clock: Clock;
  readonly allowedReturnUrls: readonly string[];
  /** Wise's web host for the environment (its authorization page). */
  readonly wiseWebBaseUrl: string;
  /** The redirect URI registered with Wise: always from configuration, never from the request. */
  readonly redirectUri: string;
}

/** A link that checks passed: the normalised return URL, and the account as it was read. */
export interface CheckedLink {
  readonly customerId: string;
  readonly returnUrl: string;
  readonly account: CustomerAccount | undefined;
}

/** Where to send the customer's browser, and until when it is good. */
export interface AuthorizeLink {
  readonly authorizeUrl: string;
  /** ISO instant. */
  readonly expiresAt: string;
}

/**
 * Issuing Wise authorize links (routes 7 and 8): one path for a plain link and a claim, so that
 * both carry a single-use state, end through the callback (route 9) and completion (route 17),
 * and are refused the same way. {@link check} runs before anything is stored or Wise is asked (a
 * refused request leaves nothing behind); {@link issue} stores the state and answers the URL.
 */
export class AuthorizeLinks {
  constructor(private readonly ports: AuthorizeLinksPorts) {}

  /**
   * RETURN_URL_NOT_ALLOWED (on `field`) off the allowlist or with path tricks; IDENTITY_REQUIRED
   * when nothing is on record to compare the granted profile with.
   */
  async check(customerId: string, returnUrl: string, field = 'returnUrl'): Promise<CheckedLink> {
    const normalised = allowedReturnUrl(returnUrl, this.ports.allowedReturnUrls);
    if (!normalised) throw returnUrlNotAllowed(field);
    const onRecord = await this.ports.identities.summary(customerId);
    if (!onRecord.dateOfBirth && !onRecord.registrationNumber) throw new DomainError('IDENTITY_REQUIRED');
    return { customerId, returnUrl: normalised, account: await this.ports.accounts.get(customerId) };
  }

  /** Stores the state, moves the account to LINK_PENDING where it has no access yet, and answers the link. */
  async issue(
    link: CheckedLink,
    options: { claimAccountCode?: string; actor: AuditActor },
  ): Promise<AuthorizeLink> {
    const { ports } = this;
    const state = newStateValue();
    const linkState = newLinkState(
      {
        customerId: link.customerId,
        returnUrl: link.returnUrl,
        claimAccount: options.claimAccountCode !== undefined,
      },
      ports.clock.now(),
    );
    const previousStatus = link.account?.status;
    const moves = previousStatus === undefined || statusesMovingToLinkPending.includes(previousStatus);
    await ports.audit.record(link.customerId, {
      action: 'link.started',
      actor: options.actor,
      details: {
        ...(moves ? { status: 'LINK_PENDING', ...(previousStatus ? { previousStatus } : {}) } : {}),
        ...(options.claimAccountCode !== undefined ? { claimAccount: true } : {}),
      },
    });
    await ports.linkStates.save(stateHash(state), linkState);
    if (moves) await this.markPending(link);

    const { clientId } = await ports.credentials.get();
    return {
      authorizeUrl: authorizeUrl({
        webBaseUrl: ports.wiseWebBaseUrl,
        clientId,
        redirectUri: ports.redirectUri,
        state,
        claimAccountCode: options.claimAccountCode,
      }),
      expiresAt: new Date(linkExpiresAt(linkState)).toISOString(),
    };
  }

  /** A compare-and-set: an account that became ACTIVE or LINKED meanwhile keeps its status. */
  private async markPending(link: CheckedLink): Promise<void> {
    const { accounts } = this.ports;
    const pending = () =>
      accounts.update(
        link.customerId,
        { status: 'LINK_PENDING' },
        { expectStatus: [...statusesMovingToLinkPending] },
      );
    if (link.account) await pending();
    else if (!(await accounts.create({ customerId: link.customerId, status: 'LINK_PENDING' })))
      await pending();
  }
}
