import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccountStatus, CustomerAccount } from '../../shared/domain/account';
import { toWisePersonalProfile, type NewCustomer } from '../../shared/domain/onboarding/personal-profile';
import {
  newRegistrationCode,
  personalProfileIdempotenceUuid,
} from '../../shared/domain/onboarding/registration-code';
import { DomainError, InProgressError } from '../../shared/errors/domain-error';
import { accountLease, type AccountStore } from '../../shared/ports/accounts';
import type { AuditActor, AuditTrail } from '../../shared/ports/audit';
import type { IdentityRecords } from '../../shared/ports/identity';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import { LEASE_OWNER, LEASE_UNTIL, type Lease } from '../../shared/ports/lease';
import type { UserTokens } from '../../shared/ports/user-tokens';
import type { CustomerWise, WiseApi, WiseAs, WiseCallOptions } from '../../shared/ports/wise';
import { waitUntil } from '../../shared/runtime/wait';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';
import { WiseApiError } from '../../shared/wise/errors';
import type { TokenResponse } from '../../shared/wise/schemas';
import { wiseRejectedInput } from './wise-rejections';

/** The client-credentials token signup calls Wise with, cached per container. */
export interface ClientToken {
  get(options?: WiseCallOptions): Promise<string>;
  /** Wise refused the cached token (rotated credentials): fetch a new one next time. */
  invalidate(): void;
}

/** What signing a customer up needs. */
export interface SignupPorts {
  accounts: AccountStore;
  lease: Lease;
  cipher: Cipher;
  /** The calls made before the customer has tokens of their own (or with tokens not stored yet). */
  wise: Pick<WiseApi, 'signupWithRegistrationCode' | 'registrationCodeToken' | 'me'>;
  /** Wise as the customer, once their tokens are stored. */
  wiseAs: WiseAs;
  clientToken: ClientToken;
  tokens: Pick<UserTokens, 'store' | 'has'>;
  /** Each status move is recorded just before its write: an event may precede a write that then failed (the retry records it again), no write lands without one. */
  audit: Pick<AuditTrail, 'record' | 'transactItem'>;
  /** The date of birth of route 1 becomes the identity on record that linking compares with (route 18). */
  identities: Pick<IdentityRecords, 'record'>;
  logger: Logger;
}

export interface SignupTiming {
  /** How long one caller holds the account; a crashed caller's lease lapses after this. */
  leaseMs: number;
  /** How long a concurrent caller waits for the holder's outcome before answering 409 IN_PROGRESS. */
  waitMs: number;
  pollMs: number;
}

/** `created`: this call finished the signup; otherwise the account was already active. */
export interface SignupOutcome {
  created: boolean;
  account: CustomerAccount;
}

const defaultTiming: SignupTiming = { leaseMs: 30_000, waitMs: 5_000, pollMs: 100 };

// Names the work under way, which the catalogue's generic detail cannot.
const inProgress = () =>
  new InProgressError('IN_PROGRESS', {
    detail: "This customer's Wise account is being created by another request; retry shortly.",
  });

/** Statuses in which route 1 starts a new signup (a fresh registration code) rather than resuming one. */
const restartable: readonly AccountStatus[] = ['NONE', 'EXISTING_ACCOUNT'];

const isNotUnique = (err: unknown): err is WiseApiError => err instanceof WiseApiError && err.status === 409;

/** Wise's personal-profile field paths → the partner body's. */
export const personalFieldPaths: Record<string, string> = {
  'contactDetails.email': 'email',
  'contactDetails.phoneNumber': 'phoneNumber',
  contactDetails: 'email',
};

/**
 * Route 1 as a resumable state machine kept on the account item: STARTED (registration code
 * stored, encrypted) → USER_CREATED → TOKENS_STORED → PROFILE_CREATED. Every step is recorded
 * before the next Wise call, so a crash or an outage resumes where it stopped and never makes a
 * second Wise user or profile. One caller at a time works on a customer, under the account lease.
 */
export class Signup {
  private readonly timing: SignupTiming;

