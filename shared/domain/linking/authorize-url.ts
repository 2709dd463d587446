/**
 * Wise's authorization page for the environment (API-NOTES §1.3): `{web}/oauth/authorize/` with
 * client_id, the registered redirect_uri and our state; `claim_account_code` only for a user this
 * service created who takes over the account (§2.3).
 */
export interface AuthorizeUrlInput {
  /** https://wise-sandbox.com, https://wise.com, or the simulator's origin. */
  readonly webBaseUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly claimAccountCode?: string;
}

export const authorizeUrl = (input: AuthorizeUrlInput): string => {
  const url = new URL(`${input.webBaseUrl.replace(/\/+$/, '')}/oauth/authorize/`);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', input.state);
  if (input.claimAccountCode) url.searchParams.set('claim_account_code', input.claimAccountCode);
  return url.toString();
};
