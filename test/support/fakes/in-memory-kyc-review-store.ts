import type { KycRequirements, KycReview, KycTrigger } from '../../../shared/domain/kyc/review';
import { wiseInstantToIso } from '../../../shared/domain/kyc/wise-time';
import type { Clock } from '../../../shared/ports/clock';
import type {
  KycReviewFields,
  KycReviewStore,
  KycStatusObservation,
} from '../../../shared/ports/kyc-reviews';

type Item = Record<string, unknown>;

const asIso = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? (wiseInstantToIso(v) ?? v)
    : typeof v === 'number' && Number.isFinite(v)
      ? new Date(v).toISOString()
      : undefined;

/** The review as the DynamoDB store reads it back: instants as ISO UTC, absent fields absent. */
const toReview = (item: Item, profileId: number): KycReview => ({
  reviewId: String(item.reviewId),
  profileId,
  status: typeof item.status === 'string' ? item.status : 'NEW',
  ...(typeof item.statusOccurredAt === 'number' ? { statusOccurredAt: item.statusOccurredAt } : {}),
  ...(item.trigger ? { trigger: item.trigger as KycTrigger } : {}),
  ...(Array.isArray(item.requirements) ? { requirements: item.requirements as KycRequirements } : {}),
  ...(asIso(item.requiredBy) ? { requiredBy: asIso(item.requiredBy) } : {}),
  ...(typeof item.redirectUrl === 'string' ? { redirectUrl: item.redirectUrl } : {}),
  ...(typeof item.linkCiphertext === 'string' ? { linkCiphertext: item.linkCiphertext } : {}),
  ...(typeof item.linkExpiresAt === 'number' ? { linkExpiresAt: item.linkExpiresAt } : {}),
  ...(asIso(item.createdAt) ? { createdAt: asIso(item.createdAt) } : {}),
  ...(asIso(item.updatedAt) ? { updatedAt: asIso(item.updatedAt) } : {}),
});

/**
 * The {@link KycReviewStore} port in memory, with the DynamoDB store's rules: a save keeps the
 * fields it does not name and the first `createdAt`; an observed status replaces the stored one
 * only when it is as new or newer (`asOf` against `statusOccurredAt`), otherwise the other fields
 * are still written. {@link applyWebhookStatus} writes as the webhook function does.
 */
export class InMemoryKycReviewStore implements KycReviewStore {
  readonly items = new Map<string, Item>();

  constructor(private readonly clock: Clock) {}

  private static id(customerId: string, profileId: number, reviewId: string): string {
    return `${customerId}\u0000${profileId}\u0000${reviewId}`;
  }

  async get(customerId: string, profileId: number, reviewId: string): Promise<KycReview | undefined> {
    const item = this.items.get(InMemoryKycReviewStore.id(customerId, profileId, reviewId));
    return item ? toReview(structuredClone(item), profileId) : undefined;
  }

  async list(customerId: string, profileId: number): Promise<KycReview[]> {
    return [...this.items.values()]
      .filter((i) => i.customerId === customerId && i.profileId === profileId)
      .map((i) => toReview(structuredClone(i), profileId))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  }

  async save(
    customerId: string,
    profileId: number,
    reviewId: string,
    fields: KycReviewFields,
    observed?: KycStatusObservation,
  ): Promise<KycReview> {
    const id = InMemoryKycReviewStore.id(customerId, profileId, reviewId);
    const now = new Date(this.clock.now()).toISOString();
    const item: Item = { ...(this.items.get(id) ?? {}), customerId, profileId, reviewId };
    for (const [name, value] of Object.entries(fields))
      if (value !== undefined && name !== 'createdAt') item[name] = value;
    item.createdAt ??= fields.createdAt ?? now;
    item.updatedAt = now;
    const stored = item.statusOccurredAt;
    if (observed && (typeof stored !== 'number' || stored <= observed.asOf)) {
      item.status = observed.status;
      item.statusOccurredAt = observed.asOf;
      if (observed.requiredBy !== undefined) item.requiredBy = observed.requiredBy;
    } else {
      item.status ??= 'NEW';
    }
    this.items.set(id, structuredClone(item));
    return toReview(item, profileId);
  }

  /** What the webhook function writes on a KYC review state change (creating the item if it is new). */
  applyWebhookStatus(
    customerId: string,
    profileId: number,
    reviewId: string,
    change: { status: string; statusOccurredAt: number; requiredBy?: string },
  ): void {
    const id = InMemoryKycReviewStore.id(customerId, profileId, reviewId);
    const item: Item = { ...(this.items.get(id) ?? {}), customerId, profileId, reviewId };
    if (typeof item.statusOccurredAt === 'number' && item.statusOccurredAt > change.statusOccurredAt) return;
    Object.assign(item, change, { updatedAt: new Date(this.clock.now()).toISOString() });
    this.items.set(id, item);
  }
}
