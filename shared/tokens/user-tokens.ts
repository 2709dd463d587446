import type { AccountStore } from '../ports/accounts';
import type { Grants } from '../ports/grants';
import type { UserTokens } from '../ports/user-tokens';
import type { TokenResponse, WiseApi, WiseCallOptions } from '../ports/wise';
import { DEFAULT_WAIT_MS } from './grants';

export { noTokens, RelinkRequiredError } from '../ports/user-tokens';
export { REFRESH_WINDOW_MS } from './grants';

/**
 * The v1 {@link UserTokens} port on {@link Grants}, for callers not yet written against grants:
 * "the customer's tokens" are the grant a call without a profile uses (the registration-code
 * grant, else the personal profile's). `store` keeps an answer as a grant the way a v1 pair is
 * migrated: a registration-code grant for a user this service created (covering the account's
 * profiles), otherwise an authorization-code grant covering the profiles Wise lists for the new
 * token (one extra Wise call; callers of `Grants.keep` pass the granted profile instead).
 */
export class GrantedUserTokens implements UserTokens {
  constructor(
    private readonly grants: Grants,
    private readonly accounts: Pick<AccountStore, 'get'>,
    private readonly wise: Pick<WiseApi, 'listProfiles'>,
  ) {}

  private options(options: WiseCallOptions) {
    return { deadline: options.deadline ?? Date.now() + DEFAULT_WAIT_MS };
  }

  async accessToken(customerId: string, options: WiseCallOptions = {}): Promise<string> {
    return (await this.grants.accessToken(customerId, undefined, this.options(options))).accessToken;
  }

  withAccessToken<T>(
    customerId: string,
    call: (token: string) => Promise<T>,
    options: WiseCallOptions = {},
  ): Promise<T> {
    return this.grants.withAccessToken(customerId, undefined, (token) => call(token), this.options(options));
  }

  async store(customerId: string, tokens: TokenResponse): Promise<void> {
    const account = await this.accounts.get(customerId);
    if (account?.origin === 'CREATED') {
      await this.grants.keep(customerId, tokens, {
        kind: 'registration_code',
        profileIds: account.profiles.map((p) => p.id),
      });
      return;
    }
    const profiles = await this.wise.listProfiles(tokens.access_token, this.options({}));
    await this.grants.keep(customerId, tokens, {
      kind: 'authorization_code',
      profileIds: profiles.map((p) => p.id),
    });
  }

  async discard(customerId: string): Promise<void> {
    await this.grants.forgetAll(customerId);
  }

  async has(customerId: string): Promise<boolean> {
    return (await this.grants.list(customerId)).some((g) => !g.relinkRequired);
  }
}
