/**
 * A Wise KYC review as this product keeps it (API-NOTES §5). Pure: no AWS, no HTTP.
 */

/** Wise's documented statuses. Any status may move to any other, so none is treated as final. */
export const kycReviewStatuses = [
  'NEW',
  'PASSED',
  'PASSED_WITH_REQUIREMENTS',
  'WAITING_CUSTOMER_INPUT',
  'PROCESSING',
] as const;
export type KnownKycReviewStatus = (typeof kycReviewStatuses)[number];
/** Wise may add statuses (its versioning policy allows additive changes): unknown ones are kept as they come. */
export type KycReviewStatus = KnownKycReviewStatus | (string & {});

/** The customer is the one who has to act: the only status in which Wise hands out a hosted link. */
export const AWAITING_CUSTOMER: KycReviewStatus = 'WAITING_CUSTOMER_INPUT';

/** What the review is for. Wise supports QUOTE (with the quote's uuid) and PROACTIVE_SEND_MONEY for partners. */
export type KycTrigger = { type: 'QUOTE'; id: string } | { type: 'PROACTIVE_SEND_MONEY' };

/** One requirement, with Wise's 2026 name `state` (the Dec-2025 docs called it `status`). */
export interface KycRequirement {
  key: string;
  state: string;
  /** Whether the partner may submit it over the API instead of the hosted page. */
  apiCollectionSupported: boolean;
}

/** Wise's shape: AND over the outer list, OR within each line — `[[a, b], [c]]` is (a or b) and c. */
export type KycRequirements = KycRequirement[][];

export interface KycReview {
  reviewId: string;
  profileId: number;
  status: KycReviewStatus;
  /** Epoch ms of the moment `status` is known to hold; newer knowledge only replaces older. */
  statusOccurredAt?: number;
  /** Absent on an item the webhook function created before this function stored the review. */
  trigger?: KycTrigger;
  requirements?: KycRequirements;
  /** ISO instant: Wise's deadline for PASSED_WITH_REQUIREMENTS. */
  requiredBy?: string;
  redirectUrl?: string;
  /** The hosted link's URL, encrypted: it is a bearer secret for the customer's KYC session. */
  linkCiphertext?: string;
  linkExpiresAt?: number;
  createdAt?: string;
  updatedAt?: string;
}

export const sameTrigger = (a: KycTrigger | undefined, b: KycTrigger): boolean => {
  if (!a || a.type !== b.type) return false;
  return a.type === 'QUOTE' && b.type === 'QUOTE' ? a.id.toLowerCase() === b.id.toLowerCase() : true;
};

/** The body of Wise's create call for a trigger. */
export const wiseCreateBody = (
  trigger: KycTrigger,
): { type: string; triggerData?: Record<string, unknown> } =>
  trigger.type === 'QUOTE' ? { type: 'QUOTE', triggerData: { id: trigger.id } } : { type: trigger.type };

/**
 * Reads the trigger back from Wise's `triggerReferences` (used when recovering a review that Wise
 * created but this product never recorded). Only the triggers partners can start are recognised.
 */
export const triggerFromReferences = (
  refs: readonly { type: string; triggerData?: unknown }[] | undefined,
): KycTrigger | undefined => {
  for (const ref of refs ?? []) {
    if (ref.type === 'PROACTIVE_SEND_MONEY') return { type: 'PROACTIVE_SEND_MONEY' };
    if (ref.type === 'QUOTE') {
      const id = (ref.triggerData as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && id.length > 0) return { type: 'QUOTE', id };
    }
  }
  return undefined;
};

/** Wise's requirement lines, with `state` taken from either of Wise's names; malformed lines are dropped. */
export const normaliseRequirements = (
  raw:
    | readonly (readonly {
        key: string;
        state?: string | null;
        status?: string | null;
        apiCollectionSupported?: boolean | null;
      }[])[]
    | null
    | undefined,
): KycRequirements | undefined => {
  if (!raw) return undefined;
  return raw
    .map((line) =>
      line.map((q) => ({
        key: q.key,
        state: q.state ?? q.status ?? 'UNKNOWN',
        apiCollectionSupported: q.apiCollectionSupported === true,
      })),
    )
    .filter((line) => line.length > 0);
};

/** The review as the partner API shows it: no ciphertext, no internal bookkeeping. */
export interface PublicKycReview {
  id: string;
  profileId: number;
  status: KycReviewStatus;
  trigger?: KycTrigger;
  requirements?: KycRequirements;
  requiredBy?: string;
  redirectUrl?: string;
  createdAt?: string;
  updatedAt?: string;
}

export const publicReview = (review: KycReview): PublicKycReview => ({
  id: review.reviewId,
  profileId: review.profileId,
  status: review.status,
  ...(review.trigger ? { trigger: review.trigger } : {}),
  ...(review.requirements ? { requirements: review.requirements } : {}),
  ...(review.requiredBy ? { requiredBy: review.requiredBy } : {}),
  ...(review.redirectUrl ? { redirectUrl: review.redirectUrl } : {}),
  ...(review.createdAt ? { createdAt: review.createdAt } : {}),
  ...(review.updatedAt ? { updatedAt: review.updatedAt } : {}),
});
