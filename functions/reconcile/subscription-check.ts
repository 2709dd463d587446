import { SUBSCRIBED_EVENTS, subscriptionVersionOf } from '../../shared/webhooks/subscriptions';
import type { WiseSubscription } from '../../shared/ports/wise';

export interface ExpectedSubscription {
  readonly event: string;
  readonly version: string;
}

/** One subscription per event the product applies, at the version its parser expects (shared/webhooks/subscriptions.ts). */
export const expectedSubscriptions = (): ExpectedSubscription[] =>
  SUBSCRIBED_EVENTS.map((event) => ({ event, version: subscriptionVersionOf(event) }));

export interface SubscriptionFinding {
  readonly event: string;
  readonly expectedVersion: string;
  /** absent: no subscription for the event points at the webhook URL; else the version(s) found there. */
  readonly foundVersions: readonly string[];
}

/**
 * Which expected application subscriptions Wise does not have: none for the event at our webhook
 * URL, or only at another schema version (the parser would read it wrong). Pure.
 */
export const missingSubscriptions = (
  existing: readonly WiseSubscription[],
  webhookUrl: string,
  expected: readonly ExpectedSubscription[] = expectedSubscriptions(),
): SubscriptionFinding[] =>
  expected.flatMap(({ event, version }) => {
    const ours = existing.filter((s) => s.trigger_on === event && s.delivery.url === webhookUrl);
    if (ours.some((s) => s.delivery.version === version)) return [];
    return [
      { event, expectedVersion: version, foundVersions: ours.map((s) => s.delivery.version ?? 'unknown') },
    ];
  });
