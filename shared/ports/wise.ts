import type {
  TokenResponse,
  VerificationStatus,
  WiseKycReview,
  WiseProfile,
  WiseSubscription,
  WiseUser,
} from '../wise/schemas';

export type {
  TokenResponse,
  VerificationStatus,
  WiseKycReview,
  WiseProfile,
  WiseSubscription,
  WiseUser,
} from '../wise/schemas';

/** Per-call options: the deadline (epoch ms) keeps retries inside the request's remaining time. */
export interface WiseCallOptions {
  deadline?: number;
}

export type ProfileKind = 'personal' | 'business';

export interface SignupBody {
  email: string;
  registrationCode: string;
  language?: string;
  sendAuthorizationCodeAsEmail?: boolean;
}

export interface KycReviewCreation {
  type: string;
  triggerData?: Record<string, unknown>;
}

export interface RequirementFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface SubscriptionCreation {
  name: string;
  trigger_on: string;
  delivery: { version: string; url: string };
}

/**
 * Wise's API, one method per operation the product uses (shared/wise/client.ts is the HTTP
 * adapter). Which token each call takes follows Wise's documentation (API-NOTES): client
 * credentials for signup and application subscriptions, the user's access token for everything
 * about profiles and KYC. Failures are WiseApiError (a definite 4xx), WiseUnavailableError and
 * WiseContractError (shared/wise/errors.ts).
 */
export interface WiseApi {
  // OAuth grants (API-NOTES §1.2)
  clientCredentialsToken(options?: WiseCallOptions): Promise<TokenResponse>;
  registrationCodeToken(
    email: string,
    registrationCode: string,
    options?: WiseCallOptions,
  ): Promise<TokenResponse>;
  /** Authorization codes are single-use: never retried blindly. */
  authorizationCodeToken(
    code: string,
    redirectUri: string,
    options?: WiseCallOptions,
  ): Promise<TokenResponse>;
  refreshToken(refreshToken: string, options?: WiseCallOptions): Promise<TokenResponse>;

  // Users (API-NOTES §2)
  signupWithRegistrationCode(
    clientToken: string,
    body: SignupBody,
    options?: WiseCallOptions,
  ): Promise<WiseUser>;
  me(userToken: string, options?: WiseCallOptions): Promise<WiseUser>;
  claimAccountCode(userToken: string, registrationCode: string, options?: WiseCallOptions): Promise<string>;

  // Profiles (API-NOTES §3)
  /** `idempotenceUuid` makes a retry return the profile already made. */
  createPersonalProfile(
    userToken: string,
    body: Record<string, unknown>,
    idempotenceUuid: string,
    options?: WiseCallOptions,
  ): Promise<{ id: number }>;
  createBusinessProfile(
    userToken: string,
    body: Record<string, unknown>,
    idempotenceUuid: string,
    options?: WiseCallOptions,
  ): Promise<{ id: number }>;
  listProfiles(userToken: string, options?: WiseCallOptions): Promise<WiseProfile[]>;
  getProfile(userToken: string, profileId: number, options?: WiseCallOptions): Promise<WiseProfile>;
  updateProfile(
    userToken: string,
    profileId: number,
    kind: ProfileKind,
    body: Record<string, unknown>,
    options?: WiseCallOptions,
  ): Promise<WiseProfile>;
  openUpdateWindow(userToken: string, profileId: number, options?: WiseCallOptions): Promise<void>;
  closeUpdateWindow(userToken: string, profileId: number, options?: WiseCallOptions): Promise<void>;
  verificationStatus(
    userToken: string,
    profileId: number,
    currencies: string[],
    options?: WiseCallOptions,
  ): Promise<VerificationStatus>;
  submitVerificationDocument(
    userToken: string,
    profileId: number,
    body: Record<string, unknown>,
    options?: WiseCallOptions,
  ): Promise<unknown>;

