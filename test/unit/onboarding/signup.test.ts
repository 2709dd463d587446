import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CreateWiseAccount, type SignupDeps } from '../../../functions/onboarding/create-account';
import { KmsCipher } from '../../../shared/adapters/kms-cipher';
import type { AccountStatus, CustomerAccount, ProfileRecord } from '../../../shared/domain/account';
import { newCustomerSchema } from '../../../shared/domain/onboarding/personal-profile';
import { ProblemError } from '../../../shared/http/problem';
import { createLogger } from '../../../shared/logging/logger';
import { ManualClock } from '../../../shared/ports/clock';
import { WiseApiError } from '../../../shared/wise/errors';
import type { TokenResponse } from '../../../shared/wise/schemas';

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
});
const userTokens: TokenResponse = { access_token: 'user-access', refresh_token: 'user-refresh', token_type: 'bearer', expires_in: 43199 };

/** An in-memory account store with the conditional semantics of the DynamoDB one. */
class MemoryAccounts {
  readonly items = new Map<string, Omit<CustomerAccount, 'profiles'>>();
  readonly profiles: ProfileRecord[] = [];
  lease?: { owner: string; until: number };
  constructor(
    private readonly events: string[],
    private readonly clock: ManualClock,
  ) {}
  async get(customerId: string) {
    const item = this.items.get(customerId);
    return item ? { ...item, profiles: [...this.profiles] } : undefined;
  }
  async create(account: Omit<CustomerAccount, 'profiles' | 'createdAt' | 'updatedAt'>, lease?: { owner: string; leaseMs: number }) {
    if (this.items.has(account.customerId)) return false;
    if (lease) this.lease = { owner: lease.owner, until: this.clock.now() + lease.leaseMs };
    this.events.push(`store:create:${account.signupStep}`);
    this.items.set(account.customerId, { ...account, createdAt: 'now', updatedAt: 'now' });
    return true;
  }
  async update(customerId: string, fields: Partial<CustomerAccount>, options: { expectStatus?: AccountStatus[]; remove?: string[] } = {}) {
    const item = this.items.get(customerId);
    if (!item || (options.expectStatus && !options.expectStatus.includes(item.status))) return false;
    const next: Record<string, unknown> = { ...item, ...fields };
    for (const r of options.remove ?? []) delete next[r];
    if (options.remove?.includes('leaseOwner')) this.lease = undefined;
    this.items.set(customerId, next as Omit<CustomerAccount, 'profiles'>);
    this.events.push(`store:update:${fields.signupStep ?? fields.status}`);
    return true;
  }
  async putProfile(_customerId: string, profile: Pick<ProfileRecord, 'id' | 'type'>) {
    this.profiles.push({ ...profile, verification: 'unknown' });
  }
  async acquireLease(_customerId: string, owner: string, ms: number) {
    if (this.lease && this.lease.until > this.clock.now() && this.lease.owner !== owner) return false;
    this.lease = { owner, until: this.clock.now() + ms };
    return true;
  }
  async releaseLease(_customerId: string, owner: string) {
    if (this.lease?.owner === owner) this.lease = undefined;
  }
}

const kms = mockClient(KMSClient);
let events: string[];
let accounts: MemoryAccounts;
let sentCodes: string[];
let tokensHeld = false;
let signupAnswer: () => Promise<{ id: number }>;
let grantAnswer: () => Promise<TokenResponse>;

const deps = (): SignupDeps => ({
  accounts,
  cipher: new KmsCipher(new KMSClient({ region: 'eu-west-1' }), KEY_ID),
  wise: {
    signupWithRegistrationCode: async (_token, body) => {
      events.push('wise:signup');
      sentCodes.push(body.registrationCode);
      return signupAnswer();
    },
    registrationCodeToken: async (_email, code) => {
      events.push('wise:grant');
      sentCodes.push(code);
      return grantAnswer();
    },
    me: async () => ({ id: 777 }),
    createPersonalProfile: async () => {
      events.push('wise:profile');
      return { id: 900 };
    },
    listProfiles: async () => [],
  },
  clientToken: { get: async () => 'client-token', invalidate: () => undefined },
  tokens: {
    store: async () => {
      events.push('tokens:store');
      tokensHeld = true;
    },
    has: async () => tokensHeld,
    withAccessToken: async (_customerId, call) => call('user-access'),
  },
  clock: new ManualClock(0),
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
  tokensHeld = false;
  accounts = new MemoryAccounts(events, new ManualClock(0));
  signupAnswer = async () => ({ id: 777 });
  grantAnswer = async () => userTokens;
});

