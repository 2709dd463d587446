/**
 * Event types and which subscription scope may carry them (API-NOTES §6.2), and the dummy data
 * Wise puts into test notifications (random UUIDs, ids of 0, current timestamps).
 */
import { randomUUID } from 'node:crypto';

export const APPLICATION_EVENTS = new Set([
  'transfers#state-change',
  'transfers#payout-failure',
  'transfers#refund',
  'transfers#active-cases',
  'transfers#transfer-suspension',
  'account-details-payment#state-change',
  'balances#update',
  'balances#account-state-change',
  'profiles#verification-state-change',
  'profiles#cdd-check-state-change',
  'profiles#state-change',
  'batch-payment-initiations#state-change',
  'swift-in#credit',
  'cards#transaction-state-change',
  'cards#card-status-change',
  'cards#card-order-status-change',
  'cards#card-production-status-change',
  'cards#3ds-challenge',
  'partner-support#case-changed',
  'transaction-disputes#update',
  'bulk-settlement#payment-received',
  'users#state-change',
  'kyc-reviews#state-change',
  'profiles#overdraft-limit-threshold',
  'account-details-order#order-state-change',
]);

export const PROFILE_EVENTS = new Set([
  'transfers#state-change',
  'transfers#active-cases',
  'transfers#payout-failure',
  'transfers#refund',
  'account-details-payment#state-change',
  'balances#credit',
  'balances#update',
  'swift-in#credit',
]);

/**
 * The schema versions a subscription may ask for, per event type. Wise's reference: 2.0.0 and
 * 4.0.0 (millisecond timestamps) for events in general; `balances#update` is documented at 3.0.0;
 * `kyc-reviews#state-change` at 5.0.0, with earlier versions still delivered (the reference's
 * "In previous versions, this event fired only when…"). Anything else is refused.
 */
const VERSIONS_BY_EVENT: Record<string, readonly string[]> = {
  'kyc-reviews#state-change': ['2.0.0', '4.0.0', '5.0.0'],
  'balances#update': ['2.0.0', '3.0.0', '4.0.0'],
};
const DEFAULT_VERSIONS = ['2.0.0', '4.0.0'] as const;

export function schemaVersionsFor(eventType: string): readonly string[] {
  return VERSIONS_BY_EVENT[eventType] ?? DEFAULT_VERSIONS;
}

export function sampleEventData(
  eventType: string,
  occurredAt: string,
  version = '2.0.0',
): Record<string, unknown> {
  switch (eventType) {
    case 'profiles#verification-state-change':
      return { resource: { type: 'profile', id: 0 }, current_state: 'verified', occurred_at: occurredAt };
    case 'profiles#cdd-check-state-change':
      return {
        resource: { type: 'profile', id: 0 },
        current_state: 'VERIFIED',
        required_evidences: [],
        occurred_at: occurredAt,
      };
    case 'kyc-reviews#state-change':
      return {
        resource: {
          id: randomUUID(),
          state: 'PASSED',
          ...(version === '5.0.0' ? { prevState: 'PROCESSING' } : {}),
          profileId: 0,
          requiredBy: null,
          createdAt: occurredAt,
          updatedAt: occurredAt,
          triggerReferences: [],
          ...(version === '5.0.0' ? { requirementChanges: [] } : {}),
        },
        ...(version === '5.0.0' ? {} : { occurred_at: occurredAt }),
      };
    case 'users#state-change':
      return {
        resource: { id: 0, type: 'user' },
        previous_state: 'ACTIVE',
        current_state: 'DEACTIVATED',
        occurred_at: occurredAt,
      };
    case 'transfers#state-change':
      return {
        resource: { type: 'transfer', id: 0, profile_id: 0, account_id: 0 },
        current_state: 'processing',
        previous_state: 'incoming_payment_waiting',
        occurred_at: occurredAt,
      };
    default:
      return { resource: { type: eventType.split('#')[0] ?? 'resource', id: 0 }, occurred_at: occurredAt };
  }
}