  constructor(
    private readonly ports: SignupPorts,
    timing: Partial<SignupTiming> = {},
  ) {
    this.timing = { ...defaultTiming, ...timing };
  }

  /**
   * Signs the customer up (below). Whatever Wise answered about the user — created, already
   * created, or the email already known to Wise (409) — the partner's date of birth becomes the
   * customer's identity on record, so that linking instead (route 8) can compare with it.
   */
  async run(
    customerId: string,
    input: NewCustomer,
    deadline: number,
    actor: AuditActor = { kind: 'system' },
  ): Promise<SignupOutcome> {
    try {
      const outcome = await this.signUpOnce(customerId, input, deadline, actor);
      await this.recordIdentity(customerId, input, actor);
      return outcome;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'EXISTING_WISE_ACCOUNT')
        await this.recordIdentity(customerId, input, actor);
      throw err;
    }
  }

  private async recordIdentity(customerId: string, input: NewCustomer, actor: AuditActor): Promise<void> {
    await this.ports.identities.record(
      customerId,
      { dateOfBirth: input.dateOfBirth },
      {
        alsoWrite: (onRecord) => [
          this.ports.audit.transactItem(customerId, {
            action: 'identity.changed',
            actor,
            details: { ...onRecord },
          }),
        ],
      },
    );
  }

  private async signUpOnce(
    customerId: string,
    input: NewCustomer,
    deadline: number,
    actor: AuditActor,
  ): Promise<SignupOutcome> {
    const { accounts, lease } = this.ports;
    const owner = randomUUID();
    const spec = accountLease(customerId);
    const existing = await accounts.get(customerId);
    /** The plaintext code when this call made it: no need to ask KMS for what we just sealed. */
    let freshCode: string | undefined;
    let holdsLease = false;
    if (existing) {
      if (this.isSettled(existing, input)) return { created: false, account: existing };
    } else {
      // The code is sealed and stored before Wise hears of it: whatever happens next, we hold it.
      const fresh = await this.freshSignup(customerId, input);
      await this.ports.audit.record(customerId, {
        action: 'customer.signup_started',
        actor,
        details: { previousStatus: 'NONE', status: 'CREATING', acceptedTermsAt: input.acceptedTermsAt },
      });
      holdsLease = await accounts
        .create({ customerId, ...fresh.fields }, { owner, leaseMs: this.timing.leaseMs })
        .catch(async (err: unknown) => {
          // The write may have landed with its answer lost, lease and all: give the lease back
          // (owner-checked, a no-op if nothing landed), or the partner's retry waits for it to lapse.
          await lease.release(spec, owner).catch(() => undefined);
          throw err;
        });
      if (holdsLease) freshCode = fresh.code;
    }

    if (!holdsLease && !(await lease.take(spec, owner, this.timing.leaseMs))) {
      return { created: false, account: await this.awaitOther(customerId, deadline) };
    }
    let released = false;
    try {
      let account = await this.reload(customerId);
      if (this.isSettled(account, input)) return { created: false, account };
      if (restartable.includes(account.status)) {
        const fresh = await this.freshSignup(customerId, input);
        await this.ports.audit.record(customerId, {
          action: 'customer.signup_started',
          actor,
          details: {
            previousStatus: account.status,
            status: 'CREATING',
            acceptedTermsAt: input.acceptedTermsAt,
          },
        });
        const restarted = await accounts.update(customerId, fresh.fields, { expectStatus: [account.status] });
        if (!restarted) throw inProgress();
        freshCode = fresh.code;
        account = await this.reload(customerId);
      }
      const done = await this.advance(account, input, deadline, actor, freshCode);
      // The final write removed the lease with the account's activation.
      released = done.status === 'ACTIVE';
      return { created: true, account: done };
    } finally {
      if (!released) {
        await lease.release(spec, owner).catch(() => {
          // A lease that cannot be released lapses on its own after leaseMs.
          this.ports.logger.warn('signup lease not released', { customerId });
        });
      }
    }
  }

  private async freshSignup(customerId: string, input: NewCustomer) {
    const code = newRegistrationCode();
    const registrationCodeCiphertext = await this.ports.cipher.encrypt(
      code,
      customerContext(customerId, REGISTRATION_CODE_PURPOSE),
    );
    return {
      code,
      fields: {
        status: 'CREATING' as const,
        origin: 'CREATED' as const,
        email: input.email,
        registrationCodeCiphertext,
        signupStep: 'STARTED' as const,
        personalProfileIdempotenceUuid: personalProfileIdempotenceUuid(customerId),
        // Wise requires new users to accept its T&C at sign-up: the acceptance goes with the account.
        acceptedTermsAt: input.acceptedTermsAt,
      },
    };
  }

  private async reload(customerId: string): Promise<CustomerAccount> {
    const account = await this.ports.accounts.get(customerId);
    if (!account) throw new Error('the account item disappeared during signup');
    return account;
  }

  /**
   * True for an account that needs no work from this call (ACTIVE); throws where signup cannot go on.
   * Once a signup recorded its email (just before Wise first hears of it), the email is fixed:
   * restarting with another one would make route 1 an oracle of who has a Wise account, and a way
   * to have Wise email anyone (EMAIL_FIXED). Emails are compared without regard to case.
   */
  private isSettled(account: CustomerAccount, input: NewCustomer): boolean {
    if (account.email !== undefined && account.email.toLowerCase() !== input.email.toLowerCase())
      throw new DomainError('EMAIL_FIXED');
    switch (account.status) {
      case 'ACTIVE':
        return true;
      case 'CREATING':
      case 'NONE':
        return false;
      case 'EXISTING_ACCOUNT':
        // Asking again with the email fallback makes Wise send the customer the email.
        if (input.sendAuthorizationCodeAsEmail) return false;
        throw new DomainError('EXISTING_WISE_ACCOUNT');
      case 'LINK_PENDING':
        throw new DomainError('LINK_IN_PROGRESS');
      case 'RELINK_REQUIRED':
        throw new DomainError('RELINK_REQUIRED');
      case 'DEACTIVATED':
        throw new DomainError('ACCOUNT_DEACTIVATED');
      default:
        throw new DomainError('EXISTING_WISE_ACCOUNT');
    }
  }

  /** A concurrent call holds the lease: its outcome if it lands soon, else 409 IN_PROGRESS. */
  private async awaitOther(customerId: string, deadline: number): Promise<CustomerAccount> {
    const active = await waitUntil(
      async () => {
        const account = await this.ports.accounts.get(customerId);
        if (account?.status === 'EXISTING_ACCOUNT') throw new DomainError('EXISTING_WISE_ACCOUNT');
        return account?.status === 'ACTIVE' ? account : undefined;
      },
      { every: this.timing.pollMs, deadline: Math.min(deadline, Date.now() + this.timing.waitMs) },
    );
    if (!active) throw inProgress();
    return active;
  }

  /**
   * Runs the remaining steps. The happy path writes the account only once more, at the end: the
   * user's tokens item is itself the record that signup and the token grant succeeded, so a retry
   * after a crash finds it and goes straight to the profile. A token grant that fails after the
   * user was created records USER_CREATED, so the retry does not sign up again.
   */
  private async advance(
    account: CustomerAccount,
    input: NewCustomer,
    deadline: number,
    actor: AuditActor,
    freshCode?: string,
  ): Promise<CustomerAccount> {
    const { accounts, tokens, wise } = this.ports;
    const customerId = account.customerId;
    const email = account.email;
    const ciphertext = account.registrationCodeCiphertext;
    if (!email || !ciphertext) throw new Error('a signup in progress has an email and a registration code');
    const code =
      freshCode ??
      (await this.ports.cipher.decrypt(ciphertext, customerContext(customerId, REGISTRATION_CODE_PURPOSE)));
    let step = account.signupStep ?? 'STARTED';
    let wiseUserId = account.wiseUserId;

    if (step === 'STARTED' && freshCode === undefined && (await tokens.has(customerId)))
      step = 'TOKENS_STORED';
    if (step === 'STARTED') {
      const outcome = await this.signUp(customerId, email, code, input, deadline, actor);
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
      const asCustomer = this.ports.wiseAs(customerId, { deadline });
      wiseUserId ??= (await asCustomer.me()).id;
      const uuid = account.personalProfileIdempotenceUuid ?? personalProfileIdempotenceUuid(customerId);
      let profileId: number;
      try {
        profileId = await this.createPersonalProfile(asCustomer, input, uuid);
      } catch (err) {
        // Record the progress the happy path leaves to the final write, so the partner sees the user id.
        if (account.signupStep !== 'TOKENS_STORED') {
          await accounts
            .update(customerId, { wiseUserId, signupStep: 'TOKENS_STORED' })
            .catch(() => undefined);
        }
        throw err;
      }
      // The profile item first: a crash before the account update re-finds it through the same uuid.
      await accounts.putProfile(customerId, { id: profileId, type: 'PERSONAL' });
      await this.ports.audit.record(customerId, {
        action: 'customer.signed_up',
        actor,
        details: {
          previousStatus: account.status,
          status: 'ACTIVE',
          profileId,
          ...(wiseUserId !== undefined ? { wiseUserId } : {}),
        },
      });
      await accounts.update(
        customerId,
        { wiseUserId, personalProfileId: profileId, signupStep: 'PROFILE_CREATED', status: 'ACTIVE' },
        { remove: [LEASE_OWNER, LEASE_UNTIL] },
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
    actor: AuditActor,
  ): Promise<{ userId: number; tokens?: TokenResponse }> {
    const { wise, clientToken } = this.ports;
    const body = {
      email,
      registrationCode,
      ...(input.language ? { language: input.language } : {}),
      ...(input.sendAuthorizationCodeAsEmail ? { sendAuthorizationCodeAsEmail: true } : {}),
    };
    const signup = async () =>
      wise.signupWithRegistrationCode(await clientToken.get({ deadline }), body, { deadline });
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
      if (!isNotUnique(err))
        throw wiseRejectedInput(err, { email: 'email', registrationCode: '(body)', language: 'language' });
      const tokens = await this.ownUserTokens(email, registrationCode, deadline);
      if (!tokens) {
        await this.ports.audit.record(customerId, {
          action: 'status.changed',
          actor,
          details: {
            previousStatus: 'CREATING',
            status: 'EXISTING_ACCOUNT',
            reason: 'EXISTING_WISE_ACCOUNT',
          },
        });
        await this.ports.accounts.update(
          customerId,
          { status: 'EXISTING_ACCOUNT' },
          {
            remove: ['origin', 'registrationCodeCiphertext', 'signupStep', 'personalProfileIdempotenceUuid'],
          },
        );
        this.ports.logger.info('signup found an existing Wise account', { customerId });
        throw new DomainError('EXISTING_WISE_ACCOUNT');
      }
      const me = await wise.me(tokens.access_token, { deadline });
      this.ports.logger.info('signup recovered a user created earlier', { customerId });
      return { userId: me.id, tokens };
    }
  }

  private async ownUserTokens(
    email: string,
    registrationCode: string,
    deadline: number,
  ): Promise<TokenResponse | undefined> {
    try {
      return await this.ports.wise.registrationCodeToken(email, registrationCode, { deadline });
    } catch (err) {
      if (err instanceof WiseApiError) return undefined;
      throw err;
    }
  }

  /** Creates the personal profile under our idempotence uuid; a 409 means it exists: find it. */
  private async createPersonalProfile(
    asCustomer: CustomerWise,
    input: NewCustomer,
    uuid: string,
  ): Promise<number> {
    try {
      return (await asCustomer.createPersonalProfile(toWisePersonalProfile(input), uuid)).id;
    } catch (err) {
      if (!(err instanceof WiseApiError) || err.status !== 409)
        throw wiseRejectedInput(err, personalFieldPaths);
      const personal = (await asCustomer.listProfiles()).find((p) => p.type === 'PERSONAL');
      if (!personal) throw err;
      return personal.id;
    }
  }
}
