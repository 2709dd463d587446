import { reasonForWiseError, returnUrlWithOutcome, type CallbackOutcome } from '../../shared/domain/linking/callback-outcome';
import { isExpired, stateHash, type LinkState } from '../../shared/domain/linking/link-state';
import { isAllowedReturnUrl } from '../../shared/domain/return-url';
import { defineRoute } from '../../shared/http/handler-stack';
import type { HttpResult } from '../../shared/http/types';
import { deadlineFrom } from '../../shared/runtime/function';
import type { Dependencies } from '../../shared/runtime/dependencies';
import type { LinkStateStore } from '../../shared/store/link-state-store';
import type { AccountLinker } from './account-linker';
import { callbackPage, redirectTo } from './callback-page';
import { callbackQuery, type CallbackQuery } from './schemas';

/**
 * Route 9: Wise sends the customer's browser back here. The state is consumed first (one
 * conditional delete), so a replayed, unknown or expired state never reaches Wise. Every answer
 * is either a 302 to the state's own return URL or a fixed HTML page: nothing from the query
 * string is echoed, logged or trusted as a destination.
 */
export const oauthCallback = (deps: Dependencies, linkStates: LinkStateStore, linker: AccountLinker) =>
  defineRoute({ auth: 'public' }, async ({ event, remainingMs }) => {
    try {
      const parsed = callbackQuery.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success || !parsed.data.state) return refused(deps, 'malformed');
      const link = await linkStates.consume(stateHash(parsed.data.state));
      if (!link) return refused(deps, 'unknown_or_used');
      // The allowlist may have changed since the state was issued; only a still-allowed URL is used.
      if (!isAllowedReturnUrl(link.returnUrl, deps.config.allowedReturnUrls)) return refused(deps, 'return_url_not_allowed');
      const outcome = await complete(deps, linker, link, parsed.data, deadlineFrom(remainingMs()));
      deps.logger.info('link callback', {
        customerId: link.customerId,
        outcome: outcome.kind,
        ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
      });
      return redirectTo(returnUrlWithOutcome(link.returnUrl, outcome));
    } catch (err) {
      deps.logger.error('link callback failed', { errorName: (err as Error | undefined)?.name ?? 'unknown' });
      return callbackPage('failed');
    }
  });

const refused = (deps: Dependencies, why: string): HttpResult => {
  deps.logger.warn('link callback refused', { why });
  return callbackPage('invalid_state');
};

const complete = async (
  deps: Dependencies,
  linker: AccountLinker,
  link: LinkState,
  query: CallbackQuery,
  deadline: number,
): Promise<CallbackOutcome> => {
  if (isExpired(link, deps.clock.now())) return { kind: 'failed', reason: 'expired_state' };
  if (query.error !== undefined) return { kind: 'failed', reason: reasonForWiseError(query.error) };
  if (!query.code) return { kind: 'failed', reason: 'exchange_failed' };
  const result = await linker.link({
    customerId: link.customerId,
    code: query.code,
    profileId: query.profileId,
    partnerDateOfBirth: link.dateOfBirth,
    deadline,
  });
  if (result.kind === 'linked') return { kind: 'linked', profileId: result.profileId };
  return { kind: 'failed', reason: result.kind };
};