  // KYC reviews (API-NOTES §5)
  /** Not retried: Wise has no idempotency key here. */
  createKycReview(
    userToken: string,
    profileId: number,
    body: KycReviewCreation,
    options?: WiseCallOptions,
  ): Promise<WiseKycReview>;
  setKycReviewRedirect(
    userToken: string,
    profileId: number,
    reviewId: string,
    redirectUrl: string,
    options?: WiseCallOptions,
  ): Promise<WiseKycReview>;
  getKycReview(
    userToken: string,
    profileId: number,
    reviewId: string,
    options?: WiseCallOptions,
  ): Promise<WiseKycReview>;
  listKycReviews(userToken: string, profileId: number, options?: WiseCallOptions): Promise<WiseKycReview[]>;
  /** Not retried: a repeat after a lost answer would submit the documents twice. */
  submitKycRequirement(
    userToken: string,
    profileId: number,
    requirementKey: string,
    submissionData: string,
    files: readonly RequirementFile[],
    options?: WiseCallOptions,
  ): Promise<void>;

  // Application webhook subscriptions (API-NOTES §6.1)
  listApplicationSubscriptions(
    clientToken: string,
    clientKey: string,
    options?: WiseCallOptions,
  ): Promise<WiseSubscription[]>;
  createApplicationSubscription(
    clientToken: string,
    clientKey: string,
    body: SubscriptionCreation,
    options?: WiseCallOptions,
  ): Promise<WiseSubscription>;
}

/**
 * Wise as one customer: the user-token calls of {@link WiseApi} without the token. Each call gets
 * a valid access token of the grant covering its profile (refreshing it first when close to
 * expiry), and when Wise refuses a token that should still be valid, refreshes once and retries
 * the call. Throws DomainError ACCOUNT_NOT_READY (no grant covers the profile), RELINK_REQUIRED
 * (Wise refused that grant for good), WISE_UNAVAILABLE
 * (a refresh by another caller takes too long), and Wise's own errors as WiseApi does.
 */
export interface CustomerWise {
  readonly customerId: string;
  me(): Promise<WiseUser>;
  claimAccountCode(registrationCode: string): Promise<string>;
  createPersonalProfile(body: Record<string, unknown>, idempotenceUuid: string): Promise<{ id: number }>;
  createBusinessProfile(body: Record<string, unknown>, idempotenceUuid: string): Promise<{ id: number }>;
  listProfiles(): Promise<WiseProfile[]>;
  getProfile(profileId: number): Promise<WiseProfile>;
  updateProfile(profileId: number, kind: ProfileKind, body: Record<string, unknown>): Promise<WiseProfile>;
  openUpdateWindow(profileId: number): Promise<void>;
  closeUpdateWindow(profileId: number): Promise<void>;
  verificationStatus(profileId: number, currencies: string[]): Promise<VerificationStatus>;
  submitVerificationDocument(profileId: number, body: Record<string, unknown>): Promise<unknown>;
  createKycReview(profileId: number, body: KycReviewCreation): Promise<WiseKycReview>;
  setKycReviewRedirect(profileId: number, reviewId: string, redirectUrl: string): Promise<WiseKycReview>;
  getKycReview(profileId: number, reviewId: string): Promise<WiseKycReview>;
  listKycReviews(profileId: number): Promise<WiseKycReview[]>;
  submitKycRequirement(
    profileId: number,
    requirementKey: string,
    submissionData: string,
    files: readonly RequirementFile[],
  ): Promise<void>;
}

export interface WiseAsOptions extends WiseCallOptions {
  /**
   * The profile whose grant the calls that are not profile-scoped use (`me`, `claimAccountCode`,
   * `listProfiles`, creating a profile). Without it they use the registration-code grant, else the
   * personal profile's grant. Profile-scoped calls always use the grant covering their `profileId`.
   */
  profileId?: number;
}

/**
 * Opens Wise as a customer for one request: every call made through the result shares the
 * request's deadline, and each uses the customer's grant covering the profile it is about (Wise
 * authorises one profile per grant; shared/ports/grants.ts). A profile created through it joins
 * the grant whose token created it.
 *
 * @example const wise = services.wiseAs(customerId, { deadline: request.deadline }); await wise.getProfile(profileId);
 */
export interface WiseAccess {
  wiseAs(customerId: string, options: WiseAsOptions): CustomerWise;
}

/** The user-token calls {@link CustomerWise} offers, by name (for fakes and the adapter). */
export type CustomerWiseCall = Exclude<keyof CustomerWise, 'customerId'>;

/** `deps.wiseAs`: the facade's one method, as services receive it. */
export type WiseAs = WiseAccess['wiseAs'];
