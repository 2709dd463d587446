import type { AuthorizeLinks } from '../../shared/domain/linking/authorize-links';
import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import type { AuditActor } from '../../shared/ports/audit';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import type { WiseAs } from '../../shared/ports/wise';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';
import { storedAccount } from './stored-account';

export interface ClaimLinkPorts {
  accounts: Pick<AccountStore, 'get'>;
  cipher: Cipher;
  wiseAs: WiseAs;
  /** The one way a Wise authorize link is issued (routes 7 and 8): state, allowlist, identity check. */
  authorizeLinks: Pick<AuthorizeLinks, 'check' | 'issue'>;
  /** Where the claim comes back when the partner names no return URL: its first allowed prefix. */
  allowedReturnUrls: readonly string[];
}

/** Wise's authorize page with a claim-account code: a bearer secret for the customer. */
export interface ClaimLink {
  claimUrl: string;
  expiresAt: string;
}

/**
 * Route 7: a link that lets the customer take over the Wise account this service created (set a
 * password at Wise). Only for users we created: they are the only ones with a registration code.
 * It carries a single-use state like any link, so the claim ends through the callback (route 9)
 * and completion (route 17); it is good for the claim code's five minutes.
 */
export class ClaimLinks {
  constructor(private readonly ports: ClaimLinkPorts) {}

  async create(
    customerId: string,
    options: { returnUrl?: string; actor: AuditActor; deadline: number },
  ): Promise<ClaimLink> {
    const { cipher, authorizeLinks } = this.ports;
    const account = await storedAccount(this.ports.accounts, customerId);
    if (account.origin !== 'CREATED' || !account.registrationCodeCiphertext || account.status !== 'ACTIVE') {
      throw new DomainError('CLAIM_NOT_AVAILABLE');
    }
    const link = await authorizeLinks.check(
      customerId,
      options.returnUrl ?? this.ports.allowedReturnUrls[0] ?? '',
    );
    const registrationCode = await cipher.decrypt(
      account.registrationCodeCiphertext,
      customerContext(customerId, REGISTRATION_CODE_PURPOSE),
    );
    const claimAccountCode = await this.ports
      .wiseAs(customerId, { deadline: options.deadline })
      .claimAccountCode(registrationCode);
    const issued = await authorizeLinks.issue(link, { claimAccountCode, actor: options.actor });
    return { claimUrl: issued.authorizeUrl, expiresAt: issued.expiresAt };
  }
}
