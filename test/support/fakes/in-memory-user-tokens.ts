import { noTokens, RelinkRequiredError, type UserTokens } from '../../../shared/ports/user-tokens';
import { WiseApiError } from '../../../shared/wise/errors';
import type { TokenResponse } from '../../../shared/wise/schemas';

interface Held {
  accessToken: string;
  refreshToken: string;
  /** Wise refused the tokens for good: every call answers RELINK_REQUIRED until new ones are stored. */
  relinkRequired?: boolean;
}

/**
 * The {@link UserTokens} port in memory: ACCOUNT_NOT_READY without tokens, RELINK_REQUIRED once
 * {@link requireRelink} was called, and on a refused token (a 401 WiseApiError) one "refresh" (a
 * new access token) and one retry, as the DynamoDB service does. No expiry: that service's job.
 */
export class InMemoryUserTokens implements UserTokens {
  readonly held = new Map<string, Held>();
  /** Refreshes made after Wise refused a token, by customer. */
  readonly refreshes = new Map<string, number>();

  async accessToken(customerId: string): Promise<string> {
    const held = this.held.get(customerId);
    if (!held) throw noTokens();
    if (held.relinkRequired) throw new RelinkRequiredError();
    return held.accessToken;
  }

  async withAccessToken<T>(customerId: string, call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken(customerId);
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof WiseApiError) || !err.isInvalidToken) throw err;
      const count = (this.refreshes.get(customerId) ?? 0) + 1;
      this.refreshes.set(customerId, count);
      const fresh = `${token}~refreshed${count}`;
      this.held.set(customerId, { ...this.held.get(customerId)!, accessToken: fresh });
      return call(fresh);
    }
  }

  async store(customerId: string, tokens: TokenResponse): Promise<void> {
    if (!tokens.refresh_token) throw new Error('a user token answer carries a refresh token');
    this.held.set(customerId, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
  }

  async discard(customerId: string): Promise<void> {
    this.held.delete(customerId);
  }

  async has(customerId: string): Promise<boolean> {
    const held = this.held.get(customerId);
    return held !== undefined && !held.relinkRequired;
  }

  /** Test setup: the customer holds these tokens. */
  give(
    customerId: string,
    accessToken = `access-${customerId}`,
    refreshToken = `refresh-${customerId}`,
  ): this {
    this.held.set(customerId, { accessToken, refreshToken });
    return this;
  }

  /** Test setup: Wise refused the customer's refresh for good. */
  requireRelink(customerId: string): this {
    const held = this.held.get(customerId) ?? { accessToken: '', refreshToken: '' };
    this.held.set(customerId, { ...held, relinkRequired: true });
    return this;
  }
}
