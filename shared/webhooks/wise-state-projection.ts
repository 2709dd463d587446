import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';
import { ACCOUNT_SK, customerPk, ownerOf, ownerQuery, profileSk } from '../store/account-store';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import { kycReviewSk } from '../store/kyc-review-store';
import { kycStatusRank } from '../domain/kyc/status-order';
import type { CallBudget } from './call-budget';
import { OwnerCache } from './owner-cache';
import type { WiseEvent } from './webhook-event';

/**
 * APPLIED: the store now shows the event's state. STALE: a state that occurred at the same time
 * or later is already stored, so nothing changed. UNMATCHED: no customer of ours owns it.
 */
export type Application = { outcome: 'APPLIED' | 'STALE'; customerId: string } | { outcome: 'UNMATCHED' };

export const transferSk = (transferId: number) => `TRANSFER#${transferId}`;

interface UpdateOptions {
  /** false: the write may create the item (KYC reviews, transfers). */
  mustExist?: boolean;
  /** The condition also requires `gsi1pk = :owner` (the owner key): a refusal with another key is UNMATCHED. */
  ownerChecked?: boolean;
}

/** ReturnValuesOnConditionCheckFailure comes back in attribute-value form, even through the document client. */
const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : ((value as { S?: string } | undefined)?.S ?? undefined);

/** The gsi1 key that names the customer owning an event's profile or user (undefined: the event names none). */
export const ownerKeyOf = (event: WiseEvent): string | undefined => {
  if (event.type === 'users#state-change') return `WISEUSER#${event.userId}`;
  return event.profileId === undefined ? undefined : `PROFILE#${event.profileId}`;
};

/**
 * The key an event waits under while no customer of ours owns its profile or user (gsi1pk of its
 * UNMATCHED record); undefined when it names neither, so that no arrival could ever apply it.
 */
export const pendingKeyOf = (event: WiseEvent): string | undefined => {
  if (event.type === 'users#state-change') return `PENDING_USER#${event.userId}`;
  return event.profileId === undefined ? undefined : `PENDING_PROFILE#${event.profileId}`;
};

/** The projection as its use cases see it: which customer, then the one conditional write. */
export interface StateProjection {
  ownerOf(event: WiseEvent, budget: CallBudget): Promise<string | undefined>;
  applyFor(event: WiseEvent, customerId: string, budget: CallBudget): Promise<Application>;
}

/**
 * Applies Wise's events to the items the partner API serves. Every write is a conditional update
 * on the field's own `...OccurredAt`: Wise does not deliver in order (API-NOTES §6.3), so a state
 * is written only when it occurred strictly later than the stored one. That makes application
 * idempotent (a repeat changes nothing) and order-independent (an older event never wins).
 *
 * Two steps, so that a caller can run the write beside other work: `ownerOf` (which customer; a
 * per-container cache, else one gsi1 query) and `applyFor` (exactly one conditional UpdateItem).
 */
