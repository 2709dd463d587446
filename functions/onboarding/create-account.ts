import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { publicAccount, type AccountStatus, type CustomerAccount } from '../../shared/domain/account';
import { toWisePersonalProfile, type NewCustomer } from '../../shared/domain/onboarding/personal-profile';
import { newRegistrationCode, personalProfileIdempotenceUuid } from '../../shared/domain/onboarding/registration-code';
import { conflict, ProblemError } from '../../shared/http/problem';
import type { HttpResult } from '../../shared/http/types';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import type { Clock } from '../../shared/ports/clock';
import type { AccountStore } from '../../shared/store/account-store';
import type { ClientTokenCache } from '../../shared/tokens/client-token';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';
import type { UserTokenService } from '../../shared/tokens/user-tokens';
import type { WiseClient } from '../../shared/wise/client';
import { WiseApiError } from '../../shared/wise/errors';
import type { TokenResponse } from '../../shared/wise/schemas';
import { wiseRejectedInput } from './wise-rejections';

/** What signing a customer up needs; `Dependencies` provides all of it. */
export interface SignupDeps {
  accounts: Pick<AccountStore, 'get' | 'create' | 'update' | 'putProfile' | 'acquireLease' | 'releaseLease'>;
  cipher: Cipher;
  wise: Pick<WiseClient, 'signupWithRegistrationCode' | 'registrationCodeToken' | 'me' | 'createPersonalProfile' | 'listProfiles'>;
  clientToken: Pick<ClientTokenCache, 'get' | 'invalidate'>;
  tokens: Pick<UserTokenService, 'store' | 'withAccessToken' | 'has'>;
  clock: Clock;
  logger: Logger;
}

export interface SignupTiming {
  /** How long one caller holds the account; a crashed caller's lease lapses after this. */
  leaseMs: number;
  /** How long a concurrent caller waits for the holder's outcome before answering 409 IN_PROGRESS. */
  waitMs: number;
  pollMs: number;
}

const defaultTiming: SignupTiming = { leaseMs: 30_000, waitMs: 5_000, pollMs: 100 };

export const existingWiseAccount = () =>
  conflict(
    'EXISTING_WISE_ACCOUNT',
    'Wise already has an account for this email: link it with POST /v1/customers/{customerId}/wise-link.',
  );

const inProgress = () =>
  new ProblemError(409, 'IN_PROGRESS', 'This customer\'s Wise account is being created by another request; retry shortly.', {
    headers: { 'Retry-After': '1' },
  });

/** Statuses in which route 1 starts a new signup (a fresh registration code) rather than resuming one. */
const restartable: readonly AccountStatus[] = ['NONE', 'EXISTING_ACCOUNT'];

const isNotUnique = (err: unknown): err is WiseApiError => err instanceof WiseApiError && err.status === 409;

/**
 * Route 1 as a resumable state machine kept on the account item: STARTED (registration code
 * stored, encrypted) → USER_CREATED → TOKENS_STORED → PROFILE_CREATED. Every step is recorded
 * before the next Wise call, so a crash or an outage resumes where it stopped and never makes a
 * second Wise user or profile. One caller at a time works on a customer, under a lease.
 */
export class CreateWiseAccount {
  private readonly timing: SignupTiming;

  constructor(
    private readonly deps: SignupDeps,
    timing: Partial<SignupTiming> = {},
  ) {
    this.timing = { ...defaultTiming, ...timing };
  }

  async run(customerId: string, input: NewCustomer, deadline: number): Promise<HttpResult> {
    const { accounts } = this.deps;
    const owner = randomUUID();
    const existing = await accounts.get(customerId);
    /** The plaintext code when this call made it: no need to ask KMS for what we just sealed. */
    let freshCode: string | undefined;
    let holdsLease = false;
    if (existing) {
      const settled = this.settled(existing, input);
      if (settled) return settled;
    } else {
      // The code is sealed and stored before Wise hears of it: whatever happens next, we hold it.
      const fresh = await this.freshSignup(customerId, input);
      holdsLease = await accounts.create({ customerId, ...fresh.fields }, { owner, leaseMs: this.timing.leaseMs });
      if (holdsLease) freshCode = fresh.code;
    }

    if (!holdsLease && !(await accounts.acquireLease(customerId, owner, this.timing.leaseMs))) {
      return this.awaitOther(customerId, deadline);
    }
    let released = false;
    try {
      let account = await this.reload(customerId);
      const settled = this.settled(account, input);
      if (settled) return settled;
      if (restartable.includes(account.status)) {
        const fresh = await this.freshSignup(customerId, input);
        const restarted = await accounts.update(customerId, fresh.fields, { expectStatus: [account.status] });
        if (!restarted) throw inProgress();
        freshCode = fresh.code;
        account = await this.reload(customerId);
      }
      const done = await this.advance(account, input, deadline, freshCode);
      released = done.status === 'ACTIVE';
      return { status: 201, body: publicAccount(done) };
    } finally {
      if (!released) {
        await accounts.releaseLease(customerId, owner).catch(() => {
          // A lease that cannot be released lapses on its own after leaseMs.
          this.deps.logger.warn('signup lease not released', { customerId });
        });
      }
    }
  }

