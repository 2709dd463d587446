import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import {
  accountPath,
  businessBody,
  customerBody,
  freshCustomer,
  profilePath,
  simState,
  partner,
} from './fixtures';

/**
 * Routes 3–7 against the simulator, for customers created through route 1. Everything the
 * functions log in this file is captured (Powertools writes JSON lines to stdout) and searched
 * at the end for every secret the simulator handed out.
 */
let t: TestStack;
let stdout: MockInstance<typeof process.stdout.write>;
const logged: string[] = [];

let customer: { customerId: string; email: string; personalId: number; wiseUserId: number };

const clientToken = async (): Promise<string> => {
  const res = await fetch(`${t.sim.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('local-partner:local-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
};

const verifyAtWise = async (profileId: number) =>
  t.sim_('POST', `/v1/simulation/profiles/${profileId}/verifications`, undefined, {
    authorization: `Bearer ${await clientToken()}`,
  });

const createCustomer = async (prefix: string) => {
  const { customerId, email } = freshCustomer(prefix);
  const res = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
  expect(res.status).toBe(201);
  return {
    customerId,
    email,
    personalId: res.body.profiles[0].id as number,
    wiseUserId: res.body.wiseUserId as number,
  };
};

beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  t = await startTestStack({ subscribe: false });
  customer = await createCustomer('profiles');
});
afterAll(async () => {
  stdout?.mockRestore();
  await t?.close();
});

describe('route 3: business profiles', () => {
  it('answers 409 PERSONAL_PROFILE_REQUIRED for a customer without a personal profile', async () => {
    // Act
    const res = await t.call('POST', `${accountPath('no-account')}/business-profiles`, {
      as: partner,
      body: businessBody(),
    });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PERSONAL_PROFILE_REQUIRED');
  });

  it('creates the business profile once, also when the partner retries the same request', async () => {
    // Prepare
    const { customerId } = customer;
    const path = `${accountPath(customerId)}/business-profiles`;

    // Act
    const created = await t.call('POST', path, { as: partner, body: businessBody() });
    const retried = await t.call('POST', path, { as: partner, body: businessBody() });
    const account = await t.call('GET', accountPath(customerId), { as: customerId });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.profile).toMatchObject({
      type: 'BUSINESS',
      businessName: 'Test Consulting Ltd',
      verification: 'unknown',
    });
    expect(retried.body.profile.id).toBe(created.body.profile.id);
    expect(account.body.profiles.map((p: { type: string }) => p.type)).toEqual(['PERSONAL', 'BUSINESS']);
    const atWise = (await simState(t)).profiles.filter(
      (p) => p.userId === customer.wiseUserId && p.type === 'BUSINESS',
    );
    expect(atWise.map((p) => p.id)).toEqual([created.body.profile.id]);
  });

  it.each([
    { name: 'unknown company type', body: businessBody({ companyType: 'CORP' }), fields: ['companyType'] },
    {
      name: 'OTHER without webpage and description',
      body: businessBody({ companyType: 'OTHER', webpage: undefined }),
      fields: ['webpage', 'businessFreeFormDescription'],
    },
    {
      name: 'sub-category of another category',
      body: businessBody({ secondLevelCategory: 'ALCOHOL' }),
      fields: ['secondLevelCategory'],
    },
    {
      name: 'unknown category',
      body: businessBody({ firstLevelCategory: 'SPACE_TRAVEL' }),
      fields: ['firstLevelCategory'],
    },
    { name: 'too short a name', body: businessBody({ businessName: 'X' }), fields: ['businessName'] },
  ])('refuses $name with 400 before calling Wise', async ({ body, fields }) => {
    // Prepare
    const before = (await simState(t)).profiles.length;

    // Act
    const res = await t.call('POST', `${accountPath(customer.customerId)}/business-profiles`, {
      as: partner,
      body,
    });

    // Assess
    expect(res.status).toBe(400);
    const named = (res.body.errors as { path: string }[]).map((e) => e.path);
    for (const field of fields) expect(named).toContain(field);
    expect((await simState(t)).profiles.length).toBe(before);
  });
});

describe('route 4: profile updates', () => {
  it('updates a verified personal profile inside an update window it closes again', async () => {
    // Prepare
    const { customerId, email, personalId } = await createCustomer('update');
    await verifyAtWise(personalId);

    // Act
    const res = await t.call('PUT', profilePath(customerId, personalId), {
      as: partner,
      body: customerBody(email, { lastName: 'Updated', phoneNumber: '+44 20 7946 0001' }),
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({
      id: personalId,
      type: 'PERSONAL',
      lastName: 'Updated',
      phoneNumber: '+442079460001',
    });
    const atWise = (await simState(t)).profiles.find((p) => p.id === personalId);
    expect(atWise).toMatchObject({ lastName: 'Updated', verification: 'verified', updateWindowOpen: false });
  });

  it('answers 404 PROFILE_NOT_FOUND for a profile of another customer', async () => {
    // Prepare
    const other = await createCustomer('other');

    // Act
    const res = await t.call('PUT', profilePath(customer.customerId, other.personalId), {
      as: partner,
      body: customerBody(customer.email),
    });

    // Assess
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PROFILE_NOT_FOUND');
  });

  it("validates the body by the profile's type", async () => {
    // Act
    const res = await t.call('PUT', profilePath(customer.customerId, customer.personalId), {
      as: partner,
      body: customerBody(customer.email, { dateOfBirth: '1990-13-01' }),
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'dateOfBirth' })]);
  });
});

describe('route 5: verification check', () => {
  it("answers Wise's routes and whether each currency can be sent now", async () => {
    // Act
    const res = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/verification-check`,
      {
        as: customer.customerId,
        body: { sourceCurrencies: ['GBP', 'usd'] },
      },
    );

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.routes).toHaveLength(2);
    expect(res.body.canTransfer).toEqual({ GBP: true, USD: false });
  });

  it('refuses an empty or malformed currency list', async () => {
    // Act
    const empty = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/verification-check`,
      {
        as: customer.customerId,
        body: { sourceCurrencies: [] },
      },
    );
    const malformed = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/verification-check`,
      {
        as: customer.customerId,
        body: { sourceCurrencies: ['POUNDS'] },
      },
    );

    // Assess
    expect(empty.status).toBe(400);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe('sourceCurrencies.0');
  });

  it("still works after Wise revoked the user's tokens: new tokens are minted from the registration code", async () => {
    // Prepare
    const fresh = await createCustomer('revoked');
    await t.sim_('POST', `/_sim/users/${fresh.wiseUserId}/revoke-tokens`);

    // Act
    const res = await t.call(
      'POST',
      `${profilePath(fresh.customerId, fresh.personalId)}/verification-check`,
      {
        as: fresh.customerId,
        body: { sourceCurrencies: ['EUR'] },
      },
    );

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.canTransfer).toEqual({ EUR: true });
    const live = (await simState(t)).tokens.filter(
      (k) => k.kind === 'user' && k.userId === fresh.wiseUserId && !k.revoked,
    );
    expect(live).toHaveLength(1);
    const account = await t.call('GET', accountPath(fresh.customerId), { as: fresh.customerId });
    expect(account.body.status).toBe('ACTIVE');
  });
});