export class WiseStateProjection implements StateProjection {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    /** Built once per container with the projection, so a warm container remembers owners. */
    readonly owners: OwnerCache = new OwnerCache(),
  ) {}

  /** Owner lookup and application in one (the two steps of the class comment, one after the other). */
  async apply(event: WiseEvent, budget: CallBudget): Promise<Application> {
    const customerId = await this.ownerOf(event, budget);
    if (!customerId) return { outcome: 'UNMATCHED' };
    return this.applyFor(event, customerId, budget);
  }

  /** The customer of ours that owns the event's profile or user: remembered, else one gsi1 query. */
  async ownerOf(event: WiseEvent, budget: CallBudget): Promise<string | undefined> {
    const key = ownerKeyOf(event);
    if (key === undefined) return undefined;
    const known = this.owners.get(key);
    if (known !== undefined) return known;
    const found = await this.customerOf(key, budget);
    if (found !== undefined) this.owners.remember(key, found);
    return found;
  }

  /** The event's one conditional write to `customerId`'s items (see `ownerOf`). */
  async applyFor(event: WiseEvent, customerId: string, budget: CallBudget): Promise<Application> {
    const ownerKey = ownerKeyOf(event);
    if (ownerKey === undefined) return { outcome: 'UNMATCHED' };
    const update = (input: Omit<UpdateCommandInput, 'TableName'>, options: UpdateOptions = {}) =>
      this.update(customerId, budget, input, { ...options, ownerKey });
    switch (event.type) {
      case 'profiles#verification-state-change':
        return update({
          Key: { pk: customerPk(customerId), sk: profileSk(event.profileId) },
          UpdateExpression:
            'SET verification = :v, verificationUpdatedAt = :iso, verificationOccurredAt = :t',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(verificationOccurredAt) OR verificationOccurredAt < :t)',
          ExpressionAttributeValues: {
            ':v': event.verification,
            ':iso': new Date(event.occurredAt).toISOString(),
            ':t': event.occurredAt,
          },
        });
      case 'profiles#cdd-check-state-change':
        return update({
          Key: { pk: customerPk(customerId), sk: profileSk(event.profileId!) },
          UpdateExpression: 'SET cdd = :cdd',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(cdd) OR cdd.occurredAt < :t)',
          ExpressionAttributeValues: {
            ':cdd': {
              state: event.state,
              requiredEvidences: event.requiredEvidences,
              occurredAt: event.occurredAt,
            },
            ':t': event.occurredAt,
          },
        });
      case 'kyc-reviews#state-change': {
        // Creates a minimal review when the webhook beats the KYC route's own write; that route
        // merges into it and keeps whichever status occurred later.
        const now = new Date(this.clock.now()).toISOString();
        return update(
          {
            Key: { pk: customerPk(customerId), sk: kycReviewSk(event.profileId, event.reviewId) },
            UpdateExpression:
              'SET #status = :s, statusOccurredAt = :t, statusRank = :r, updatedAt = :now, reviewId = if_not_exists(reviewId, :rid), ' +
              'profileId = if_not_exists(profileId, :pid), createdAt = if_not_exists(createdAt, :now)' +
              (event.requiredBy === null ? ' REMOVE requiredBy' : ', requiredBy = :rb'),
            // Same second: the later step of the usual flow wins (see kycStatusRank).
            ConditionExpression:
              'attribute_not_exists(statusOccurredAt) OR statusOccurredAt < :t OR ' +
              '(statusOccurredAt = :t AND (attribute_not_exists(statusRank) OR statusRank < :r))',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':s': event.status,
              ':t': event.occurredAt,
              ':r': kycStatusRank(event.status),
              ':now': now,
              ':rid': event.reviewId,
              ':pid': event.profileId,
              ...(event.requiredBy === null ? {} : { ':rb': event.requiredBy }),
            },
          },
          { mustExist: false },
        );
      }
      case 'transfers#state-change':
        return update(
          {
            Key: { pk: customerPk(customerId), sk: transferSk(event.transferId) },
            UpdateExpression:
              'SET transferId = :id, profileId = :pid, #status = :s, statusOccurredAt = :t, updatedAt = :now',
            ConditionExpression: 'attribute_not_exists(statusOccurredAt) OR statusOccurredAt < :t',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':id': event.transferId,
              ':pid': event.profileId,
              ':s': event.status,
              ':t': event.occurredAt,
              ':now': new Date(this.clock.now()).toISOString(),
            },
          },
          { mustExist: false },
        );
      case 'users#state-change': {
        // Only a deactivation changes the partner-visible status; Wise's other user states
        // (ACTIVE, WITHDRAW_ONLY) are kept beside it, since the status they would restore is not known.
        // `gsi1pk = :owner`: the account must still be this Wise user's (a remembered owner may have
        // linked another Wise user since); otherwise the event is UNMATCHED, as the lookup would say.
        const deactivated = event.state === 'DEACTIVATED';
        return update(
          {
            Key: { pk: customerPk(customerId), sk: ACCOUNT_SK },
            UpdateExpression:
              'SET wiseUserState = :st, wiseUserStateOccurredAt = :t, updatedAt = :now' +
              (deactivated ? ', #status = :deactivated' : ''),
            ConditionExpression:
              'attribute_exists(pk) AND gsi1pk = :owner AND (attribute_not_exists(wiseUserStateOccurredAt) OR wiseUserStateOccurredAt < :t)',
            ...(deactivated ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
            ExpressionAttributeValues: {
              ':st': event.state,
              ':t': event.occurredAt,
              ':now': new Date(this.clock.now()).toISOString(),
              ':owner': ownerKey,
              ...(deactivated ? { ':deactivated': 'DEACTIVATED' } : {}),
            },
          },
          { ownerChecked: true },
        );
      }
    }
  }

  /**
   * The conditional write; a refused condition is STALE, or UNMATCHED when the item itself is gone
   * (or, with `ownerChecked`, no longer carries the owner key). UNMATCHED drops the remembered owner.
   */
  private async update(
    customerId: string,
    budget: CallBudget,
    input: Omit<UpdateCommandInput, 'TableName'>,
    options: UpdateOptions & { ownerKey: string },
  ): Promise<Application> {
    const mustExist = options.mustExist !== false;
    try {
      const out = await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          ...input,
          ReturnValuesOnConditionCheckFailure: mustExist ? 'ALL_OLD' : undefined,
          ReturnConsumedCapacity: 'TOTAL',
        }),
        budget.options(),
      );
      budget.count('write', out.ConsumedCapacity);
      return { outcome: 'APPLIED', customerId };
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
      budget.countRefusedWrite();
      if (!mustExist) return { outcome: 'STALE', customerId };
      const old = (err as { Item?: Record<string, unknown> }).Item;
      if (old === undefined || (options.ownerChecked && stringOf(old.gsi1pk) !== options.ownerKey)) {
        this.owners.forget(options.ownerKey);
        return { outcome: 'UNMATCHED' };
      }
      return { outcome: 'STALE', customerId };
    }
  }

  /** Which customer owns a Wise profile or user: AccountStore's gsi1 query, with the delivery's time bound on it. */
  private async customerOf(gsi1pk: string, budget: CallBudget): Promise<string | undefined> {
    const out = await this.table.db.send(ownerQuery(this.table.name, gsi1pk, true), budget.options());
    budget.count('read', out.ConsumedCapacity);
    return ownerOf(out.Items);
  }
}
