/**
 * The application table's shape, defined once: the CDK stack and the local stack's table
 * creation (local/dynamodb) both build from it.
 *
 * Single-table design. Item keys (pk / sk):
 *   CUSTOMER#{customerId} / ACCOUNT                 the customer's Wise account and onboarding progress
 *   CUSTOMER#{customerId} / GRANT#{grantId}         one Wise grant: encrypted token pair, version, profileIds, kind, refresh lease
 *   CUSTOMER#{customerId} / TOKENS                  v1 single token pair: moved into a GRANT item on first use, then deleted
 *   CUSTOMER#{customerId} / PROFILE#{profileId}     a Wise profile with its verification (gsi1pk PROFILE#{id})
 *   CUSTOMER#{customerId} / KYC#{profileId}#{id}    a KYC review and its hosted link
 *   CUSTOMER#{customerId} / KYCCREATE#{profileId}#{triggerKey}  the lease of a review being created (TTL)
 *   CUSTOMER#{customerId} / TRANSFER#{transferId}   the last known transfer status
 *   CUSTOMER#{customerId} / IDENTITY                the identity on record: HMAC-SHA256 digests of the date of birth and
 *                                                   the registration number (key: the stack's secret), never a value
 *   CUSTOMER#{customerId} / LINKCODE_ATTEMPT#{0..4} route 10's failed-code slots, each a standalone lease held an hour (TTL)
 *   CUSTOMER#~identity-digest-key / KEY             the identity digests' HMAC key, sealed by the application key (made on
 *                                                   first use; `~` is outside the customer-id alphabet)
 *   LINKSTATE#{sha256(state)} / LINKSTATE           a pending OAuth state (TTL)
 *   LINKRESULT#{sha256(result)} / LINKRESULT        route 9's kept code for route 17: encrypted under the state's customer,
 *                                                   profileId, expiresAtMs (10 min; TTL), the completion's lease, and once
 *                                                   exchanged the encrypted token answer (gsi1pk LINKRESULT_CUSTOMER#{cid})
 *   WISEPROFILE#{profileId} / OWNER                 the customer a Wise profile is linked to, written in the grant's own
 *                                                   transaction on `attribute_not_exists(pk) OR customerId = :me`
 *   WEBHOOK#{dedupKey} / EVENT                      a verified Wise delivery, recorded before its 200 (TTL 30 days,
 *                                                   >= 16): status RECEIVED, then the stream consumer's outcome
 *                                                   (APPLIED with customerId, UNMATCHED, IGNORED); TEST and unknown
 *                                                   event types are recorded final. The event's `data` is kept
 *                                                   (`payload`), so that it can be applied later and replayed.
 *   WEBHOOK#TEST#{dedupKey} / EVENT                 a test notification (X-Test-Notification is unsigned, so it never
 *                                                   shares a real event's key)
 *   IDEMPOTENCY#{customerId}#{key} / REQUEST        a replayable partner-API response (TTL; gsi1pk IDEMPOTENCY_CUSTOMER#{cid})
 *   AUDIT#{customerId} / {at ISO}#{eventId}          an audit event (TTL: auditRetentionDays); erasure keeps only its tombstone
 * gsi1 (keys only) answers "whose is this Wise id?": the account item carries gsi1pk WISEUSER#{userId}
 * (users#state-change), profile items PROFILE#{profileId} (profile and KYC webhooks), and link
 * states LINKSTATE_CUSTOMER#{customerId}, link results LINKRESULT_CUSTOMER#{customerId} (disconnect and
 * erasure find them).
 * It also answers "what did Wise say about a profile nobody owns yet?": an UNMATCHED event record
 * carries gsi1pk PENDING_PROFILE#{profileId} (or PENDING_USER#{userId}) until the profile (or user)
 * becomes a customer's, when the stream consumer applies it and removes the key. Idempotency records
 * carry IDEMPOTENCY_CUSTOMER#{customerId} (erasure finds them).
 * gsi2 (keys only, sparse) lists customers by status, newest status change first (route 22): the
 * account item carries gsi2pk STATUS#{status}, gsi2sk {time of the status write, ISO}#{customerId},
 * except while CREATING (a signup in progress: indexing it would cost every onboarding two more
 * index writes, and it is transient).
 *
 * gsi2 also holds reconciliation's due lists (shared/domain/reconciliation.ts), kept by the
 * partner-events consumer: a profile item still unknown/not_verified carries gsi2pk
 * RECONCILE#VERIFICATION, a KYC review item not yet PASSED RECONCILE#KYC, each with gsi2sk
 * {when it is next due, ISO}#{pk}#{sk}; the keys go once the state is resolved.
 * The account item also carries publishedAccess / publishedAccessVersion / publishedAccessAt, written
 * by the partner-events consumer only: the profile access the partner was last told of.
 * The stream (NEW_AND_OLD_IMAGES) carries every change to the stream consumers
 * (shared/stream-consumers.ts): the table is the outbox.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ] as readonly IndexDefinition[],
  stream: { viewType: 'NEW_AND_OLD_IMAGES' },
} as const;

export type TableDefinition = typeof tableDefinition;
