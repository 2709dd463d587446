import type {
  CustomerWise,
  CustomerWiseCall,
  RequirementFile,
  WiseAccess,
  WiseApi,
  WiseCallOptions,
} from '../../../shared/ports/wise';
import { WiseApiError, WiseUnavailableError } from '../../../shared/wise/errors';

type AnyFn = (...args: never[]) => unknown;
type Args<F> = F extends (...args: infer A) => unknown ? A : never;
type Ret<F> = F extends (...args: never[]) => infer R ? R : never;

/**
 * Answers scripted per method: `on` for every later call, `once` for the next one only (taken
 * first, in order). An unscripted call fails loudly, so a test states every Wise call it expects.
 */
class Script<Api, Extra extends unknown[] = []> {
  private readonly always = new Map<keyof Api, AnyFn>();
  private readonly next = new Map<keyof Api, AnyFn[]>();

  constructor(private readonly what: string) {}

  on<M extends keyof Api>(method: M, answer: (...args: [...Extra, ...Args<Api[M]>]) => Ret<Api[M]>): void {
    this.always.set(method, answer as AnyFn);
  }

  once<M extends keyof Api>(method: M, answer: (...args: [...Extra, ...Args<Api[M]>]) => Ret<Api[M]>): void {
    this.next.set(method, [...(this.next.get(method) ?? []), answer as AnyFn]);
  }

  run(method: keyof Api, args: unknown[]): Promise<never> {
    const answer = this.next.get(method)?.shift() ?? this.always.get(method);
    if (!answer)
      return Promise.reject(new Error(`${this.what}: ${String(method)} was called but not scripted`));
    return Promise.resolve().then(() => (answer as (...a: unknown[]) => never)(...args));
  }
}

export interface WiseCallRecord<M> {
  method: M;
  args: unknown[];
}

/**
 * A scriptable {@link WiseApi}: `wise.on('getProfile', async (token, id) => profile)`. Records
 * every call in `calls`. Combine with the real token handling via
 * `new CustomerWiseAccess(fakeWise, new InMemoryUserTokens().give(cid))` to test at the token level.
 */
export class FakeWise implements WiseApi {
  readonly calls: WiseCallRecord<keyof WiseApi>[] = [];
  private readonly script = new Script<WiseApi>('FakeWise');

  on<M extends keyof WiseApi>(method: M, answer: (...args: Args<WiseApi[M]>) => Ret<WiseApi[M]>): this {
    this.script.on(method, answer);
    return this;
  }

  once<M extends keyof WiseApi>(method: M, answer: (...args: Args<WiseApi[M]>) => Ret<WiseApi[M]>): this {
    this.script.once(method, answer);
    return this;
  }

  /** The arguments of each call of `method`, in order. */
  callsOf(method: keyof WiseApi): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private call(method: keyof WiseApi, args: unknown[]): Promise<never> {
    this.calls.push({ method, args });
    return this.script.run(method, args);
  }

  clientCredentialsToken(...a: Parameters<WiseApi['clientCredentialsToken']>) {
    return this.call('clientCredentialsToken', a);
  }
  registrationCodeToken(...a: Parameters<WiseApi['registrationCodeToken']>) {
    return this.call('registrationCodeToken', a);
  }
  authorizationCodeToken(...a: Parameters<WiseApi['authorizationCodeToken']>) {
    return this.call('authorizationCodeToken', a);
  }
  refreshToken(...a: Parameters<WiseApi['refreshToken']>) {
    return this.call('refreshToken', a);
  }
  signupWithRegistrationCode(...a: Parameters<WiseApi['signupWithRegistrationCode']>) {
    return this.call('signupWithRegistrationCode', a);
  }
  me(...a: Parameters<WiseApi['me']>) {
    return this.call('me', a);
  }
  claimAccountCode(...a: Parameters<WiseApi['claimAccountCode']>) {
    return this.call('claimAccountCode', a);
  }
  createPersonalProfile(...a: Parameters<WiseApi['createPersonalProfile']>) {
    return this.call('createPersonalProfile', a);
  }
  createBusinessProfile(...a: Parameters<WiseApi['createBusinessProfile']>) {
    return this.call('createBusinessProfile', a);
  }
  listProfiles(...a: Parameters<WiseApi['listProfiles']>) {
    return this.call('listProfiles', a);
  }
  getProfile(...a: Parameters<WiseApi['getProfile']>) {
    return this.call('getProfile', a);
  }
  updateProfile(...a: Parameters<WiseApi['updateProfile']>) {
    return this.call('updateProfile', a);
  }
  openUpdateWindow(...a: Parameters<WiseApi['openUpdateWindow']>) {
    return this.call('openUpdateWindow', a);
  }
  closeUpdateWindow(...a: Parameters<WiseApi['closeUpdateWindow']>) {
    return this.call('closeUpdateWindow', a);
  }
  verificationStatus(...a: Parameters<WiseApi['verificationStatus']>) {
    return this.call('verificationStatus', a);
  }
  submitVerificationDocument(...a: Parameters<WiseApi['submitVerificationDocument']>) {
    return this.call('submitVerificationDocument', a);
  }
  createKycReview(...a: Parameters<WiseApi['createKycReview']>) {
    return this.call('createKycReview', a);
  }
  setKycReviewRedirect(...a: Parameters<WiseApi['setKycReviewRedirect']>) {
    return this.call('setKycReviewRedirect', a);
  }
  getKycReview(...a: Parameters<WiseApi['getKycReview']>) {
    return this.call('getKycReview', a);
  }
  listKycReviews(...a: Parameters<WiseApi['listKycReviews']>) {
    return this.call('listKycReviews', a);
  }
  submitKycRequirement(...a: Parameters<WiseApi['submitKycRequirement']>) {
    return this.call('submitKycRequirement', a);
  }
  listApplicationSubscriptions(...a: Parameters<WiseApi['listApplicationSubscriptions']>) {
    return this.call('listApplicationSubscriptions', a);
  }
  createApplicationSubscription(...a: Parameters<WiseApi['createApplicationSubscription']>) {
    return this.call('createApplicationSubscription', a);
  }
}

