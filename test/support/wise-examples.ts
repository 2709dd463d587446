/**
 * Wise's own example values, copied from its documents, for tests that must hold against what
 * Wise shows rather than what the simulator happens to print.
 */

/**
 * The KYC review after `PATCH /v1/profiles/{profileId}/kyc-reviews/{kycReviewId}` — Wise's
 * example (API reference "Update KYC Review to get a Hosted KYC link"; API-NOTES §5). Note
 * `link.expiresAt`: zone-less, nine fraction digits, 56 ms after `updatedAt`, although Wise's
 * guide says the link lives 5 minutes after it is generated.
 */
export const WISE_KYC_PATCH_EXAMPLE = {
  id: '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8',
  createdAt: '2024-09-03T16:22:02.257725',
  updatedAt: '2024-09-03T16:29:41.147522',
  requiredBy: '2024-09-03T16:22:02.257725',
  status: 'WAITING_CUSTOMER_INPUT',
  link: {
    value:
      'https://wise-sandbox.com/embedded-flows/verification?token=d7332edb-25bf-41af-a4e9-09f5efe39ded&checkId=3120073',
    expiresAt: '2024-09-03T16:29:41.203225146',
  },
  triggerReferences: [{ type: 'QUOTE', triggerData: { id: 'ba83s43a-f623-46f0-956d-196c13e2ab01' } }],
  redirectUrl: 'https://example.com',
} as const;

/**
 * `kyc-reviews#state-change` at schema 5.0.0 — Wise's payload example (guide
 * "KYC state change webhook", docs.wise.com/guides/product/account-setup/customer-onboarding/
 * kyc-statechange-webhook). The envelope, `id`, `state` and `prevState` are Wise's as printed;
 * the copy available to this project stops after `prevState`, so the rest is filled in from the
 * fields the reference documents for `data.resource` (profileId, requiredBy, createdAt,
 * updatedAt, triggerReferences, requirementChanges), with the values of Wise's PATCH example.
 */
export const WISE_KYC_STATE_CHANGE_5_0_0_EXAMPLE = {
  schema_version: '5.0.0',
  subscription_id: '8df95817-8085-40aa-9bda-e3bf46e7a21a',
  event_type: 'kyc-reviews#state-change',
  sent_at: '2026-09-03T16:29:42.123Z',
  data: {
    resource: {
      id: '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8',
      state: 'WAITING_CUSTOMER_INPUT',
      prevState: 'WAITING_CUSTOMER_INPUT',
      // Reconstructed from here on (see above).
      profileId: 30000001,
      requiredBy: '2026-09-03T16:22:02.257725',
      createdAt: '2026-09-03T16:22:02.257725',
      updatedAt: '2026-09-03T16:29:41.147522',
      triggerReferences: [{ type: 'QUOTE', triggerData: { id: 'ba83s43a-f623-46f0-956d-196c13e2ab01' } }],
      requirementChanges: [
        { key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'IN_REVIEW', prevState: 'NOT_PROVIDED' },
      ],
    },
  },
} as const;

/** The client-credentials token of Wise's JWT format (client-credentials-token-migration guide), as printed there (cut). */
export const WISE_JWT_CLIENT_TOKEN_PREFIX =
  'eyJhbGciOiJSUzI1NiIsImVuYyI6IkEyNTZHQ00iLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiIzIiwiaXNzIjo';
