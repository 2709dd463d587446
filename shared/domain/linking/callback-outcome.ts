/** Why a link did not complete, as the partner's app reads it from the return URL (PARTNER-API route 9). */
export const linkFailureReasons = [
  'access_denied',
  'invalid_state',
  'expired_state',
  'exchange_failed',
  'identity_mismatch',
] as const;
export type LinkFailureReason = (typeof linkFailureReasons)[number];

export type CallbackOutcome = { kind: 'linked'; profileId: number } | { kind: 'failed'; reason: LinkFailureReason };

/**
 * Wise's `error` on the callback. Only a refusal by the customer is `access_denied`; anything else
 * means Wise issued no code, which the partner handles like a failed exchange.
 */
export const reasonForWiseError = (error: string): LinkFailureReason =>
  error === 'access_denied' ? 'access_denied' : 'exchange_failed';

/**
 * The URL the customer's browser goes back to: the state's (allowlisted) return URL with the
 * outcome in its query. Parameters the partner put in its return URL are kept; ours win on a clash.
 */
export const returnUrlWithOutcome = (returnUrl: string, outcome: CallbackOutcome): string => {
  const url = new URL(returnUrl);
  for (const key of ['status', 'reason', 'profileId']) url.searchParams.delete(key);
  if (outcome.kind === 'linked') {
    url.searchParams.set('status', 'linked');
    url.searchParams.set('profileId', String(outcome.profileId));
  } else {
    url.searchParams.set('status', 'error');
    url.searchParams.set('reason', outcome.reason);
  }
  return url.toString();
};
