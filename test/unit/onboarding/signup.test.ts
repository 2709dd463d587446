import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { Signup, type SignupPorts } from '../../../functions/onboarding/signup';
import { KmsCipher } from '../../../shared/adapters/kms-cipher';
import { newCustomerSchema } from '../../../shared/domain/onboarding/personal-profile';
import { DomainError } from '../../../shared/errors/domain-error';
import { createLogger } from '../../../shared/logging/logger';
import {
  accountLease,
  type AccountFields,
  type AccountUpdateOptions,
  type NewAccount,
} from '../../../shared/ports/accounts';
import { ManualClock } from '../../../shared/ports/clock';
import { WiseApiError } from '../../../shared/wise/errors';
import type { TokenResponse } from '../../../shared/wise/schemas';
import {
  FakeWise,
  FakeWiseAccess,
  InMemoryAccountStore,
  InMemoryAuditTrail,
  InMemoryIdentityRecords,
  InMemoryItems,
  InMemoryLease,
  InMemoryUserTokens,
} from '../../support/fakes';

const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CUSTOMER = 'cust-42';
const CONTEXT = { app: 'wise-onboarding', customerId: CUSTOMER, purpose: 'wise-registration-code' };
const input = newCustomerSchema(() => Date.parse('2026-01-01')).parse({
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  dateOfBirth: '1990-12-10',
  phoneNumber: '+442079460000',
  address: { addressFirstLine: '1 Test Street', city: 'London', countryIso3Code: 'gbr' },
  acceptedTermsAt: '2025-12-01T09:00:00.000Z',
});
const userTokens: TokenResponse = {
  access_token: 'user-access',
  refresh_token: 'user-refresh',
  token_type: 'bearer',
  expires_in: 43199,
};

/** The shared in-memory account store, recording its writes in the order they happen. */
class RecordingAccounts extends InMemoryAccountStore {
  constructor(
    private readonly events: string[],
    clock: ManualClock,
    items: InMemoryItems,
  ) {
    super(clock, items);
  }
  override async create(account: NewAccount, lease?: { owner: string; leaseMs: number }) {
    const created = await super.create(account, lease);
    if (created) this.events.push(`store:create:${account.signupStep}`);
    return created;
  }
  override async update(customerId: string, fields: AccountFields, options?: AccountUpdateOptions) {
    const updated = await super.update(customerId, fields, options);
    if (updated) this.events.push(`store:update:${fields.signupStep ?? fields.status}`);
    return updated;
  }
}

/** The shared user-token fake, recording when signup stores the user's tokens. */
class RecordingTokens extends InMemoryUserTokens {
  constructor(private readonly events: string[]) {
    super();
  }
  override async store(customerId: string, tokens: TokenResponse) {
    this.events.push('tokens:store');
    return super.store(customerId, tokens);
  }
}

const kms = mockClient(KMSClient);
let events: string[];
let accounts: RecordingAccounts;
let lease: InMemoryLease;
let wise: FakeWise;
let access: FakeWiseAccess;
let sentCodes: string[];
let signupAnswer: () => Promise<{ id: number }>;
let grantAnswer: () => Promise<TokenResponse>;

let tokens: RecordingTokens;
let audit: InMemoryAuditTrail;
const deps = (): SignupPorts => ({
  accounts,
  lease,
  cipher: new KmsCipher(new KMSClient({ region: 'eu-west-1' }), KEY_ID),
  wise,
  wiseAs: access.wiseAsFn,
  clientToken: { get: async () => 'client-token', invalidate: () => undefined },
  tokens,
  audit,
  identities: new InMemoryIdentityRecords(),
  logger: createLogger('test'),
});

