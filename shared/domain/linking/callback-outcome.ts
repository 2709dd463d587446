/**
 * Why a link did not reach the partner's app (PARTNER-API.md route 9): `access_denied` — the
 * customer refused at Wise; `invalid_state` — the state is not one this service can use for a link
 * any more; `expired_state` — the customer took longer than the state lives; `exchange_failed` —
 * Wise sent another error, or no code.
 */
export const linkFailureReasons = [
  'access_denied',
  'invalid_state',
  'expired_state',
  'exchange_failed',
] as const;
export type LinkFailureReason = (typeof linkFailureReasons)[number];

/** The statuses the partner's app reads from the return URL. */
export const callbackStatuses = ['authorized', 'error'] as const;

export type CallbackOutcome =
  /** Wise granted access: the partner's app completes with `result` (route 17). */
  { kind: 'authorized'; result: string; profileId?: number } | { kind: 'failed'; reason: LinkFailureReason };

/**
 * Wise's `error` on the callback. Only a refusal by the customer is `access_denied`; anything else
 * means Wise issued no code, which the partner handles like a failed exchange.
 */
export const reasonForWiseError = (error: string): LinkFailureReason =>
  error === 'access_denied' ? 'access_denied' : 'exchange_failed';

/** The query parameters the outcome sets; the partner's own parameters of the same name are dropped. */
const OUTCOME_KEYS = ['status', 'reason', 'result', 'profileId'];

/**
 * The URL the customer's browser goes back to: the state's (allowlisted) return URL with the
 * outcome in its query. Parameters the partner put in its return URL are kept; ours win on a clash.
 */
export const returnUrlWithOutcome = (returnUrl: string, outcome: CallbackOutcome): string => {
  const url = new URL(returnUrl);
  for (const key of OUTCOME_KEYS) url.searchParams.delete(key);
  if (outcome.kind === 'authorized') {
    url.searchParams.set('status', 'authorized');
    url.searchParams.set('result', outcome.result);
    if (outcome.profileId !== undefined) url.searchParams.set('profileId', String(outcome.profileId));
  } else {
    url.searchParams.set('status', 'error');
    url.searchParams.set('reason', outcome.reason);
  }
  return url.toString();
};
