/**
 * The application table's shape, defined once: the CDK stack and the local stack's table
 * creation (local/dynamodb) both build from it.
 *
 * Single-table design. Item keys (pk / sk):
 *   CUSTOMER#{customerId} / ACCOUNT                 the customer's Wise account and onboarding progress
 *   CUSTOMER#{customerId} / TOKENS                  encrypted user tokens and the refresh lease
 *   CUSTOMER#{customerId} / PROFILE#{profileId}     a Wise profile with its verification (gsi1pk PROFILE#{id})
 *   CUSTOMER#{customerId} / KYC#{profileId}#{id}    a KYC review and its hosted link
 *   CUSTOMER#{customerId} / KYCCREATE#{profileId}#{triggerKey}  the lease of a review being created (TTL)
 *   CUSTOMER#{customerId} / TRANSFER#{transferId}   the last known transfer status
 *   LINKSTATE#{sha256(state)} / LINKSTATE           a pending OAuth state (TTL)
 *   WEBHOOK#{dedupKey} / EVENT                      a received webhook event (TTL >= 16 days)
 *   IDEMPOTENCY#{customerId}#{key} / REQUEST        a replayable partner-API response (TTL)
 * gsi1 (keys only) answers "whose is this Wise id?": the account item carries gsi1pk WISEUSER#{userId}
 * (users#state-change), profile items PROFILE#{profileId} (profile and KYC webhooks), and link
 * states LINKSTATE_CUSTOMER#{customerId} (the email-code fallback finds the customer's latest state).
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk' }],
} as const;

export type TableDefinition = typeof tableDefinition;
