import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** What happened to a customer (PARTNER-API.md route 21). */
export const auditActions = [
  'customer.signup_started',
  'customer.signed_up',
  'link.started',
  'link.completed',
  'link.rejected',
  'link.disconnected',
  'identity.changed',
  'access_token.issued',
  'kyc_link.issued',
  'status.changed',
  'customer.erased',
] as const;

export type AuditAction = (typeof auditActions)[number];

/** Who did it: a caller kind of the route table, Wise itself (webhooks) or the product (`system`). */
export type AuditActorKind = 'customer' | 'partner' | 'wise-access' | 'wise' | 'system';

export interface AuditActor {
  readonly kind: AuditActorKind;
  /** The caller's token `sub` (a customer id, a partner service's client id); absent for Wise and the system. */
  readonly subject?: string;
}

/**
 * Flat, non-secret facts about the event: ids, statuses, profile ids, reason codes. Never a token,
 * a code, a state, an email, a name or a date of birth — the audit trail is kept for years and
 * outlives erasure's tombstone.
 */
export type AuditDetails = Readonly<Record<string, string | number | boolean>>;

export interface AuditEvent {
  readonly action: AuditAction;
  readonly actor: AuditActor;
  readonly details?: AuditDetails;
}

/** An event as recorded: its id and the instant (ISO 8601, ms) it was recorded at. */
export interface RecordedAuditEvent extends AuditEvent {
  readonly id: string;
  readonly at: string;
}

/** A write for a DynamoDB `TransactWriteItems` (the same shape as the grants port's `TransactWrite`). */
export type AuditTransactWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Where a page of the trail ended: the last event's sort key (`{at}#{id}`), opaque to callers. */
export type AuditPosition = string;

export interface AuditPage {
  /** Newest first. */
  readonly items: readonly RecordedAuditEvent[];
  /** Present when older events remain: pass it as `after` for the next page. */
  readonly next?: AuditPosition;
}

/**
 * The customer's append-only audit trail (`AUDIT#{cid}` / `{at}#{eventId}`), kept for the
 * configured retention (`auditRetentionDays`, the table's TTL). Where an event records a change
 * written to the table, put {@link AuditTrail.transactItem} in the change's own transaction (no
 * change without its event); otherwise {@link AuditTrail.record} it before answering.
 *
 * @example
 * await audit.record(customerId, { action: 'access_token.issued', actor: actorOf(caller, customerId), details: { profileId } });
 * await db.send(new TransactWriteCommand({ TransactItems: [change, audit.transactItem(customerId, event)] }));
 */
export interface AuditTrail {
  /** Records one event now (a conditional put: an event is never overwritten). */
  record(customerId: string, event: AuditEvent): Promise<RecordedAuditEvent>;
  /** The event as a Put for the caller's own transaction; it is recorded when that transaction commits. */
  transactItem(customerId: string, event: AuditEvent): AuditTransactWrite;
  /** A page of the trail, newest first, strictly after `after` (a position from an earlier page). */
  list(customerId: string, options: { limit: number; after?: AuditPosition }): Promise<AuditPage>;
}

/** The audit trail's partition. */
export const auditPk = (customerId: string) => `AUDIT#${customerId}`;

/** An event's sort key, also its {@link AuditPosition}: time first, so the partition reads in order. */
export const auditSk = (event: Pick<RecordedAuditEvent, 'at' | 'id'>): AuditPosition =>
  `${event.at}#${event.id}`;

/** How long events are kept unless configured (`auditRetentionDays`): about seven years. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 2555;
