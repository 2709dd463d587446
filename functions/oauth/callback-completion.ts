import type { Logger } from '@aws-lambda-powertools/logger';
import {
  reasonForWiseError,
  returnUrlWithOutcome,
  type CallbackOutcome,
} from '../../shared/domain/linking/callback-outcome';
import {
  LINK_RESULT_TTL_MS,
  linkResultHash,
  newLinkResultValue,
} from '../../shared/domain/linking/link-result';
import { isExpired, stateHash, type LinkState } from '../../shared/domain/linking/link-state';
import { allowedReturnUrl } from '../../shared/domain/return-url';
import type { Cipher } from '../../shared/ports/cipher';
import type { Clock } from '../../shared/ports/clock';
import type { LinkStateStore } from '../../shared/ports/link-states';
import { linkResultContext, type LinkResults } from '../../shared/ports/link-results';
import type { CallbackQuery } from './schemas';

export interface CallbackCompletionPorts {
  readonly linkStates: Pick<LinkStateStore, 'consume'>;
  readonly linkResults: Pick<LinkResults, 'keep'>;
  readonly cipher: Cipher;
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
  /** Wise sent an error without the state (it does not promise to echo it): whose link it was is unknown. */
  | { readonly kind: 'not_finished' }
  | { readonly kind: 'failed' };

/**
 * Route 9: Wise sends the customer's browser back. The state is consumed first (one conditional
 * delete), so a replayed, unknown or expired state is refused; the code is only kept, encrypted
 * under the state's customer, behind a one-time result that goes back to the partner's app — no
 * Wise token is obtained here (route 17 does that, in the customer's own session). Nothing from
 * the query is echoed, logged or trusted as a destination. Never throws: a browser must never see
 * problem+json. Once the state is known, every outcome — a refusal at Wise, a missing code, even a
 * failure to keep the code — goes back to the partner's app, so the customer is never stranded.
 */
export class CallbackCompletion {
  constructor(private readonly ports: CallbackCompletionPorts) {}

  async complete(query: CallbackQuery): Promise<CallbackAnswer> {
    const { logger } = this.ports;
    let link: LinkState | undefined;
    try {
      // Wise need not echo the state with an error (issue 19, item 12): with no state there is no
      // customer and no return URL to trust, only the fixed page telling the customer to go back.
      if (!query.state && query.error !== undefined) {
        this.ports.logger.warn('link callback refused', { why: 'error_without_state' });
        return { kind: 'not_finished' };
      }
      if (!query.state) return this.refused('malformed');
      link = await this.ports.linkStates.consume(stateHash(query.state));
    } catch (err) {
      logger.error('link callback failed', { errorName: (err as Error | undefined)?.name ?? 'unknown' });
      return { kind: 'failed' };
    }
    if (!link) return this.refused('unknown_or_used');
    // The allowlist may have changed since the state was issued; only a still-allowed URL is used.
    const returnUrl = allowedReturnUrl(link.returnUrl, this.ports.allowedReturnUrls);
    if (!returnUrl) return this.refused('return_url_not_allowed');
    const outcome = await this.outcome(link, query);
    logger.info('link callback', {
      customerId: link.customerId,
      outcome: outcome.kind,
      ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
    });
    return { kind: 'back_to_partner', location: returnUrlWithOutcome(returnUrl, outcome) };
  }

  private refused(why: string): CallbackAnswer {
    this.ports.logger.warn('link callback refused', { why });
    return { kind: 'no_usable_state' };
  }

  private async outcome(link: LinkState, query: CallbackQuery): Promise<CallbackOutcome> {
    const now = this.ports.clock.now();
    if (isExpired(link, now)) return { kind: 'failed', reason: 'expired_state' };
    if (query.error !== undefined) return { kind: 'failed', reason: reasonForWiseError(query.error) };
    if (!query.code) return { kind: 'failed', reason: 'exchange_failed' };
    try {
      const result = newLinkResultValue();
      const hash = linkResultHash(result);
      await this.ports.linkResults.keep(hash, {
        customerId: link.customerId,
        codeCiphertext: await this.ports.cipher.encrypt(
          query.code,
          linkResultContext(link.customerId, hash, 'code'),
        ),
        ...(query.profileId !== undefined ? { profileId: query.profileId } : {}),
        ...(link.claimAccount ? { claimAccount: true } : {}),
        createdAt: now,
        expiresAt: now + LINK_RESULT_TTL_MS,
      });
      return {
        kind: 'authorized',
        result,
        ...(query.profileId !== undefined ? { profileId: query.profileId } : {}),
      };
    } catch (err) {
      this.ports.logger.error('link callback could not keep the code', {
        customerId: link.customerId,
        errorName: (err as Error | undefined)?.name ?? 'unknown',
      });
      return { kind: 'failed', reason: 'exchange_failed' };
    }
  }
}