  private async freshSignup(customerId: string, input: NewCustomer) {
    const code = newRegistrationCode();
    const registrationCodeCiphertext = await this.deps.cipher.encrypt(code, customerContext(customerId, REGISTRATION_CODE_PURPOSE));
    return {
      code,
      fields: {
        status: 'CREATING' as const,
        origin: 'CREATED' as const,
        email: input.email,
        registrationCodeCiphertext,
        signupStep: 'STARTED' as const,
        personalProfileIdempotenceUuid: personalProfileIdempotenceUuid(customerId),
      },
    };
  }

  private async reload(customerId: string): Promise<CustomerAccount> {
    const account = await this.deps.accounts.get(customerId);
    if (!account) throw new Error('the account item disappeared during signup');
    return account;
  }

  /** The answer for an account that needs no work from this call, or undefined when there is work. */
  private settled(account: CustomerAccount, input: NewCustomer): HttpResult | undefined {
    switch (account.status) {
      case 'ACTIVE':
        return { status: 200, body: publicAccount(account) };
      case 'CREATING':
      case 'NONE':
        return undefined;
      case 'EXISTING_ACCOUNT':
        // Asking again with the email fallback makes Wise send the customer the email.
        if (input.sendAuthorizationCodeAsEmail) return undefined;
        throw existingWiseAccount();
      case 'LINK_PENDING':
        throw conflict('LINK_IN_PROGRESS', 'Linking an existing Wise account is in progress for this customer.');
      case 'RELINK_REQUIRED':
        throw conflict('RELINK_REQUIRED', 'Wise no longer accepts this customer\'s tokens; link the Wise account again.');
      case 'DEACTIVATED':
        throw conflict('ACCOUNT_DEACTIVATED', 'Wise deactivated this customer\'s account.');
      default:
        throw existingWiseAccount();
    }
  }

