import * as z from '../zod';
import type { WiseCredentialsProvider } from '../ports/secrets';
import type { WiseApi, WiseCallOptions } from '../ports/wise';
import { WiseContractError, WiseDocumentRejectedError } from './errors';
import { isDuplicateProfile, matchingBusinessProfile } from './profile-recovery';
import type { WiseTransport, WiseRequest } from './transport';
import {
  claimAccountSchema,
  createdProfileSchema,
  identityDocumentOutcomeSchema,
  kycReviewSchema,
  profileSchema,
  subscriptionSchema,
  tokenResponseSchema,
  userSchema,
  verificationStatusSchema,
  type TokenResponse,
  type WiseKycReview,
  type WiseProfile,
  type WiseSubscription,
  type WiseUser,
} from './schemas';

/** Per-call options: the deadline keeps retries inside the Lambda's remaining time. */
export type CallOptions = WiseCallOptions;

const parse = <T>(schema: z.core.$ZodType<T>, body: unknown, pathTemplate: string): T => {
  const result = z.safeParse(schema, body);
  if (!result.success) throw new WiseContractError(pathTemplate);
  return result.data;
};

const enc = encodeURIComponent;

/**
 * Typed calls to Wise's API, one method per operation the product uses. Which token each call
 * takes follows Wise's documentation (API-NOTES): client-credentials for signup and application
 * subscriptions, the user's access token for everything about profiles and KYC.
 */
export class WiseClient implements WiseApi {
  constructor(
    private readonly transport: WiseTransport,
    private readonly credentials: WiseCredentialsProvider,
  ) {}

  private async call<T>(schema: z.core.$ZodType<T>, req: WiseRequest): Promise<T> {
    const res = await this.transport.send(req);
    return parse(schema, res.body, req.pathTemplate);
  }

  private async token(
    form: Record<string, string>,
    options: CallOptions,
    retry = true,
  ): Promise<TokenResponse> {
    const creds = await this.credentials.get();
    return this.call(tokenResponseSchema, {
      method: 'POST',
      path: '/oauth/token',
      pathTemplate: `/oauth/token#${form.grant_type}`,
      basic: { username: creds.clientId, password: creds.clientSecret },
      form,
      deadline: options.deadline,
      retry,
    });
  }

  // --- OAuth grants (API-NOTES §1.2) ---

  clientCredentialsToken(options: CallOptions = {}): Promise<TokenResponse> {
    return this.token({ grant_type: 'client_credentials' }, options);
  }

  async registrationCodeToken(
    email: string,
    registrationCode: string,
    options: CallOptions = {},
  ): Promise<TokenResponse> {
    const { clientId } = await this.credentials.get();
    return this.token(
      { grant_type: 'registration_code', client_id: clientId, email, registration_code: registrationCode },
      options,
    );
  }

  /** Authorization codes are single-use: never retried blindly. */
  async authorizationCodeToken(
    code: string,
    redirectUri: string,
    options: CallOptions = {},
  ): Promise<TokenResponse> {
    const { clientId } = await this.credentials.get();
    return this.token(
      { grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri },
      options,
      false,
    );
  }

