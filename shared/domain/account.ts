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
  createdAt: string;
  updatedAt: string;
  profiles: ProfileRecord[];
}

/** The account as the partner API shows it: no ciphertext, no internal progress fields. */
export const publicAccount = (account: CustomerAccount) => ({
  customerId: account.customerId,
  status: account.status,
  ...(account.wiseUserId !== undefined ? { wiseUserId: account.wiseUserId } : {}),
  profiles: account.profiles.map((p) => ({
    id: p.id,
    type: p.type,
    verification: p.verification,
    ...(p.verificationUpdatedAt ? { verificationUpdatedAt: p.verificationUpdatedAt } : {}),
    ...(p.cdd ? { cdd: { state: p.cdd.state, requiredEvidences: p.cdd.requiredEvidences } } : {}),
  })),
});