describe('signup with a KMS-sealed registration code', () => {
  it('seals the code under the app key and the customer\'s context, and stores it before Wise hears of it', async () => {
    // Act
    const result = await new CreateWiseAccount(deps()).run(CUSTOMER, input, Date.now() + 10_000);

    // Assess
    expect(result.status).toBe(201);
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
    expect(accounts.lease).toBeUndefined();
    const stored = accounts.items.get(CUSTOMER)!;
    expect(stored.registrationCodeCiphertext).toBe(Buffer.from(`sealed:${code}`).toString('base64'));
    expect(stored).toMatchObject({ status: 'ACTIVE', origin: 'CREATED', wiseUserId: 777, personalProfileId: 900 });
  });

  it('after a 409 NOT_UNIQUE, keeps the user when our registration code still mints its tokens', async () => {
    // Prepare
    signupAnswer = async () => {
      throw new WiseApiError(409, '/v1/user/signup/registration_code', { errors: [{ code: 'NOT_UNIQUE' }] });
    };

    // Act
    const result = await new CreateWiseAccount(deps()).run(CUSTOMER, input, Date.now() + 10_000);

    // Assess
    expect(result.status).toBe(201);
    expect(events).toEqual(['store:create:STARTED', 'wise:signup', 'wise:grant', 'tokens:store', 'wise:profile', 'store:update:PROFILE_CREATED']);
    expect(accounts.items.get(CUSTOMER)).toMatchObject({ status: 'ACTIVE', wiseUserId: 777 });
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
    const outcome = await new CreateWiseAccount(deps()).run(CUSTOMER, input, Date.now() + 10_000).catch((e: unknown) => e);

    // Assess
    expect(outcome).toBeInstanceOf(ProblemError);
    expect((outcome as ProblemError).code).toBe('EXISTING_WISE_ACCOUNT');
    const stored = accounts.items.get(CUSTOMER)!;
    expect(stored.status).toBe('EXISTING_ACCOUNT');
    expect(stored.registrationCodeCiphertext).toBeUndefined();
    expect(accounts.lease).toBeUndefined();
  });

  it('answers 409 IN_PROGRESS while another caller holds the lease, without calling Wise', async () => {
    // Prepare
    await accounts.create({ customerId: CUSTOMER, status: 'CREATING', signupStep: 'STARTED', email: 'ada@example.com' });
    await accounts.acquireLease(CUSTOMER, 'someone-else', 60_000);
    events.length = 0;

    // Act
    const outcome = await new CreateWiseAccount(deps(), { waitMs: 30, pollMs: 10 })
      .run(CUSTOMER, input, Date.now() + 10_000)
      .catch((e: unknown) => e);

    // Assess
    expect((outcome as ProblemError).code).toBe('IN_PROGRESS');
    expect(events).toEqual([]);
  });

  it('resumes at the recorded step without signing up again', async () => {
    // Prepare
    await new CreateWiseAccount({ ...deps(), wise: { ...deps().wise, createPersonalProfile: async () => Promise.reject(new Error('crash')) } })
      .run(CUSTOMER, input, Date.now() + 10_000)
      .catch(() => undefined);
    events.length = 0;

    // Act
    const result = await new CreateWiseAccount(deps()).run(CUSTOMER, input, Date.now() + 10_000);

    // Assess
    expect(result.status).toBe(201);
    expect(events).toEqual(['wise:profile', 'store:update:PROFILE_CREATED']);
    expect(kms).toHaveReceivedCommandWith(DecryptCommand, { KeyId: KEY_ID, EncryptionContext: CONTEXT });
  });
});