  refreshToken(refreshToken: string, options: CallOptions = {}): Promise<TokenResponse> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, options);
  }

  // --- Users (API-NOTES §2) ---

  signupWithRegistrationCode(
    clientToken: string,
    body: {
      email: string;
      registrationCode: string;
      language?: string;
      sendAuthorizationCodeAsEmail?: boolean;
    },
    options: CallOptions = {},
  ): Promise<WiseUser> {
    return this.call(userSchema, {
      method: 'POST',
      path: '/v1/user/signup/registration_code',
      pathTemplate: '/v1/user/signup/registration_code',
      bearer: clientToken,
      json: body,
      deadline: options.deadline,
    });
  }

  me(userToken: string, options: CallOptions = {}): Promise<WiseUser> {
    return this.call(userSchema, {
      method: 'GET',
      path: '/v1/me',
      pathTemplate: '/v1/me',
      bearer: userToken,
      ...options,
    });
  }

  async claimAccountCode(
    userToken: string,
    registrationCode: string,
    options: CallOptions = {},
  ): Promise<string> {
    const out = await this.call(claimAccountSchema, {
      method: 'POST',
      path: '/v1/user/claim-account',
      pathTemplate: '/v1/user/claim-account',
      bearer: userToken,
      json: { registrationCode },
      ...options,
    });
    return out.claimAccountCode;
  }

  // --- Profiles (API-NOTES §3) ---

  /** The personal profile; `idempotenceUuid` makes a retry return the profile already made. */
  createPersonalProfile(
    userToken: string,
    body: Record<string, unknown>,
    idempotenceUuid: string,
    options: CallOptions = {},
  ): Promise<{ id: number }> {
    return this.createProfile('personal', userToken, body, idempotenceUuid, options);
  }

  /**
   * A business profile (the user needs a personal profile first). Wise answers 409 for a business
   * it already holds — a create whose answer was lost, retried with another idempotence uuid
   * (API-NOTES §3.3: "you can retrieve the profiles with GET /v2/profiles"): the user's profiles
   * are listed then and the one with the same name and registration number is answered.
   */
  async createBusinessProfile(
    userToken: string,
    body: Record<string, unknown>,
    idempotenceUuid: string,
    options: CallOptions = {},
  ): Promise<{ id: number }> {
    try {
      return await this.createProfile('business', userToken, body, idempotenceUuid, options);
    } catch (err) {
      if (!isDuplicateProfile(err)) throw err;
      const existing = matchingBusinessProfile(await this.listProfiles(userToken, options), body);
      if (!existing) throw err;
      return existing;
    }
  }

  private createProfile(
    kind: 'personal' | 'business',
    userToken: string,
    body: Record<string, unknown>,
    idempotenceUuid: string,
    options: CallOptions,
  ): Promise<{ id: number }> {
    return this.call(createdProfileSchema, {
      method: 'POST',
      path: `/v2/profiles/${kind}-profile`,
      pathTemplate: `/v2/profiles/${kind}-profile`,
      bearer: userToken,
      json: body,
      headers: { 'X-idempotence-uuid': idempotenceUuid },
      ...options,
    });
  }

  async listProfiles(userToken: string, options: CallOptions = {}): Promise<WiseProfile[]> {
    const res = await this.transport.send({
      method: 'GET',
      path: '/v2/profiles',
      pathTemplate: '/v2/profiles',
      bearer: userToken,
      ...options,
    });
    if (!Array.isArray(res.body)) throw new WiseContractError('/v2/profiles');
    return res.body.map((p) => parse(profileSchema, p, '/v2/profiles'));
  }

  getProfile(userToken: string, profileId: number, options: CallOptions = {}): Promise<WiseProfile> {
    return this.call(profileSchema, {
      method: 'GET',
      path: `/v2/profiles/${profileId}`,
      pathTemplate: '/v2/profiles/{profileId}',
      bearer: userToken,
      ...options,
    });
  }

  /**
   * Wise documents the update's 200 with no body ("Updated personal profile."): the profile is
   * read back then. A body, when Wise sends one, is taken as the updated profile.
   */
  async updateProfile(
    userToken: string,
    profileId: number,
    kind: 'personal' | 'business',
    body: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<WiseProfile> {
    const pathTemplate = `/v2/profiles/{profileId}/${kind}-profile`;
    const res = await this.transport.send({
      method: 'PUT',
      path: `/v2/profiles/${profileId}/${kind}-profile`,
      pathTemplate,
      bearer: userToken,
      json: body,
      ...options,
    });
    if (res.body === undefined || res.body === '') return this.getProfile(userToken, profileId, options);
    return parse(profileSchema, res.body, pathTemplate);
  }

  /** Wise's update window around changes to a verified profile: open (POST) and close (DELETE). */
  async openUpdateWindow(userToken: string, profileId: number, options: CallOptions = {}): Promise<void> {
    await this.updateWindow('POST', userToken, profileId, options);
  }

  async closeUpdateWindow(userToken: string, profileId: number, options: CallOptions = {}): Promise<void> {
    await this.updateWindow('DELETE', userToken, profileId, options);
  }

  private async updateWindow(
    method: 'POST' | 'DELETE',
    userToken: string,
    profileId: number,
    options: CallOptions,
  ) {
    await this.transport.send({
      method,
      path: `/v1/profiles/${profileId}/update-window`,
      pathTemplate: '/v1/profiles/{profileId}/update-window',
      bearer: userToken,
      ...options,
    });
  }

  verificationStatus(userToken: string, profileId: number, currencies: string[], options: CallOptions = {}) {
    return this.call(verificationStatusSchema, {
      method: 'POST',
      path: `/v3/profiles/${profileId}/verification-status/bank-transfer?source_currencies=${enc(currencies.join(','))}`,
      pathTemplate: '/v3/profiles/{profileId}/verification-status/bank-transfer',
      bearer: userToken,
      ...options,
    });
  }

  /**
   * Resolves only when Wise accepted the document. Wise documents one answer, 200
   * `{ errorMessage, success }`: `success: false` throws {@link WiseDocumentRejectedError}.
   */
  async submitVerificationDocument(
    userToken: string,
    profileId: number,
    body: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<unknown> {
    const pathTemplate = '/v1/profiles/{profileId}/verification-documents';
    const res = await this.transport.send({
      method: 'POST',
      path: `/v1/profiles/${profileId}/verification-documents`,
      pathTemplate,
      bearer: userToken,
      json: body,
      ...options,
    });
    // Wise's docs also say "Returns empty result if successful": no body is an acceptance too.
    if (res.body === undefined || res.body === '') return res.body;
    const outcome = parse(identityDocumentOutcomeSchema, res.body, pathTemplate);
    if (!outcome.success) throw new WiseDocumentRejectedError(pathTemplate, outcome.errorMessage);
    return res.body;
  }

  // --- KYC reviews (API-NOTES §5) ---

  createKycReview(
    userToken: string,
    profileId: number,
    body: { type: string; triggerData?: Record<string, unknown> },
    options: CallOptions = {},
  ): Promise<WiseKycReview> {
    return this.call(kycReviewSchema, {
      method: 'POST',
      path: `/v1/profiles/${profileId}/kyc-reviews`,
      pathTemplate: '/v1/profiles/{profileId}/kyc-reviews',
      bearer: userToken,
      json: body,
      // Wise offers no idempotency key here: a blind retry after a lost answer could open a second
      // review. The partner's retry lists Wise's reviews for the trigger first instead.
      retry: false,
      ...options,
    });
  }

  setKycReviewRedirect(
    userToken: string,
    profileId: number,
    reviewId: string,
    redirectUrl: string,
    options: CallOptions = {},
  ): Promise<WiseKycReview> {
    return this.call(kycReviewSchema, {
      method: 'PATCH',
      path: `/v1/profiles/${profileId}/kyc-reviews/${enc(reviewId)}`,
      pathTemplate: '/v1/profiles/{profileId}/kyc-reviews/{kycReviewId}',
      bearer: userToken,
      json: { redirectUrl },
      ...options,
    });
  }

  getKycReview(
    userToken: string,
    profileId: number,
    reviewId: string,
    options: CallOptions = {},
  ): Promise<WiseKycReview> {
    return this.call(kycReviewSchema, {
      method: 'GET',
      path: `/v2/profiles/${profileId}/kyc-reviews/${enc(reviewId)}`,
      pathTemplate: '/v2/profiles/{profileId}/kyc-reviews/{kycReviewId}',
      bearer: userToken,
      ...options,
    });
  }

  /** Wise's active reviews of a profile (one page of up to 100, Wise's maximum). */
  async listKycReviews(
    userToken: string,
    profileId: number,
    options: CallOptions = {},
  ): Promise<WiseKycReview[]> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/profiles/${profileId}/kyc-reviews?pageNumber=1&pageSize=100`,
      pathTemplate: '/v1/profiles/{profileId}/kyc-reviews',
      bearer: userToken,
      ...options,
    });
    if (!Array.isArray(res.body)) throw new WiseContractError('/v1/profiles/{profileId}/kyc-reviews');
    return res.body.map((r) => parse(kycReviewSchema, r, '/v1/profiles/{profileId}/kyc-reviews'));
  }

  /**
   * Submits one KYC requirement: multipart with `submissionData` a string field holding the JSON
   * (Wise's reference: "submissionData (string, required) A JSON string") — not a file part, which
   * Wise's field does not bind — then `files`. Not retried: a repeat after a lost answer would
   * submit the documents twice.
   */
  async submitKycRequirement(
    userToken: string,
    profileId: number,
    requirementKey: string,
    submissionData: string,
    files: readonly { filename: string; contentType: string; bytes: Uint8Array }[],
    options: CallOptions = {},
  ): Promise<void> {
    const form = new FormData();
    form.append('submissionData', submissionData);
    for (const file of files)
      form.append('files', new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.filename);
    await this.transport.send({
      method: 'POST',
      path: `/v2/profiles/${profileId}/kyc-requirements/${enc(requirementKey)}`,
      pathTemplate: '/v2/profiles/{profileId}/kyc-requirements/{requirementKey}',
      bearer: userToken,
      multipart: form,
      retry: false,
      ...options,
    });
  }

  // --- Application webhook subscriptions (API-NOTES §6.1) ---

  async listApplicationSubscriptions(clientToken: string, clientKey: string, options: CallOptions = {}) {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v3/applications/${enc(clientKey)}/subscriptions`,
      pathTemplate: '/v3/applications/{clientKey}/subscriptions',
      bearer: clientToken,
      ...options,
    });
    if (!Array.isArray(res.body)) throw new WiseContractError('/v3/applications/{clientKey}/subscriptions');
    return res.body.map((s) => parse(subscriptionSchema, s, '/v3/applications/{clientKey}/subscriptions'));
  }

  /** Deletes an application subscription (204). A repeat after a lost answer finds it gone (404). */
  async deleteApplicationSubscription(
    clientToken: string,
    clientKey: string,
    subscriptionId: string,
    options: CallOptions = {},
  ): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      path: `/v3/applications/${enc(clientKey)}/subscriptions/${enc(subscriptionId)}`,
      pathTemplate: '/v3/applications/{clientKey}/subscriptions/{subscriptionId}',
      bearer: clientToken,
      ...options,
    });
  }

  createApplicationSubscription(
    clientToken: string,
    clientKey: string,
    body: { name: string; trigger_on: string; delivery: { version: string; url: string } },
    options: CallOptions = {},
  ): Promise<WiseSubscription> {
    return this.call(subscriptionSchema, {
      method: 'POST',
      path: `/v3/applications/${enc(clientKey)}/subscriptions`,
      pathTemplate: '/v3/applications/{clientKey}/subscriptions',
      bearer: clientToken,
      json: body,
      // A blind retry after a timeout could create the subscription twice.
      retry: false,
      ...options,
    });
  }
}