beforeEach(() => {
  kms.reset();
  kms.on(EncryptCommand).callsFake((cmd: { Plaintext: Uint8Array }) => ({
    CiphertextBlob: Buffer.concat([Buffer.from('sealed:'), Buffer.from(cmd.Plaintext)]),
  }));
  kms.on(DecryptCommand).callsFake((cmd: { CiphertextBlob: Uint8Array }) => ({
    Plaintext: Buffer.from(cmd.CiphertextBlob).subarray('sealed:'.length),
  }));
  events = [];
  sentCodes = [];
  const clock = new ManualClock(0);
  const items = new InMemoryItems();
  accounts = new RecordingAccounts(events, clock, items);
  lease = new InMemoryLease(clock, items);
  tokens = new RecordingTokens(events);
  audit = new InMemoryAuditTrail(clock, items);
  signupAnswer = async () => ({ id: 777 });
  grantAnswer = async () => userTokens;
  wise = new FakeWise()
    .on('signupWithRegistrationCode', async (_token, body) => {
      events.push('wise:signup');
      sentCodes.push(body.registrationCode);
      return signupAnswer();
    })
    .on('registrationCodeToken', async (_email, code) => {
      events.push('wise:grant');
      sentCodes.push(code);
      return grantAnswer();
    })
    .on('me', async () => ({ id: 777 }));
  access = new FakeWiseAccess()
    .on('me', async () => ({ id: 777 }))
    .on('createPersonalProfile', async () => {
      events.push('wise:profile');
      return { id: 900 };
    })
    .on('listProfiles', async () => []);
});

