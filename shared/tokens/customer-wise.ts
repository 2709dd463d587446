import type { GrantSummary, Grants } from '../ports/grants';
import type {
  CustomerWise,
  KycReviewCreation,
  ProfileKind,
  RequirementFile,
  WiseAccess,
  WiseApi,
  WiseAsOptions,
  WiseCallOptions,
} from '../ports/wise';
import { DEFAULT_WAIT_MS } from './grants';

type Call<T> = (token: string, options: WiseCallOptions, grant: GrantSummary) => Promise<T>;

/**
 * {@link CustomerWise} on the Wise API and the customer's grants: every call runs through
 * `grants.withAccessToken` for the grant covering its profile (calls that are not profile-scoped:
 * the `profileId` the facade was opened with, else the port's default grant), which supplies a
 * valid token and, when Wise refuses one that should still be valid, refreshes once and retries.
 * The token never leaves this class.
 */
class GrantedCustomerWise implements CustomerWise {
  private readonly options: WiseCallOptions;

  constructor(
    readonly customerId: string,
    private readonly wise: WiseApi,
    private readonly grants: Grants,
    private readonly opened: WiseAsOptions,
  ) {
    this.options = { deadline: opened.deadline };
  }

  private as<T>(profileId: number | undefined, call: Call<T>): Promise<T> {
    const deadline = this.options.deadline ?? Date.now() + DEFAULT_WAIT_MS;
    return this.grants.withAccessToken(
      this.customerId,
      profileId,
      (token, grant) => call(token, this.options, grant),
      { deadline },
    );
  }

  /** Not profile-scoped: the grant of the profile the facade was opened for, or the default one. */
  private unscoped<T>(call: Call<T>): Promise<T> {
    return this.as(this.opened.profileId, call);
  }

  /** Wise adds a profile created with a grant's token to that grant; the store follows. */
  private async created(grant: GrantSummary, profile: { id: number }): Promise<{ id: number }> {
    await this.grants.addProfile(this.customerId, { grantId: grant.grantId }, profile.id);
    return profile;
  }

  me() {
    return this.unscoped((t, o) => this.wise.me(t, o));
  }
  claimAccountCode(registrationCode: string) {
    return this.unscoped((t, o) => this.wise.claimAccountCode(t, registrationCode, o));
  }
  createPersonalProfile(body: Record<string, unknown>, idempotenceUuid: string) {
    return this.unscoped(async (t, o, g) =>
      this.created(g, await this.wise.createPersonalProfile(t, body, idempotenceUuid, o)),
    );
  }
  createBusinessProfile(body: Record<string, unknown>, idempotenceUuid: string) {
    return this.unscoped(async (t, o, g) =>
      this.created(g, await this.wise.createBusinessProfile(t, body, idempotenceUuid, o)),
    );
  }
  /** With a per-profile grant Wise lists only the profiles that grant covers. */
  listProfiles() {
    return this.unscoped((t, o) => this.wise.listProfiles(t, o));
  }
  getProfile(profileId: number) {
    return this.as(profileId, (t, o) => this.wise.getProfile(t, profileId, o));
  }
  updateProfile(profileId: number, kind: ProfileKind, body: Record<string, unknown>) {
    return this.as(profileId, (t, o) => this.wise.updateProfile(t, profileId, kind, body, o));
  }
  openUpdateWindow(profileId: number) {
    return this.as(profileId, (t, o) => this.wise.openUpdateWindow(t, profileId, o));
  }
  closeUpdateWindow(profileId: number) {
    return this.as(profileId, (t, o) => this.wise.closeUpdateWindow(t, profileId, o));
  }
  verificationStatus(profileId: number, currencies: string[]) {
    return this.as(profileId, (t, o) => this.wise.verificationStatus(t, profileId, currencies, o));
  }
  submitVerificationDocument(profileId: number, body: Record<string, unknown>) {
    return this.as(profileId, (t, o) => this.wise.submitVerificationDocument(t, profileId, body, o));
  }
  // A 401 means Wise did nothing, so even the calls Wise must not see twice are safe to retry on it.
  createKycReview(profileId: number, body: KycReviewCreation) {
    return this.as(profileId, (t, o) => this.wise.createKycReview(t, profileId, body, o));
  }
  setKycReviewRedirect(profileId: number, reviewId: string, redirectUrl: string) {
    return this.as(profileId, (t, o) =>
      this.wise.setKycReviewRedirect(t, profileId, reviewId, redirectUrl, o),
    );
  }
  getKycReview(profileId: number, reviewId: string) {
    return this.as(profileId, (t, o) => this.wise.getKycReview(t, profileId, reviewId, o));
  }
  listKycReviews(profileId: number) {
    return this.as(profileId, (t, o) => this.wise.listKycReviews(t, profileId, o));
  }
  submitKycRequirement(
    profileId: number,
    requirementKey: string,
    submissionData: string,
    files: readonly RequirementFile[],
  ) {
    return this.as(profileId, (t, o) =>
      this.wise.submitKycRequirement(t, profileId, requirementKey, submissionData, files, o),
    );
  }
}

/** The {@link WiseAccess} port: Wise as one customer, for one request's deadline, grant by profile. */
export class CustomerWiseAccess implements WiseAccess {
  constructor(
    private readonly wise: WiseApi,
    private readonly grants: Grants,
  ) {}

  wiseAs(customerId: string, options: WiseAsOptions): CustomerWise {
    return new GrantedCustomerWise(customerId, this.wise, this.grants, {
      deadline: options.deadline,
      profileId: options.profileId,
    });
  }
}
