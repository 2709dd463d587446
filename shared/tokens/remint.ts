import type { AccountStore } from '../ports/accounts';
import { customerContext, type Cipher } from '../ports/cipher';
import type { TokenResponse, WiseApi, WiseCallOptions as CallOptions } from '../ports/wise';
import type { RefreshRefusedPolicy } from './grants';

export const REGISTRATION_CODE_PURPOSE = 'wise-registration-code';

/**
 * When Wise refuses a refresh of a registration-code grant: a user this service created can get
 * new tokens from its registration code (until the customer claims the account); otherwise the
 * grant's profiles must be linked again.
 */
export class RegistrationCodeRemint implements RefreshRefusedPolicy {
  constructor(
    private readonly accounts: AccountStore,
    private readonly cipher: Cipher,
    private readonly wise: WiseApi,
  ) {}

  async remint(customerId: string, options: CallOptions): Promise<TokenResponse | undefined> {
    const account = await this.accounts.get(customerId);
    if (!account || account.origin !== 'CREATED' || !account.registrationCodeCiphertext || !account.email) {
      return undefined;
    }
    const code = await this.cipher.decrypt(
      account.registrationCodeCiphertext,
      customerContext(customerId, REGISTRATION_CODE_PURPOSE),
    );
    return this.wise.registrationCodeToken(account.email, code, options);
  }

  /**
   * Only from a status in which the customer held working tokens: a rejected, deactivated or
   * disconnected account keeps saying so.
   */
  async markRelinkRequired(customerId: string): Promise<void> {
    await this.accounts.update(
      customerId,
      { status: 'RELINK_REQUIRED' },
      { expectStatus: ['CREATING', 'ACTIVE', 'EXISTING_ACCOUNT', 'LINK_PENDING', 'LINKED'] },
    );
  }
}
