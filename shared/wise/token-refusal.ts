import { WiseApiError, WiseContractError, WiseUnavailableError } from './errors';

/**
 * What a failed Wise call says about a customer's grant (its refresh token or registration
 * code), so token code decides once, in one place:
 *
 * - `invalid_grant`  — the grant no longer works: re-mint a registration-code grant, otherwise
 *   (or when the re-mint is refused the same way) the grant is RELINK_REQUIRED.
 * - `invalid_token`  — an API call refused the access token (401): refresh once, then retry.
 * - `invalid_client` — our client credentials were refused: the partner's problem, never the
 *   customer's; keep the grant, answer unavailable, alert.
 * - `invalid_request` — our request was malformed (a bug): keep the grant, fail loudly.
 * - `transient`      — Wise did not answer usefully (5xx, 429, timeout, network): keep the grant,
 *   answer WISE_UNAVAILABLE with Retry-After.
 * - `not_a_refusal`  — anything else (another 4xx, an unexpected body): not about the grant.
 */
export type TokenRefusal =
  'invalid_grant' | 'invalid_token' | 'invalid_client' | 'invalid_request' | 'transient' | 'not_a_refusal';

/** OAuth errors that say our request, not the grant, is at fault (RFC 6749 §5.2). */
const OUR_MISTAKES = new Set([
  'invalid_request',
  'unsupported_grant_type',
  'invalid_scope',
  'unauthorized_client',
]);

/**
 * Classifies an error of a Wise call. Token-endpoint answers (`/oauth/token#<grant>`, as
 * WiseClient names them) are read per Wise's documents, which disagree on the status:
 *
 * - a refused refresh token or registration code is `invalid_grant` — "Failure: 401" in the
 *   API reference, 400 in the refreshing-access guide; the status of a refused refresh token is
 *   undocumented (API-NOTES §1.2);
 * - after the user changes their email at Wise, "token generation fails" — 400 in one guide,
 *   403 in another, body undocumented: a 400/401/403 that names no other OAuth error (a Spring
 *   `{status, error: "Forbidden"}` body, or none) is that same refusal of the grant;
 * - `invalid_client`, and any other 401 of the token endpoint (Spring's `unauthorized` for a
 *   missing Basic header, a bare 401), is about the partner's credentials: when in doubt, the
 *   answer that keeps every customer's grant.
 *
 * Elsewhere, a 401 is Wise refusing the access token (`invalid_token`, or no OAuth body: a user
 * whose tokens were revoked, or deactivated, gets 401 on every call).
 */
export const classifyTokenRefusal = (err: unknown): TokenRefusal => {
  if (err instanceof WiseUnavailableError) return 'transient';
  if (err instanceof WiseContractError) return 'not_a_refusal';
  if (!(err instanceof WiseApiError)) return 'not_a_refusal';
  const error = err.oauthError;
  const tokenEndpoint = err.pathTemplate.startsWith('/oauth/token');
  if (error === 'invalid_client') return 'invalid_client';
  if (tokenEndpoint) {
    if (error === 'invalid_grant' && [400, 401, 403].includes(err.status)) return 'invalid_grant';
    if (error !== undefined && OUR_MISTAKES.has(error)) return 'invalid_request';
    // A 401 that does not say invalid_grant is the client's authentication failing (Spring's
    // `unauthorized` for a missing Basic header, a bare 401): never a reason to drop grants.
    if (err.status === 401) return 'invalid_client';
    if (err.status === 400 || err.status === 403) return 'invalid_grant';
    return 'not_a_refusal';
  }
  if (err.status === 401 && (error === undefined || error === 'invalid_token' || error === 'unauthorized'))
    return 'invalid_token';
  return 'not_a_refusal';
};

/** The grant is gone for good (re-mint or relink): the one test token code needs most. */
export const isGrantRefused = (err: unknown): boolean => classifyTokenRefusal(err) === 'invalid_grant';
