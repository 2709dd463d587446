import type { Logger } from '@aws-lambda-powertools/logger';
import {
  reasonForWiseError,
  returnUrlWithOutcome,
  type CallbackOutcome,
} from '../../shared/domain/linking/callback-outcome';
import { isExpired, stateHash, type LinkState } from '../../shared/domain/linking/link-state';
import { isAllowedReturnUrl } from '../../shared/domain/return-url';
import type { Clock } from '../../shared/ports/clock';
import type { LinkStateStore } from '../../shared/ports/link-states';
import type { LinkCompleter } from './account-linker';
import type { CallbackQuery } from './schemas';

export interface CallbackCompletionPorts {
  readonly linkStates: LinkStateStore;
  readonly linker: LinkCompleter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly allowedReturnUrls: readonly string[];
}

/**
 * Where the customer's browser goes after the callback: back to the state's own return URL with
 * the outcome, or, with no usable state or on an unexpected failure, nowhere (a fixed page).
 */
export type CallbackAnswer =
  | { readonly kind: 'back_to_partner'; readonly location: string }
  | { readonly kind: 'no_usable_state' }
  | { readonly kind: 'failed' };

/**
 * Route 9: Wise sends the customer's browser back. The state is consumed first (one conditional
 * delete), so a replayed, unknown or expired state never reaches Wise. Nothing from the query is
 * echoed, logged or trusted as a destination. Never throws: a browser must never see problem+json.
 */
export class CallbackCompletion {
  constructor(private readonly ports: CallbackCompletionPorts) {}

  async complete(query: CallbackQuery, deadline: number): Promise<CallbackAnswer> {
    const { logger } = this.ports;
    try {
      if (!query.state) return this.refused('malformed');
      const link = await this.ports.linkStates.consume(stateHash(query.state));
      if (!link) return this.refused('unknown_or_used');
      // The allowlist may have changed since the state was issued; only a still-allowed URL is used.
      if (!isAllowedReturnUrl(link.returnUrl, this.ports.allowedReturnUrls))
        return this.refused('return_url_not_allowed');
      const outcome = await this.outcome(link, query, deadline);
      logger.info('link callback', {
        customerId: link.customerId,
        outcome: outcome.kind,
        ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
      });
      return { kind: 'back_to_partner', location: returnUrlWithOutcome(link.returnUrl, outcome) };
    } catch (err) {
      logger.error('link callback failed', { errorName: (err as Error | undefined)?.name ?? 'unknown' });
      return { kind: 'failed' };
    }
  }

  private refused(why: string): CallbackAnswer {
    this.ports.logger.warn('link callback refused', { why });
    return { kind: 'no_usable_state' };
  }

  private async outcome(link: LinkState, query: CallbackQuery, deadline: number): Promise<CallbackOutcome> {
    if (isExpired(link, this.ports.clock.now())) return { kind: 'failed', reason: 'expired_state' };
    if (query.error !== undefined) return { kind: 'failed', reason: reasonForWiseError(query.error) };
    if (!query.code) return { kind: 'failed', reason: 'exchange_failed' };
    const result = await this.ports.linker.link({
      customerId: link.customerId,
      code: query.code,
      profileId: query.profileId,
      partnerDateOfBirth: link.dateOfBirth,
      deadline,
    });
    if (result.kind === 'linked') return { kind: 'linked', profileId: result.profileId };
    return { kind: 'failed', reason: result.kind };
  }
}
