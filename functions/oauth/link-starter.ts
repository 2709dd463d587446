import { authorizeUrl } from '../../shared/domain/linking/authorize-url';
import {
  newLinkState,
  newStateValue,
  stateHash,
  statusesMovingToLinkPending,
} from '../../shared/domain/linking/link-state';
import { isAllowedReturnUrl, returnUrlNotAllowed } from '../../shared/domain/return-url';
import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore, CustomerAccount } from '../../shared/ports/accounts';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import type { Clock } from '../../shared/ports/clock';
import type { LinkStateStore } from '../../shared/ports/link-states';
import type { WiseCredentialsProvider } from '../../shared/ports/secrets';
import type { WiseAs } from '../../shared/ports/wise';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';

export interface LinkStarterPorts {
  readonly accounts: AccountStore;
  readonly linkStates: LinkStateStore;
  readonly cipher: Cipher;
  /** Wise as the customer: the claim-account code needs the user's own token. */
  readonly wiseAs: WiseAs;
  readonly credentials: WiseCredentialsProvider;
  readonly clock: Clock;
  readonly allowedReturnUrls: readonly string[];
  /** Wise's web host for the environment (its authorization page). */
  readonly wiseWebBaseUrl: string;
  /** The redirect URI registered with Wise: always from configuration, never from the request. */
  readonly redirectUri: string;
}

export interface LinkStart {
  readonly customerId: string;
  readonly returnUrl: string;
  readonly dateOfBirth?: string;
  readonly claimAccount?: boolean;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
}

/** Where to send the customer's browser, and until when the state is good. */
export interface AuthorizeLink {
  readonly authorizeUrl: string;
  /** ISO instant. */
  readonly expiresAt: string;
}

/**
 * Starting a link (route 8): a single-use state (kept by its hash) bound to the customer, the
 * partner's date of birth and the allowlisted return URL, and Wise's authorization page for it.
 */
export class LinkStarter {
  constructor(private readonly ports: LinkStarterPorts) {}

  async start(input: LinkStart): Promise<AuthorizeLink> {
    const { ports } = this;
    const { customerId } = input;
    if (!isAllowedReturnUrl(input.returnUrl, ports.allowedReturnUrls)) throw returnUrlNotAllowed('returnUrl');
    const account = await ports.accounts.get(customerId);
    const claimAccountCode = input.claimAccount
      ? await this.claimAccountCode(account, customerId, input.deadline)
      : undefined;

    const state = newStateValue();
    const link = newLinkState(
      {
        customerId,
        returnUrl: input.returnUrl,
        dateOfBirth: input.dateOfBirth,
        claimAccount: input.claimAccount,
      },
      ports.clock.now(),
    );
    await ports.linkStates.save(stateHash(state), link);
    await this.markPending(account, customerId);

    const { clientId } = await ports.credentials.get();
    return {
      authorizeUrl: authorizeUrl({
        webBaseUrl: ports.wiseWebBaseUrl,
        clientId,
        redirectUri: ports.redirectUri,
        state,
        claimAccountCode,
      }),
      expiresAt: new Date(link.expiresAt).toISOString(),
    };
  }

  /** Wise's claim-account code, for a user this service created (it holds the registration code). */
  private async claimAccountCode(
    account: CustomerAccount | undefined,
    customerId: string,
    deadline: number,
  ): Promise<string> {
    if (account?.origin !== 'CREATED' || !account.registrationCodeCiphertext) {
      throw new DomainError('CLAIM_NOT_AVAILABLE', {
        detail: 'Only a Wise account this service created can be claimed; link it instead.',
      });
    }
    const { cipher, wiseAs } = this.ports;
    const registrationCode = await cipher.decrypt(
      account.registrationCodeCiphertext,
      customerContext(customerId, REGISTRATION_CODE_PURPOSE),
    );
    return wiseAs(customerId, { deadline }).claimAccountCode(registrationCode);
  }

  /** A compare-and-set: an account that became ACTIVE or LINKED meanwhile keeps its status. */
  private async markPending(account: CustomerAccount | undefined, customerId: string): Promise<void> {
    const { accounts } = this.ports;
    const pending = () =>
      accounts.update(
        customerId,
        { status: 'LINK_PENDING' },
        { expectStatus: [...statusesMovingToLinkPending] },
      );
    if (account) {
      await pending();
    } else if (!(await accounts.create({ customerId, status: 'LINK_PENDING' }))) {
      await pending();
    }
  }
}
