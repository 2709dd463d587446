import type { UserTokens } from '../ports/user-tokens';
import type {
  CustomerWise,
  KycReviewCreation,
  ProfileKind,
  RequirementFile,
  WiseAccess,
  WiseApi,
  WiseCallOptions,
} from '../ports/wise';

/**
 * {@link CustomerWise} on the Wise API and the customer's user tokens: every call runs through
 * `tokens.withAccessToken`, which supplies a valid token and, when Wise refuses one that should
 * still be valid, refreshes once and retries. The token never leaves this class.
 */
class TokenedCustomerWise implements CustomerWise {
  constructor(
    readonly customerId: string,
    private readonly wise: WiseApi,
    private readonly tokens: UserTokens,
    private readonly options: WiseCallOptions,
  ) {}

  private as<T>(call: (token: string, options: WiseCallOptions) => Promise<T>): Promise<T> {
    return this.tokens.withAccessToken(this.customerId, (token) => call(token, this.options), this.options);
  }

  me() {
    return this.as((t, o) => this.wise.me(t, o));
  }
  claimAccountCode(registrationCode: string) {
    return this.as((t, o) => this.wise.claimAccountCode(t, registrationCode, o));
  }
  createPersonalProfile(body: Record<string, unknown>, idempotenceUuid: string) {
    return this.as((t, o) => this.wise.createPersonalProfile(t, body, idempotenceUuid, o));
  }
  createBusinessProfile(body: Record<string, unknown>, idempotenceUuid: string) {
    return this.as((t, o) => this.wise.createBusinessProfile(t, body, idempotenceUuid, o));
  }
  listProfiles() {
    return this.as((t, o) => this.wise.listProfiles(t, o));
  }
  getProfile(profileId: number) {
    return this.as((t, o) => this.wise.getProfile(t, profileId, o));
  }
  updateProfile(profileId: number, kind: ProfileKind, body: Record<string, unknown>) {
    return this.as((t, o) => this.wise.updateProfile(t, profileId, kind, body, o));
  }
  openUpdateWindow(profileId: number) {
    return this.as((t, o) => this.wise.openUpdateWindow(t, profileId, o));
  }
  closeUpdateWindow(profileId: number) {
    return this.as((t, o) => this.wise.closeUpdateWindow(t, profileId, o));
  }
  verificationStatus(profileId: number, currencies: string[]) {
    return this.as((t, o) => this.wise.verificationStatus(t, profileId, currencies, o));
  }
  submitVerificationDocument(profileId: number, body: Record<string, unknown>) {
    return this.as((t, o) => this.wise.submitVerificationDocument(t, profileId, body, o));
  }
  // A 401 means Wise did nothing, so even the calls Wise must not see twice are safe to retry on it.
  createKycReview(profileId: number, body: KycReviewCreation) {
    return this.as((t, o) => this.wise.createKycReview(t, profileId, body, o));
  }
  setKycReviewRedirect(profileId: number, reviewId: string, redirectUrl: string) {
    return this.as((t, o) => this.wise.setKycReviewRedirect(t, profileId, reviewId, redirectUrl, o));
  }
  getKycReview(profileId: number, reviewId: string) {
    return this.as((t, o) => this.wise.getKycReview(t, profileId, reviewId, o));
  }
  listKycReviews(profileId: number) {
    return this.as((t, o) => this.wise.listKycReviews(t, profileId, o));
  }
  submitKycRequirement(
    profileId: number,
    requirementKey: string,
    submissionData: string,
    files: readonly RequirementFile[],
  ) {
    return this.as((t, o) =>
      this.wise.submitKycRequirement(t, profileId, requirementKey, submissionData, files, o),
    );
  }
}

/** The {@link WiseAccess} port: Wise as one customer, for one request's deadline. */
export class CustomerWiseAccess implements WiseAccess {
  constructor(
    private readonly wise: WiseApi,
    private readonly tokens: UserTokens,
  ) {}

  wiseAs(customerId: string, options: WiseCallOptions): CustomerWise {
    return new TokenedCustomerWise(customerId, this.wise, this.tokens, { deadline: options.deadline });
  }
}