describe('route 6: identity documents', () => {
  it('passes a Brazilian CPF to Wise (201)', async () => {
    // Act
    const res = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/identity-documents`,
      {
        as: partner,
        body: { type: 'CPF_CNPJ', uniqueIdentifier: '938.936.652-69' },
      },
    );

    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ profileId: customer.personalId, type: 'CPF_CNPJ', success: true });
  });

  it("answers 422 DOCUMENT_REJECTED with Wise's reason when Wise refuses the document", async () => {
    // Act
    const res = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/identity-documents`,
      {
        as: partner,
        body: { type: 'CPF_CNPJ', uniqueIdentifier: '123.456.789-09' },
      },
    );

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DOCUMENT_REJECTED');
    expect(res.body.detail).toContain('NAME_MISMATCH');
    expect(res.text).not.toContain('123.456.789-09');
  });

  it('refuses a malformed SSN before calling Wise', async () => {
    // Act
    const res = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/identity-documents`,
      {
        as: partner,
        body: { type: 'SSN', uniqueIdentifier: '12-34' },
      },
    );

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'uniqueIdentifier' })]);
  });
});

describe('route 7: claim-account link', () => {
  it("answers Wise's authorize URL with a claim code that lives five minutes", async () => {
    // Act
    const res = await t.call('POST', `${accountPath(customer.customerId)}/claim`, {
      as: customer.customerId,
    });

    // Assess
    expect(res.status).toBe(201);
    const url = new URL(res.body.claimUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${t.sim.url}/oauth/authorize/`);
    expect(url.searchParams.get('client_id')).toBe('local-partner');
    expect(url.searchParams.get('redirect_uri')).toBe(t.stack.deps.onboarding.config.oauthCallbackUrl);
    const code = url.searchParams.get('claim_account_code');
    const issued = (await simState(t)).claimAccountCodes.find((c) => c.code === code);
    expect(issued?.userId).toBe(customer.wiseUserId);
    expect(Date.parse(res.body.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
  });

  it('answers 409 CLAIM_NOT_AVAILABLE for an account this service did not create', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('claim-existing');
    await t.sim_('POST', '/_sim/users', {
      email,
      password: 'correct-horse-1',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Act
    const res = await t.call('POST', `${accountPath(customerId)}/claim`, { as: customerId });
    const unknown = await t.call('POST', `${accountPath('nobody')}/claim`, { as: 'nobody' });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CLAIM_NOT_AVAILABLE');
    expect(unknown.status).toBe(404);
  });
});

describe('logs', () => {
  it('never contain a registration code, a token, a claim code or the client secret', async () => {
    // Prepare
    const state = await simState(t);
    const secrets = [
      'local-secret',
      ...state.users.flatMap((u) => (u.registrationCode ? [u.registrationCode] : [])),
      ...state.tokens.flatMap((k) => [k.access_token, ...(k.refresh_token ? [k.refresh_token] : [])]),
      ...state.claimAccountCodes.map((c) => c.code),
    ];

    // Act
    const output = logged.join('');

    // Assess
    expect(output).toContain('"wise call"');
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
