import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KycRequirements, KycReview, KycTrigger } from '../domain/kyc/review';
import { wiseInstantToIso } from '../domain/kyc/wise-time';
import type { Clock } from '../ports/clock';
import type {
  KycReviewFields,
  KycReviewStore as KycReviews,
  KycStatusObservation,
} from '../ports/kyc-reviews';
import { customerPk } from './account-store';
import { isConditionalCheckFailure, type Table } from './dynamo';

export const kycReviewSkPrefix = (profileId: number) => `KYC#${profileId}#`;
export const kycReviewSk = (profileId: number, reviewId: string) =>
  `${kycReviewSkPrefix(profileId)}${reviewId}`;

export type { KycReviewFields, KycStatusObservation } from '../ports/kyc-reviews';

/** A profile has a few reviews (one per quote that needed one); more than this is a fault, not data. */
const MAX_LISTED = 500;

type Item = Record<string, unknown>;

/** Instants are served as ISO UTC whichever writer stored them (the webhook keeps Wise's zone-less form). */
const asIso = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? (wiseInstantToIso(v) ?? v)
    : typeof v === 'number' && Number.isFinite(v)
      ? new Date(v).toISOString()
      : undefined;

const toReview = (item: Item, profileId: number): KycReview => {
  const sk = String(item.sk);
  return {
    reviewId:
      typeof item.reviewId === 'string' ? item.reviewId : sk.slice(kycReviewSkPrefix(profileId).length),
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
  };
};

/**
 * KYC reviews under the customer's partition (`CUSTOMER#{cid}` / `KYC#{pid}#{reviewId}`). The
 * webhook function writes the same items (status, statusOccurredAt, requiredBy, updatedAt) and
 * may create one first, so every write here is an update that keeps what it does not know
 * about, and a status is replaced only by newer knowledge. Stores only the link's ciphertext.
 */
export class KycReviewStore implements KycReviews {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async get(customerId: string, profileId: number, reviewId: string): Promise<KycReview | undefined> {
    const out = await this.table.db.send(
      new GetCommand({
        TableName: this.table.name,
        Key: { pk: customerPk(customerId), sk: kycReviewSk(profileId, reviewId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toReview(out.Item, profileId) : undefined;
  }

  /** The profile's reviews, newest first. */
  async list(customerId: string, profileId: number): Promise<KycReview[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': customerPk(customerId),
            ':prefix': kycReviewSkPrefix(profileId),
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < MAX_LISTED);
    return items
      .slice(0, MAX_LISTED)
      .map((i) => toReview(i, profileId))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  }

  /**
   * Records what is known about a review and returns the item as stored afterwards. The
   * observed status is written only when nothing newer is stored (a webhook may have been
   * quicker); the other fields are written either way.
   */
  async save(
    customerId: string,
    profileId: number,
    reviewId: string,
    fields: KycReviewFields,
    observed?: KycStatusObservation,
  ): Promise<KycReview> {
    if (observed) {
      try {
        return await this.update(customerId, profileId, reviewId, fields, observed);
      } catch (err) {
        if (!isConditionalCheckFailure(err)) throw err;
      }
    }
    return this.update(customerId, profileId, reviewId, fields, undefined);
  }

  private async update(
    customerId: string,
    profileId: number,
    reviewId: string,
    fields: KycReviewFields,
    observed: KycStatusObservation | undefined,
  ): Promise<KycReview> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const set = (name: string, value: unknown, expression?: (n: string, v: string) => string) => {
      if (value === undefined) return;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(expression ? expression(`#${name}`, `:${name}`) : `#${name} = :${name}`);
    };
    set('customerId', customerId);
    set('profileId', profileId);
    set('reviewId', reviewId);
    set('trigger', fields.trigger);
    set('requirements', fields.requirements);
    set('redirectUrl', fields.redirectUrl);
    set('linkCiphertext', fields.linkCiphertext);
    set('linkExpiresAt', fields.linkExpiresAt);
    set(
      'createdAt',
      fields.createdAt ?? new Date(this.clock.now()).toISOString(),
      (n, v) => `${n} = if_not_exists(${n}, ${v})`,
    );
    set('updatedAt', new Date(this.clock.now()).toISOString());
    let condition: string | undefined;
    if (observed) {
      set('status', observed.status);
      set('statusOccurredAt', observed.asOf);
      set('requiredBy', observed.requiredBy);
      condition = 'attribute_not_exists(#statusOccurredAt) OR #statusOccurredAt <= :statusOccurredAt';
    } else {
      // A review first seen without a status (never the case today) still needs one to be listed.
      names['#status'] = 'status';
      values[':unknownStatus'] = 'NEW';
      sets.push('#status = if_not_exists(#status, :unknownStatus)');
    }
    const out = await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: { pk: customerPk(customerId), sk: kycReviewSk(profileId, reviewId) },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toReview(out.Attributes ?? {}, profileId);
  }
}
