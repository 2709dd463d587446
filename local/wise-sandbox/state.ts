import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The records the simulator keeps. Names follow Wise's domain; shapes are the simulator's own. */

export interface WiseUser {
  id: number;
  email: string;
  /** Only users created on the Wise website (or via /_sim/users) have one. */
  password?: string;
  /** Only users created by a partner with POST /v1/user/signup/registration_code have one. */
  registrationCode?: string;
  createdByClientId?: string;
  contactEmail?: string;
  /** The email the partner signed the user up with, kept once the user changes it at Wise. */
  signupEmail?: string;
  language: string;
  state: 'ACTIVE' | 'WITHDRAW_ONLY' | 'DEACTIVATED';
  /** Set once the customer claimed the account: the registration_code grant stops working. */
  claimed: boolean;
  /**
   * Set when the user changed their email at Wise: every token was revoked and token generation
   * for this user fails with this status (Wise's guides say 400 in one place, 403 in another).
   */
  emailChangeRefusal?: 400 | 403;
  createdAt: number;
}

export interface WiseAddress {
  id: number;
  addressFirstLine: string;
  city: string;
  countryIso2Code: string | null;
  countryIso3Code: string;
  postCode: string | null;
  stateCode: string | null;
  occupations?: { code: string; format: string }[];
}

export interface Director {
  id: number;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  countryOfResidenceIso3Code: string;
}

export interface Ubo {
  id: number;
  name: string;
  dateOfBirth: string;
  countryOfResidenceIso3Code: string;
  addressFirstLine: string;
  postCode: string;
  ownershipPercentage: number | null;
}

export interface WiseProfile {
  id: number;
  publicId: string;
  userId: number;
  type: 'PERSONAL' | 'BUSINESS';
  /** The partner whose API token created it; absent for profiles the user made on Wise itself. */
  createdByClientId?: string;
  verification: 'verified' | 'not_verified';
  currentState: 'HIDDEN' | 'VISIBLE' | 'DEACTIVATED';
  createdAt: number;
  updatedAt: number;
  address: WiseAddress | null;
  contactDetails: { email: string | null; phoneNumber: string | null };
  externalCustomerId: string | null;
  // personal
  firstName?: string;
  lastName?: string;
  preferredName?: string | null;
  firstNameInKana?: string | null;
  lastNameInKana?: string | null;
  dateOfBirth?: string;
  nationality?: string | null;
  phoneNumber?: string | null;
  occupations?: { code: string; format: string }[];
  // business
  businessName?: string;
  businessNameInKatakana?: string | null;
  registrationNumber?: string | null;
  descriptionOfBusiness?: string | null;
  businessFreeFormDescription?: string | null;
  webpage?: string | null;
  companyType?: string | null;
  companyRole?: string | null;
  firstLevelCategory?: string | null;
  secondLevelCategory?: string | null;
  operationalAddresses?: WiseAddress[];
  acn?: string | null;
  abn?: string | null;
  arbn?: string | null;
  actorEmail?: string | null;
  directors: Director[];
  ubos: Ubo[];
  updateWindowOpen: boolean;
}

export interface TokenRecord {
  kind: 'client' | 'user';
  clientId: string;
  userId?: number;
  /**
   * User tokens: the profiles the grant covers (Wise authorises one profile per grant). Shared by
   * every token of one grant — the tokens with the same refresh_token.
   */
  profileIds?: number[];
  /** User tokens: the grant that started the family (refreshes keep it). */
  grantType?: 'registration_code' | 'authorization_code';
  access_token: string;
  accessExpiresAt: number;
  refresh_token?: string;
  refreshExpiresAt?: number;
  /** The access token no longer works (refreshed away, revoked, user deactivated). */
  revoked: boolean;
  /** The refresh token no longer works (re-issued by another grant, revoked). */
  refreshRevoked: boolean;
  createdAt: number;
}

export interface AuthorizationCode {
  code: string;
  userId: number;
  clientId: string;
  redirectUri: string;
  profileId?: number;
  expiresAt: number;
  used: boolean;
  /** Why the code exists: the authorize page, or the "email a code" fallback of signup. */
  source: 'authorize-page' | 'email';
}

export interface ClaimAccountCode {
  code: string;
  userId: number;
  expiresAt: number;
  used: boolean;
}

