/**
 * Partner events (PARTNER-API.md, "Partner events"): what a partner would act on, published from
 * the table's stream once it is in the store, at least once. `eventId` is stable across
 * redeliveries, so a partner de-duplicates on it.
 */

/** EventBridge `source` of every partner event. */
export const PARTNER_EVENT_SOURCE = 'wise-onboarding';

/** The contract's `detail-type`s. */
export const partnerEventTypes = {
  accountStatus: 'Wise Account Status Changed',
  profileVerification: 'Wise Profile Verification Changed',
  kycReviewStatus: 'Wise KYC Review Status Changed',
  profileAccess: 'Wise Profile Access Changed',
} as const;

export type PartnerEventType = (typeof partnerEventTypes)[keyof typeof partnerEventTypes];

/** Fields every partner event's `detail` carries. */
export interface PartnerEventBase {
  /** Stable across redeliveries of the same change: de-duplicate on it. */
  readonly eventId: string;
  readonly customerId: string;
  /** ISO instant of the change, as the store knows it. */
  readonly occurredAt: string;
}

export interface AccountStatusChanged extends PartnerEventBase {
  readonly status: string;
  /** `NONE` when the account was just created. */
  readonly previousStatus: string;
}

export interface ProfileVerificationChanged extends PartnerEventBase {
  readonly profileId: number;
  readonly verification: string;
  readonly previousVerification: string;
}

export interface KycReviewStatusChanged extends PartnerEventBase {
  readonly profileId: number;
  readonly reviewId: string;
  readonly status: string;
  /** null for a review seen for the first time. */
  readonly previousStatus: string | null;
}

export interface ProfileAccessChanged extends PartnerEventBase {
  readonly profileId: number;
  readonly access: 'GRANTED' | 'RELINK_REQUIRED' | 'NONE';
  readonly previousAccess: 'GRANTED' | 'RELINK_REQUIRED' | 'NONE';
}

export type PartnerEvent =
  | { readonly detailType: typeof partnerEventTypes.accountStatus; readonly detail: AccountStatusChanged }
  | {
      readonly detailType: typeof partnerEventTypes.profileVerification;
      readonly detail: ProfileVerificationChanged;
    }
  | { readonly detailType: typeof partnerEventTypes.kycReviewStatus; readonly detail: KycReviewStatusChanged }
  | { readonly detailType: typeof partnerEventTypes.profileAccess; readonly detail: ProfileAccessChanged };

/**
 * Where partner events go: the stack's EventBridge bus in AWS, the local sink behind
 * `GET /local/events` on the local stack.
 *
 * `publish` resolves once every event is accepted (in the given order); it throws when any was
 * not, and the caller publishes them all again (same `eventId`s), so a partner may see one twice.
 *
 * @example await bus.publish([{ detailType: partnerEventTypes.accountStatus, detail }]);
 */
export interface EventBus {
  publish(events: readonly PartnerEvent[]): Promise<void>;
}

/** What {@link PublishedAccess.refresh} found. */
export type AccessRefresh = 'unchanged' | 'published' | 'no-account';

/**
 * The profile access the partner was last told of, per customer (kept on the account item: see
 * shared/adapters/dynamodb/published-access.ts). `refresh` re-derives it from all the customer's
 * grants and stores it when it differs; the stored change is what the partner-events consumer
 * announces as Profile Access Changed.
 */
export interface PublishedAccess {
  refresh(customerId: string, options?: { abortSignal?: AbortSignal }): Promise<AccessRefresh>;
}
