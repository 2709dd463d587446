import { DomainError } from '../errors/domain-error';
import type { TokenResponse } from '../wise/schemas';
import type { WiseCallOptions } from './wise';

/** The customer's tokens are gone for good (Wise refused them): only linking again helps. */
export class RelinkRequiredError extends DomainError {
  constructor() {
    super('RELINK_REQUIRED');
    this.name = 'RelinkRequiredError';
  }
}

/** The customer has no Wise tokens yet (no account created or linked). */
export const noTokens = (): DomainError => new DomainError('ACCOUNT_NOT_READY');

/**
 * Compatibility (v1): the customer's Wise user tokens as one pair. Since Wise grants are per
 * profile, this is a thin layer over `Grants` (shared/ports/grants.ts): write new code
 * against `Grants` and the `wiseAs` facade; "the tokens" here are the grant a call without a
 * profile uses. Refreshed by one caller at a time when they come close to expiry. Throws {@link noTokens} (ACCOUNT_NOT_READY) when the customer has none,
 * {@link RelinkRequiredError} once Wise refused them for good, DomainError WISE_UNAVAILABLE when
 * another caller's refresh does not finish within the deadline.
 */
export interface UserTokens {
  /** A usable access token, refreshed first when it is close to expiry. */
  accessToken(customerId: string, options?: WiseCallOptions): Promise<string>;
  /**
   * Runs a call with the customer's access token; when Wise refuses the token although it should
   * still be valid (revoked, rotated elsewhere), refreshes once and retries.
   */
  withAccessToken<T>(
    customerId: string,
    call: (token: string) => Promise<T>,
    options?: WiseCallOptions,
  ): Promise<T>;
  /** Stores a fresh token answer from Wise (signup, linking, refresh), replacing what was there. */
  store(customerId: string, tokens: TokenResponse): Promise<void>;
  discard(customerId: string): Promise<void>;
  /** The customer has tokens that Wise has not refused. */
  has(customerId: string): Promise<boolean>;
}