  /** A concurrent call holds the lease: give its outcome if it lands soon, else 409 IN_PROGRESS. */
  private async awaitOther(customerId: string, deadline: number): Promise<HttpResult> {
    const until = Math.min(deadline, Date.now() + this.timing.waitMs);
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, this.timing.pollMs));
      const account = await this.deps.accounts.get(customerId);
      if (account?.status === 'ACTIVE') return { status: 200, body: publicAccount(account) };
      if (account?.status === 'EXISTING_ACCOUNT') throw existingWiseAccount();
    }
    throw inProgress();
  }

  /**
   * Runs the remaining steps. The happy path writes the account only once more, at the end: the
   * user's tokens item is itself the record that signup and the token grant succeeded, so a retry
   * after a crash finds it and goes straight to the profile. A token grant that fails after the
   * user was created records USER_CREATED, so the retry does not sign up again.
   */
  private async advance(account: CustomerAccount, input: NewCustomer, deadline: number, freshCode?: string): Promise<CustomerAccount> {
    const { accounts, tokens, wise } = this.deps;
    const customerId = account.customerId;
    const email = account.email;
    const ciphertext = account.registrationCodeCiphertext;
    if (!email || !ciphertext) throw new Error('a signup in progress has an email and a registration code');
    const code =
      freshCode ?? (await this.deps.cipher.decrypt(ciphertext, customerContext(customerId, REGISTRATION_CODE_PURPOSE)));
    let step = account.signupStep ?? 'STARTED';
    let wiseUserId = account.wiseUserId;

    if (step === 'STARTED' && freshCode === undefined && (await tokens.has(customerId))) step = 'TOKENS_STORED';
    if (step === 'STARTED') {
      const outcome = await this.signUp(customerId, email, code, input, deadline);
      wiseUserId = outcome.userId;
      if (outcome.tokens) {
        await tokens.store(customerId, outcome.tokens);
        step = 'TOKENS_STORED';
      } else {
        step = 'USER_CREATED';
      }
    }
    if (step === 'USER_CREATED') {
      let granted: TokenResponse;
      try {
        granted = await wise.registrationCodeToken(email, code, { deadline });
      } catch (err) {
        if (account.signupStep !== 'USER_CREATED') {
          await accounts.update(customerId, { wiseUserId, signupStep: 'USER_CREATED' });
        }
        throw err;
      }
      await tokens.store(customerId, granted);
      step = 'TOKENS_STORED';
    }
    if (step === 'TOKENS_STORED') {
      wiseUserId ??= (await tokens.withAccessToken(customerId, (t) => wise.me(t, { deadline }), { deadline })).id;
      const uuid = account.personalProfileIdempotenceUuid ?? personalProfileIdempotenceUuid(customerId);
      let profileId: number;
      try {
        profileId = await this.createPersonalProfile(customerId, input, uuid, deadline);
      } catch (err) {
        // Record the progress the happy path leaves to the final write, so the partner sees the user id.
        if (account.signupStep !== 'TOKENS_STORED') {
          await accounts.update(customerId, { wiseUserId, signupStep: 'TOKENS_STORED' }).catch(() => undefined);
        }
        throw err;
      }
      // The profile item first: a crash before the account update re-finds it through the same uuid.
      await accounts.putProfile(customerId, { id: profileId, type: 'PERSONAL' });
      await accounts.update(
        customerId,
        { wiseUserId, personalProfileId: profileId, signupStep: 'PROFILE_CREATED', status: 'ACTIVE' },
        { remove: ['leaseOwner', 'leaseUntil'] },
      );
    }
    return this.reload(customerId);
  }

  /**
   * Signs the user up. A 409 NOT_UNIQUE while we hold a registration code may be our own user,
   * created by a call whose answer was lost: if our code mints tokens for this email, the user is
   * ours and signup continues; only otherwise does the email belong to somebody else's Wise account.
   */
  private async signUp(
    customerId: string,
    email: string,
    registrationCode: string,
    input: NewCustomer,
    deadline: number,
  ): Promise<{ userId: number; tokens?: TokenResponse }> {
    const { wise, clientToken } = this.deps;
    const body = {
      email,
      registrationCode,
      ...(input.language ? { language: input.language } : {}),
      ...(input.sendAuthorizationCodeAsEmail ? { sendAuthorizationCodeAsEmail: true } : {}),
    };
    const signup = async () => wise.signupWithRegistrationCode(await clientToken.get({ deadline }), body, { deadline });
    try {
      try {
        return { userId: (await signup()).id };
      } catch (err) {
        // A cached client token Wise no longer accepts (rotated credentials): fetch one and retry once.
        if (!(err instanceof WiseApiError) || !err.isInvalidToken) throw err;
        clientToken.invalidate();
        return { userId: (await signup()).id };
      }
    } catch (err) {
      if (!isNotUnique(err)) throw wiseRejectedInput(err, { email: 'email', registrationCode: '(body)', language: 'language' });
      const tokens = await this.ownUserTokens(email, registrationCode, deadline);
      if (!tokens) {
        await this.deps.accounts.update(
          customerId,
          { status: 'EXISTING_ACCOUNT' },
          { remove: ['origin', 'registrationCodeCiphertext', 'signupStep', 'personalProfileIdempotenceUuid'] },
        );
        this.deps.logger.info('signup found an existing Wise account', { customerId });
        throw existingWiseAccount();
      }
      const me = await wise.me(tokens.access_token, { deadline });
      this.deps.logger.info('signup recovered a user created earlier', { customerId });
      return { userId: me.id, tokens };
    }
  }

  private async ownUserTokens(email: string, registrationCode: string, deadline: number): Promise<TokenResponse | undefined> {
    try {
      return await this.deps.wise.registrationCodeToken(email, registrationCode, { deadline });
    } catch (err) {
      if (err instanceof WiseApiError) return undefined;
      throw err;
    }
  }

  /** Creates the personal profile under our idempotence uuid; a 409 means it exists: find it. */
  private async createPersonalProfile(customerId: string, input: NewCustomer, uuid: string, deadline: number): Promise<number> {
    const { tokens, wise } = this.deps;
    const body = toWisePersonalProfile(input);
    try {
      const created = await tokens.withAccessToken(
        customerId,
        (token) => wise.createPersonalProfile(token, body, uuid, { deadline }),
        { deadline },
      );
      return created.id;
    } catch (err) {
      if (!(err instanceof WiseApiError) || err.status !== 409) throw wiseRejectedInput(err, personalFieldPaths);
      const profiles = await tokens.withAccessToken(customerId, (token) => wise.listProfiles(token, { deadline }), { deadline });
      const personal = profiles.find((p) => p.type === 'PERSONAL');
      if (!personal) throw err;
      return personal.id;
    }
  }
}

/** Wise's personal-profile field paths → the partner body's. */
export const personalFieldPaths: Record<string, string> = {
  'contactDetails.email': 'email',
  'contactDetails.phoneNumber': 'phoneNumber',
  contactDetails: 'email',
};