describe('signup with a KMS-sealed registration code', () => {
  it("seals the code under the app key and the customer's context, and stores it before Wise hears of it", async () => {
    // Act
    const result = await new Signup(deps()).run(CUSTOMER, input, Date.now() + 10_000);

    // Assess
    expect(result.created).toBe(true);
    expect(kms).toHaveReceivedCommandWith(EncryptCommand, { KeyId: KEY_ID, EncryptionContext: CONTEXT });
    // The code this call just made is still in memory: no second KMS call to open it again.
    expect(kms).not.toHaveReceivedCommand(DecryptCommand);
    const sealed = kms.commandCalls(EncryptCommand)[0]!.args[0].input.Plaintext as Uint8Array;
    const code = Buffer.from(sealed).toString('utf8');
    expect(code.length).toBeGreaterThanOrEqual(32);
    expect(sentCodes).toEqual([code, code]);
    expect(events.indexOf('store:create:STARTED')).toBeLessThan(events.indexOf('wise:signup'));
    // The tokens item records the signup; the account is written once more, at the end.
    expect(events).toEqual([
      'store:create:STARTED',
      'wise:signup',
      'wise:grant',
      'tokens:store',
      'wise:profile',
      'store:update:PROFILE_CREATED',
    ]);
    expect(lease.holder(accountLease(CUSTOMER))).toBeUndefined();
    const stored = (await accounts.get(CUSTOMER))!;
    expect(stored.registrationCodeCiphertext).toBe(Buffer.from(`sealed:${code}`).toString('base64'));
    expect(stored).toMatchObject({
      status: 'ACTIVE',
      origin: 'CREATED',
      wiseUserId: 777,
      personalProfileId: 900,
    });
    // Both status moves are on the audit trail, with the statuses and ids only.
    expect(audit.events(CUSTOMER).map(({ action, details }) => ({ action, details }))).toEqual([
      {
        action: 'customer.signup_started',
        details: { previousStatus: 'NONE', status: 'CREATING', acceptedTermsAt: '2025-12-01T09:00:00.000Z' },
      },
      {
        action: 'customer.signed_up',
        details: { previousStatus: 'CREATING', status: 'ACTIVE', profileId: 900, wiseUserId: 777 },
      },
    ]);
  });

  it('records the actor it is given on every event of the signup', async () => {
    // Act
    await new Signup(deps()).run(CUSTOMER, input, Date.now() + 10_000, {
      kind: 'partner',
      subject: 'back-office',
    });

    // Assess
    expect(audit.events(CUSTOMER).map((e) => e.actor)).toEqual([
      { kind: 'partner', subject: 'back-office' },
      { kind: 'partner', subject: 'back-office' },
    ]);
  });

  it('writes nothing when the audit event cannot be recorded, so no change lands without its event', async () => {
    // Prepare
    audit.failNext();

    // Act
    const outcome = await new Signup(deps())
      .run(CUSTOMER, input, Date.now() + 10_000)
      .catch((e: unknown) => e);

    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect(await accounts.get(CUSTOMER)).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('after a 409 NOT_UNIQUE, keeps the user when our registration code still mints its tokens', async () => {
    // Prepare
    signupAnswer = async () => {
      throw new WiseApiError(409, '/v1/user/signup/registration_code', { errors: [{ code: 'NOT_UNIQUE' }] });
    };

    // Act
    const result = await new Signup(deps()).run(CUSTOMER, input, Date.now() + 10_000);

    // Assess
    expect(result.created).toBe(true);
    expect(events).toEqual([
      'store:create:STARTED',
      'wise:signup',
      'wise:grant',
      'tokens:store',
      'wise:profile',
      'store:update:PROFILE_CREATED',
    ]);
    expect(await accounts.get(CUSTOMER)).toMatchObject({ status: 'ACTIVE', wiseUserId: 777 });
  });

  it('after a 409 NOT_UNIQUE that our code cannot open, records EXISTING_ACCOUNT and drops the code', async () => {
    // Prepare
    signupAnswer = async () => {
      throw new WiseApiError(409, '/v1/user/signup/registration_code', { errors: [{ code: 'NOT_UNIQUE' }] });
    };
    grantAnswer = async () => {
      throw new WiseApiError(401, '/oauth/token#registration_code', { error: 'invalid_grant' });
    };

    // Act
    const outcome = await new Signup(deps())
      .run(CUSTOMER, input, Date.now() + 10_000)
      .catch((e: unknown) => e);

    // Assess
    expect(outcome).toBeInstanceOf(DomainError);
    expect((outcome as DomainError).code).toBe('EXISTING_WISE_ACCOUNT');
    const stored = (await accounts.get(CUSTOMER))!;
    expect(stored.status).toBe('EXISTING_ACCOUNT');
    expect(stored.registrationCodeCiphertext).toBeUndefined();
    expect(lease.holder(accountLease(CUSTOMER))).toBeUndefined();
    expect(audit.actions(CUSTOMER)).toEqual(['customer.signup_started', 'status.changed']);
    expect(audit.events(CUSTOMER)[1]!.details).toEqual({
      previousStatus: 'CREATING',
      status: 'EXISTING_ACCOUNT',
      reason: 'EXISTING_WISE_ACCOUNT',
    });
  });

  it('answers 409 IN_PROGRESS while another caller holds the lease, without calling Wise', async () => {
    // Prepare
    await accounts.create({
      customerId: CUSTOMER,
      status: 'CREATING',
      signupStep: 'STARTED',
      email: 'ada@example.com',
    });
    await lease.take(accountLease(CUSTOMER), 'someone-else', 60_000);
    events.length = 0;

    // Act
    const outcome = await new Signup(deps(), { waitMs: 30, pollMs: 10 })
      .run(CUSTOMER, input, Date.now() + 10_000)
      .catch((e: unknown) => e);

    // Assess
    expect((outcome as DomainError).code).toBe('IN_PROGRESS');
    expect(events).toEqual([]);
  });

  it('resumes at the recorded step without signing up again', async () => {
    // Prepare
    access.once('createPersonalProfile', async () => Promise.reject(new Error('crash')));
    await new Signup(deps()).run(CUSTOMER, input, Date.now() + 10_000).catch(() => undefined);
    events.length = 0;

    // Act
    const result = await new Signup(deps()).run(CUSTOMER, input, Date.now() + 10_000);

    // Assess
    expect(result.created).toBe(true);
    expect(events).toEqual(['wise:profile', 'store:update:PROFILE_CREATED']);
    expect(kms).toHaveReceivedCommandWith(DecryptCommand, { KeyId: KEY_ID, EncryptionContext: CONTEXT });
  });
});
