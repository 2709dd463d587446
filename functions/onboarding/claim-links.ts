import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import type { Clock } from '../../shared/ports/clock';
import type { WiseCredentialsProvider } from '../../shared/ports/secrets';
import type { WiseAs } from '../../shared/ports/wise';
import type { AppConfig } from '../../shared/runtime/config';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';
import { storedAccount } from './stored-account';

/** Wise's claim-account codes live five minutes (API-NOTES §2.3). */
export const CLAIM_CODE_TTL_MS = 5 * 60 * 1000;

export interface ClaimLinkPorts {
  accounts: Pick<AccountStore, 'get'>;
  cipher: Cipher;
  wiseAs: WiseAs;
  credentials: WiseCredentialsProvider;
  clock: Clock;
  config: Pick<AppConfig, 'wiseWebBaseUrl' | 'oauthCallbackUrl'>;
}

/** Wise's authorize page with a claim-account code: a bearer secret for the customer. */
export interface ClaimLink {
  claimUrl: string;
  expiresAt: string;
}

/**
 * Route 7: a link that lets the customer take over the Wise account this service created (set a
 * password at Wise). Only for users we created: they are the only ones with a registration code.
 */
export class ClaimLinks {
  constructor(private readonly ports: ClaimLinkPorts) {}

  async create(customerId: string, deadline: number): Promise<ClaimLink> {
    const { cipher, clock, config, credentials } = this.ports;
    const account = await storedAccount(this.ports.accounts, customerId);
    if (account.origin !== 'CREATED' || !account.registrationCodeCiphertext || account.status !== 'ACTIVE') {
      throw new DomainError('CLAIM_NOT_AVAILABLE');
    }
    const registrationCode = await cipher.decrypt(
      account.registrationCodeCiphertext,
      customerContext(customerId, REGISTRATION_CODE_PURPOSE),
    );
    const claimAccountCode = await this.ports
      .wiseAs(customerId, { deadline })
      .claimAccountCode(registrationCode);
    const expiresAt = new Date(clock.now() + CLAIM_CODE_TTL_MS).toISOString();
    const { clientId } = await credentials.get();
    const url = new URL(`${config.wiseWebBaseUrl}/oauth/authorize/`);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('redirect_uri', config.oauthCallbackUrl);
    url.searchParams.set('claim_account_code', claimAccountCode);
    return { claimUrl: url.toString(), expiresAt };
  }
}