export interface QuoteRecord {
  id: string;
  profileId: number;
  userId: number;
  sourceCurrency: string;
  targetCurrency: string;
  sourceAmount: number;
  targetAmount: number;
  rate: number;
  payOut: string;
  createdAt: number;
  expiresAt: number;
}

export type KycReviewStatus =
  'NEW' | 'PASSED' | 'PASSED_WITH_REQUIREMENTS' | 'WAITING_CUSTOMER_INPUT' | 'PROCESSING';
export type RequirementState = 'NOT_PROVIDED' | 'IN_REVIEW' | 'VERIFIED' | 'REJECTED';

export interface KycRequirement {
  key: string;
  state: RequirementState;
  apiCollectionSupported: boolean;
}

export interface KycReview {
  id: string;
  profileId: number;
  status: KycReviewStatus;
  createdAt: number;
  updatedAt: number;
  requiredBy: number;
  triggerReferences: { type: string; triggerData: Record<string, unknown> }[];
  redirectUrl: string | null;
  /** `issuedAt` is absent in older snapshots. */
  link: { token: string; expiresAt: number; issuedAt?: number } | null;
  /** AND of ORs: every inner list needs one satisfied item. */
  requirements: KycRequirement[][];
}

export interface Subscription {
  id: string;
  name: string;
  trigger_on: string;
  delivery: { version: string; url: string; mtls_enabled?: boolean };
  scope: { domain: 'application' | 'profile'; id: string };
  created_by: { type: 'application' | 'user'; id: string };
  created_at: number;
}

export interface DeliveryRecord {
  id: string;
  subscriptionId: string;
  event_type: string;
  test: boolean;
  body: string;
  attempts: number;
  attemptDeliveryIds: string[];
  /** When each attempt started (simulator clock, epoch ms); absent in older snapshots. */
  attemptedAt?: number[];
  responseStatus: number | null;
  status: 'pending' | 'delivered' | 'failed';
  createdAt: number;
  nextAttemptAt: number | null;
}

export interface SimState {
  nextIds: { user: number; profile: number; address: number; director: number; ubo: number };
  users: WiseUser[];
  profiles: WiseProfile[];
  tokens: TokenRecord[];
  authorizationCodes: AuthorizationCode[];
  claimAccountCodes: ClaimAccountCode[];
  emailedAuthorizationCodes: { email: string; code: string }[];
  /** `${userId}:${X-idempotence-uuid}` → the profile that key created. */
  idempotenceKeys: Record<string, number>;
  quotes: QuoteRecord[];
  kycReviews: KycReview[];
  subscriptions: Subscription[];
  deliveries: DeliveryRecord[];
  /** CPF numbers already used (Wise: once per client key). */
  usedCpfs: string[];
}

export function emptyState(): SimState {
  return {
    nextIds: { user: 1_000_001, profile: 30_000_001, address: 40_000_001, director: 10, ubo: 10 },
    users: [],
    profiles: [],
    tokens: [],
    authorizationCodes: [],
    claimAccountCodes: [],
    emailedAuthorizationCodes: [],
    idempotenceKeys: {},
    quotes: [],
    kycReviews: [],
    subscriptions: [],
    deliveries: [],
    usedCpfs: [],
  };
}

const SNAPSHOT_FILE = 'state.json';

export function loadSnapshot(dir: string): SimState | undefined {
  const file = join(dir, SNAPSHOT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SimState>;
    // Older snapshots may lack newer collections: fill them from an empty state.
    return upgradeGrants({ ...emptyState(), ...parsed });
  } catch {
    return undefined;
  }
}

/**
 * Snapshots written before grants were per profile: a user token then reached every profile of its
 * user, and a partner-created user's profiles were all the partner's. Keep both true after a restart.
 */
function upgradeGrants(state: SimState): SimState {
  for (const p of state.profiles) {
    if (p.createdByClientId !== undefined) continue;
    const owner = state.users.find((u) => u.id === p.userId);
    if (owner?.createdByClientId) p.createdByClientId = owner.createdByClientId;
  }
  for (const t of state.tokens) {
    if (t.kind === 'user' && t.profileIds === undefined)
      t.profileIds = state.profiles.filter((p) => p.userId === t.userId).map((p) => p.id);
  }
  return state;
}

/** Atomic write (temp file + rename) so a crash mid-write never leaves half a snapshot. */
export function saveSnapshot(dir: string, state: SimState): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, SNAPSHOT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
