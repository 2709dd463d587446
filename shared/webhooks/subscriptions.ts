import type { ClientTokenCache } from '../tokens/client-token';
import type { CallOptions, WiseClient } from '../wise/client';
import { WiseApiError } from '../wise/errors';

/**
 * The application-level events the product keeps its local state with (API-NOTES §6.2), each at
 * the schema version Wise's current reference documents for it:
 *
 * - `kyc-reviews#state-change` — 5.0.0, the only version its reference page (api-reference/
 *   webhook-event/eventkycreviewsstatechange) and the kyc-statechange-webhook guide document; it
 *   adds `prevState` and `requirementChanges` and fires on every requirement change.
 * - `transfers#state-change` — 4.0.0, the newest of the two Wise's OpenAPI documents (4.0.0,
 *   2.0.0); millisecond timestamps ("4.0.0 and later … helps with correct event ordering").
 * - `profiles#verification-state-change`, `users#state-change`, `profiles#cdd-check-state-change`
 *   — 2.0.0: the version their documented examples carry (API-NOTES §6.3). Wise's current pages
 *   for these three could not be read to the version field (UNCONFIRMED); the parser reads 4.0.0
 *   for them too, so moving them is one line here.
 */
export const SUBSCRIPTION_VERSIONS = {
  'profiles#verification-state-change': '2.0.0',
  'kyc-reviews#state-change': '5.0.0',
  'users#state-change': '2.0.0',
  'profiles#cdd-check-state-change': '2.0.0',
  'transfers#state-change': '4.0.0',
} as const;

export type SubscribedEvent = keyof typeof SUBSCRIPTION_VERSIONS;

export const SUBSCRIBED_EVENTS = Object.keys(SUBSCRIPTION_VERSIONS) as SubscribedEvent[];

/** The schema version the product subscribes `event` at (and its parser expects first). */
export const subscriptionVersionOf = (event: string): string =>
  (SUBSCRIPTION_VERSIONS as Record<string, string>)[event] ?? '2.0.0';

export interface SubscriptionOutcome {
  event: string;
  id: string;
  version: string;
  created: boolean;
  /** Subscriptions at an outdated version for this event and URL, deleted once the new one existed. */
  replaced: { id: string; version: string }[];
}

/**
 * Makes sure one application subscription per event points at `webhookUrl` at the event's
 * version. Existing ones are found by event and URL first, so running it twice creates nothing
 * twice. One at an outdated version is migrated: the new subscription is created first and only
 * then the old one deleted, so no event goes undelivered in between (the receiver records a
 * change delivered by both once).
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
    const version = SUBSCRIPTION_VERSIONS[event];
    const atUrl = existing.filter((s) => s.trigger_on === event && s.delivery.url === webhookUrl);
    const current = atUrl.find((s) => s.delivery.version === version);
    const outdated = atUrl.filter((s) => s.delivery.version !== version);
    let id = current?.id;
    if (!id) {
      const created = await wise.createApplicationSubscription(
        token,
        clientKey,
        { name: `wise-onboarding ${event}`, trigger_on: event, delivery: { version, url: webhookUrl } },
        options,
      );
      id = created.id;
    }
    const replaced: SubscriptionOutcome['replaced'] = [];
    for (const old of outdated) {
      await wise.deleteApplicationSubscription(token, clientKey, old.id, options).catch((err: unknown) => {
        // Already gone (another run deleted it): the migration is done all the same.
        if (!(err instanceof WiseApiError && err.status === 404)) throw err;
      });
      replaced.push({ id: old.id, version: old.delivery.version ?? 'unknown' });
    }
    outcomes.push({ event, id, version, created: current === undefined, replaced });
  }
  return outcomes;
};
