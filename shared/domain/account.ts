/** Where a customer stands with Wise (PARTNER-API.md "Customer account status"). */
export const accountStatuses = [
  'NONE',
  'CREATING',
  'ACTIVE',
  'EXISTING_ACCOUNT',
  'LINK_PENDING',
  'LINKED',
  'RELINK_REQUIRED',
  'LINK_REJECTED',
  'DISCONNECTED',
  'DEACTIVATED',
] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/** The statuses route 22 lists: CREATING, a signup under way, is not on the status index (shared/table.ts). */
export const listedAccountStatuses = accountStatuses.filter((s) => s !== 'CREATING') as [
  Exclude<AccountStatus, 'CREATING'>,
  ...Exclude<AccountStatus, 'CREATING'>[],
];

export type Verification = 'verified' | 'not_verified' | 'unknown';

export interface ProfileRecord {
  id: number;
  type: 'PERSONAL' | 'BUSINESS';
  verification: Verification;
  verificationUpdatedAt?: string;
  /** occurred_at (epoch ms) of the webhook that set `verification`; older events never overwrite it. */
  verificationOccurredAt?: number;
  cdd?: { state: string; requiredEvidences: string[]; occurredAt: number };
}

/** Progress of the signup state machine; each step is recorded before the next Wise call. */
export type SignupStep = 'STARTED' | 'USER_CREATED' | 'TOKENS_STORED' | 'PROFILE_CREATED';

export interface CustomerAccount {
  customerId: string;
  status: AccountStatus;
  /** CREATED: this service signed the user up (it holds the registration code). LINKED: OAuth. */
  origin?: 'CREATED' | 'LINKED';
  wiseUserId?: number;
  email?: string;
  registrationCodeCiphertext?: string;
  signupStep?: SignupStep;
  personalProfileIdempotenceUuid?: string;
  personalProfileId?: number;
  /** When the customer accepted Wise's Terms and Conditions in the partner's app (route 1), ISO. */
  acceptedTermsAt?: string;
  createdAt: string;
  updatedAt: string;
  profiles: ProfileRecord[];
}

/** Whether the product can act at Wise for a profile (derived from the grants: shared/ports/grants.ts). */
export type ProfileAccessView = 'GRANTED' | 'RELINK_REQUIRED' | 'NONE';

/**
 * The account as the partner API shows it: no ciphertext, no internal progress fields. With
 * `access` (route 2), each profile carries its access; a profile no grant covers is `NONE`.
 */
export const publicAccount = (account: CustomerAccount, access?: ReadonlyMap<number, ProfileAccessView>) => ({
  customerId: account.customerId,
  status: account.status,
  ...(account.wiseUserId !== undefined ? { wiseUserId: account.wiseUserId } : {}),
  profiles: account.profiles.map((p) => ({
    id: p.id,
    type: p.type,
    verification: p.verification,
    ...(p.verificationUpdatedAt ? { verificationUpdatedAt: p.verificationUpdatedAt } : {}),
    ...(p.cdd ? { cdd: { state: p.cdd.state, requiredEvidences: p.cdd.requiredEvidences } } : {}),
    ...(access ? { access: access.get(p.id) ?? ('NONE' as const) } : {}),
  })),
});
