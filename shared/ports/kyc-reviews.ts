import type { KycRequirements, KycReview, KycReviewStatus, KycTrigger } from '../domain/kyc/review';
import type { LeaseSpec } from './lease';

export type { KycReview, KycTrigger } from '../domain/kyc/review';

/** What this service learns about a review, apart from its status. */
export interface KycReviewFields {
  trigger?: KycTrigger;
  requirements?: KycRequirements;
  redirectUrl?: string;
  linkCiphertext?: string;
  linkExpiresAt?: number;
  /** Kept from the first write: the review was created once. */
  createdAt?: string;
}

/** A status known to hold as of `asOf` (epoch ms); see shared/domain/kyc/freshness.ts. */
export interface KycStatusObservation {
  status: KycReviewStatus;
  asOf: number;
  requiredBy?: string;
}

/**
 * The KYC reviews of a customer's profiles. The webhook function writes the same records, so a
 * save keeps what it does not know about, and a status is replaced only by newer knowledge.
 */
export interface KycReviewStore {
  get(customerId: string, profileId: number, reviewId: string): Promise<KycReview | undefined>;
  /** The profile's reviews, newest first. */
  list(customerId: string, profileId: number): Promise<KycReview[]>;
  /**
   * Records what is known about a review and returns it as stored afterwards: `observed` is written
   * only when nothing newer is stored; the other fields either way.
   */
  save(
    customerId: string,
    profileId: number,
    reviewId: string,
    fields: KycReviewFields,
    observed?: KycStatusObservation,
  ): Promise<KycReview>;
}

/**
 * The part of a creation lease's key that names the trigger: `QUOTE#{quoteId}` (lower case, as
 * `sameTrigger` compares quote ids) or the trigger type for a trigger without an id.
 *
 * @example kycTriggerKey({ type: 'QUOTE', id: '6F0C…' }) === 'QUOTE#6f0c…'
 */
export const kycTriggerKey = (trigger: KycTrigger): string =>
  trigger.type === 'QUOTE' ? `QUOTE#${trigger.id.toLowerCase()}` : trigger.type;

/**
 * `KYCCREATE#{profileId}#{triggerKey}`. Not under `KYC#{profileId}#`, so the profile's review
 * listing (a begins_with query on that prefix) never sees a lease.
 */
export const kycCreationLeaseSk = (profileId: number, trigger: KycTrigger): string =>
  `KYCCREATE#${profileId}#${kycTriggerKey(trigger)}`;

/**
 * Who is creating a KYC review for a (customer, profile, trigger) right now: one holder, so two
 * simultaneous requests never open two reviews at Wise. A standalone item, gone once released.
 *
 * @example if (await lease.take(kycCreationLease(cid, pid, trigger), owner, 30_000)) { ... }
 */
export const kycCreationLease = (customerId: string, profileId: number, trigger: KycTrigger): LeaseSpec => ({
  key: { pk: `CUSTOMER#${customerId}`, sk: kycCreationLeaseSk(profileId, trigger) },
  standalone: true,
});
