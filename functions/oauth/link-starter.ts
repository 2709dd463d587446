import type { AuthorizeLink, AuthorizeLinks } from '../../shared/domain/linking/authorize-links';
import { DomainError } from '../../shared/errors/domain-error';
import type { CustomerAccount } from '../../shared/ports/accounts';
import type { AuditActor } from '../../shared/ports/audit';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import type { WiseAs } from '../../shared/ports/wise';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';

export interface LinkStarterPorts {
  readonly authorizeLinks: Pick<AuthorizeLinks, 'check' | 'issue'>;
  readonly cipher: Cipher;
  /** Wise as the customer: the claim-account code needs the user's own token. */
  readonly wiseAs: WiseAs;
}

export interface LinkStart {
  readonly customerId: string;
  readonly returnUrl: string;
  readonly claimAccount?: boolean;
  readonly actor: AuditActor;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
}

/**
 * Starting a link (route 8): a single-use state (kept by its hash) bound to the customer and the
 * allowlisted, normalised return URL, and Wise's authorization page for it. Refused before anything
 * is stored or Wise is asked: a return URL off the allowlist, nothing on record to compare with.
 */
export class LinkStarter {
  constructor(private readonly ports: LinkStarterPorts) {}

  async start(input: LinkStart): Promise<AuthorizeLink> {
    const link = await this.ports.authorizeLinks.check(input.customerId, input.returnUrl);
    const claimAccountCode = input.claimAccount
      ? await this.claimAccountCode(link.account, input.customerId, input.deadline)
      : undefined;
    return this.ports.authorizeLinks.issue(link, { claimAccountCode, actor: input.actor });
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
    const registrationCode = await this.ports.cipher.decrypt(
      account.registrationCodeCiphertext,
      customerContext(customerId, REGISTRATION_CODE_PURPOSE),
    );
    return this.ports.wiseAs(customerId, { deadline }).claimAccountCode(registrationCode);
  }
}
