import type { ClientTokenCache } from '../tokens/client-token';
import type { CallOptions, WiseClient } from '../wise/client';

/** The application-level events the product keeps its local state with (API-NOTES §6.2). */
export const SUBSCRIBED_EVENTS = [
  'profiles#verification-state-change',
  'kyc-reviews#state-change',
  'users#state-change',
  'profiles#cdd-check-state-change',
  'transfers#state-change',
] as const;

export interface SubscriptionOutcome {
  event: string;
  id: string;
  created: boolean;
}

/**
 * Makes sure one application subscription per event points at `webhookUrl`. Existing ones are
 * found by event and URL first, so running it twice creates nothing twice.
 */
export const ensureApplicationSubscriptions = async (
  wise: WiseClient,
  clientToken: ClientTokenCache,
  clientKey: string,
  webhookUrl: string,
  options: CallOptions = {},
): Promise<SubscriptionOutcome[]> => {
  const token = await clientToken.get(options);
  const existing = await wise.listApplicationSubscriptions(token, clientKey, options);
  const outcomes: SubscriptionOutcome[] = [];
  for (const event of SUBSCRIBED_EVENTS) {
    const found = existing.find((s) => s.trigger_on === event && s.delivery.url === webhookUrl);
    if (found) {
      outcomes.push({ event, id: found.id, created: false });
      continue;
    }
    const created = await wise.createApplicationSubscription(
      token,
      clientKey,
      { name: `wise-onboarding ${event}`, trigger_on: event, delivery: { version: '2.0.0', url: webhookUrl } },
      options,
    );
    outcomes.push({ event, id: created.id, created: true });
  }
  return outcomes;
};
