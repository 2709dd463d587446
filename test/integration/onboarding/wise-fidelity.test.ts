import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import {
  accountPath,
  businessBody,
  customerBody,
  freshCustomer,
  partner,
  profilePath,
  simState,
} from './fixtures';

/**
 * Routes 1, 3, 4 and 6 against a simulator that answers as Wise documents (issue 19): the
 * product's answers where it used to trust a more lenient simulator.
 */
let t: TestStack;

const signUp = async (prefix: string, overrides: Record<string, unknown> = {}) => {
  const { customerId, email } = freshCustomer(prefix);
  const res = await t.call('POST', accountPath(customerId), {
    as: partner,
    body: customerBody(email, overrides),
  });
  return { customerId, email, res };
};

beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => {
  await t?.close();
});

describe("route 1: Wise's Terms and Conditions (item 17)", () => {
  it('keeps acceptedTermsAt with the account and in the audit trail', async () => {
    // Act
    const { customerId, res } = await signUp('terms', { acceptedTermsAt: '2026-01-01T01:00:00+01:00' });

    // Assess
    expect(res.status).toBe(201);
    const stored = await t.stack.deps.onboarding.accounts.get(customerId);
    expect(stored?.acceptedTermsAt).toBe('2026-01-01T00:00:00.000Z');
    const audit = await t.call('GET', `/v1/customers/${customerId}/audit-events`, { as: partner });
    const started = (audit.body.items as { action: string; details?: Record<string, unknown> }[]).find(
      (e) => e.action === 'customer.signup_started',
    );
    expect(started?.details).toMatchObject({ acceptedTermsAt: '2026-01-01T00:00:00.000Z' });
  });

  it('refuses a signup without acceptedTermsAt, or with one in the future, before Wise hears of it', async () => {
    // Prepare
    const before = (await simState(t)).users.length;

    // Act
    const missing = await signUp('no-terms', { acceptedTermsAt: undefined });
    const future = await signUp('future-terms', {
      acceptedTermsAt: new Date(t.clock.now() + 10 * 60_000).toISOString(),
    });
    const zoneless = await signUp('zoneless-terms', { acceptedTermsAt: '2026-01-01T00:00:00' });

    // Assess
    for (const { res } of [missing, future, zoneless]) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['acceptedTermsAt']);
    }
    expect((await simState(t)).users.length).toBe(before);
  });
});

describe('occupations where Wise requires them (item 10)', () => {
  it('requires them for Arizona (the guide) and Israel (the OpenAPI), not for California', async () => {
    // Prepare
    const at = (countryIso3Code: string, stateCode?: string) => ({
      address: { addressFirstLine: '1 St', city: 'X', countryIso3Code, ...(stateCode ? { stateCode } : {}) },
    });

    // Act
    const arizona = await signUp('az', at('USA', 'AZ'));
    const israel = await signUp('il', at('ISR'));
    const california = await signUp('ca', at('USA', 'CA'));

    // Assess
    for (const { res } of [arizona, israel]) {
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('occupations');
    }
    expect(california.res.status).toBe(201);
  });
});

describe('routes 3, 4 and 6 as Wise answers them', () => {
  let customer: { customerId: string; email: string; personalId: number };
  beforeAll(async () => {
    const { customerId, email, res } = await signUp('fidelity');
    customer = { customerId, email, personalId: res.body.profiles[0].id };
  });

  it('route 3: recovers the business profile Wise already holds when Wise answers 409 (item 9)', async () => {
    // Prepare: the partner's retry carries other details, so another idempotence uuid: Wise says 409
    const path = `${accountPath(customer.customerId)}/business-profiles`;
    const first = await t.call('POST', path, { as: partner, body: businessBody() });

    // Act
    const again = await t.call('POST', path, {
      as: partner,
      body: businessBody({ webpage: 'https://test-consulting.example.com/about' }),
    });

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.profile.id).toBe(first.body.profile.id);
    const account = await t.call('GET', accountPath(customer.customerId), { as: customer.customerId });
    expect(account.body.profiles.filter((p: { type: string }) => p.type === 'BUSINESS')).toHaveLength(1);
  });

  it('route 4: answers the updated profile though Wise answers its update with no body (item 7)', async () => {
    // Act
    const res = await t.call('PUT', profilePath(customer.customerId, customer.personalId), {
      as: partner,
      body: customerBody(customer.email, { lastName: 'Readback' }),
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({
      id: customer.personalId,
      type: 'PERSONAL',
      lastName: 'Readback',
    });
  });

  it("route 6: Wise's 200 with success false is 422 DOCUMENT_REJECTED with the reason (item 6)", async () => {
    // Act
    const res = await t.call(
      'POST',
      `${profilePath(customer.customerId, customer.personalId)}/identity-documents`,
      {
        as: partner,
        body: { type: 'CPF_CNPJ', uniqueIdentifier: '238.936.652-69' },
      },
    );

    // Assess
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: 'DOCUMENT_REJECTED',
      detail: 'Wise did not accept the document: DOB_MISMATCH.',
    });
  });
});