type CustomerWiseApi = Pick<CustomerWise, CustomerWiseCall>;

export interface CustomerWiseCallRecord extends WiseCallRecord<CustomerWiseCall> {
  customerId: string;
  deadline?: number;
}

/**
 * A scriptable {@link WiseAccess}: answers receive the customer id first,
 * `access.on('getProfile', async (customerId, profileId) => profile)`. `failAs(cid, error)` makes
 * every call as that customer fail before any answer runs, as the token handling does (e.g.
 * `new RelinkRequiredError()`, `noTokens()` from shared/ports/user-tokens).
 */
export class FakeWiseAccess implements WiseAccess {
  readonly calls: CustomerWiseCallRecord[] = [];
  private readonly script = new Script<CustomerWiseApi, [customerId: string]>('FakeWiseAccess');
  private readonly failures = new Map<string, unknown>();

  on<M extends CustomerWiseCall>(
    method: M,
    answer: (customerId: string, ...args: Args<CustomerWise[M]>) => Ret<CustomerWise[M]>,
  ): this {
    this.script.on(method, answer);
    return this;
  }

  once<M extends CustomerWiseCall>(
    method: M,
    answer: (customerId: string, ...args: Args<CustomerWise[M]>) => Ret<CustomerWise[M]>,
  ): this {
    this.script.once(method, answer);
    return this;
  }

  failAs(customerId: string, error: unknown): this {
    this.failures.set(customerId, error);
    return this;
  }

  callsOf(method: CustomerWiseCall): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  wiseAs(customerId: string, options: WiseCallOptions): CustomerWise {
    return new FakeCustomerWise(customerId, (method, args) => {
      this.calls.push({
        customerId,
        method,
        args,
        ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      });
      if (this.failures.has(customerId)) return Promise.reject(this.failures.get(customerId));
      return this.script.run(method, [customerId, ...args]);
    });
  }

  /** Wise as the services get it: `wiseAs` as a free function (`deps.wiseAs`). */
  get wiseAsFn(): WiseAccess['wiseAs'] {
    return (customerId, options) => this.wiseAs(customerId, options);
  }
}

class FakeCustomerWise implements CustomerWise {
  constructor(
    readonly customerId: string,
    private readonly call: (method: CustomerWiseCall, args: unknown[]) => Promise<never>,
  ) {}

  me() {
    return this.call('me', []);
  }
  claimAccountCode(registrationCode: string) {
    return this.call('claimAccountCode', [registrationCode]);
  }
  createPersonalProfile(body: Record<string, unknown>, uuid: string) {
    return this.call('createPersonalProfile', [body, uuid]);
  }
  createBusinessProfile(body: Record<string, unknown>, uuid: string) {
    return this.call('createBusinessProfile', [body, uuid]);
  }
  listProfiles() {
    return this.call('listProfiles', []);
  }
  getProfile(profileId: number) {
    return this.call('getProfile', [profileId]);
  }
  updateProfile(profileId: number, kind: 'personal' | 'business', body: Record<string, unknown>) {
    return this.call('updateProfile', [profileId, kind, body]);
  }
  openUpdateWindow(profileId: number) {
    return this.call('openUpdateWindow', [profileId]);
  }
  closeUpdateWindow(profileId: number) {
    return this.call('closeUpdateWindow', [profileId]);
  }
  verificationStatus(profileId: number, currencies: string[]) {
    return this.call('verificationStatus', [profileId, currencies]);
  }
  submitVerificationDocument(profileId: number, body: Record<string, unknown>) {
    return this.call('submitVerificationDocument', [profileId, body]);
  }
  createKycReview(profileId: number, body: { type: string; triggerData?: Record<string, unknown> }) {
    return this.call('createKycReview', [profileId, body]);
  }
  setKycReviewRedirect(profileId: number, reviewId: string, url: string) {
    return this.call('setKycReviewRedirect', [profileId, reviewId, url]);
  }
  getKycReview(profileId: number, reviewId: string) {
    return this.call('getKycReview', [profileId, reviewId]);
  }
  listKycReviews(profileId: number) {
    return this.call('listKycReviews', [profileId]);
  }
  submitKycRequirement(profileId: number, key: string, data: string, files: readonly RequirementFile[]) {
    return this.call('submitKycRequirement', [profileId, key, data, files]);
  }
}

// --- Wise's answers, for scripts ---

/** A definite refusal from Wise (4xx) with its body. */
export const wiseRefuses = (status: number, body: unknown = {}, pathTemplate = '/fake'): WiseApiError =>
  new WiseApiError(status, pathTemplate, body);

/** Wise refused the access token (expired, revoked): the token handling refreshes once and retries. */
export const invalidToken = (): WiseApiError => new WiseApiError(401, '/fake', { error: 'invalid_token' });

/** Wise refused a grant (refresh token, registration code or authorization code no longer good). */
export const invalidGrant = (): WiseApiError =>
  new WiseApiError(400, '/oauth/token', { error: 'invalid_grant' });

/** Wise did not answer usefully within the budget. */
export const wiseUnavailable = (retryAfterSeconds = 2): WiseUnavailableError =>
  new WiseUnavailableError('/fake', retryAfterSeconds);
