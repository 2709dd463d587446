import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import { accessTokenPath, backOffice, paymentService, signUp, wholeTrail } from './fixtures';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => t?.close());

describe('route 20: a Wise access token for the partner’s payment services', () => {
  it('gives a token that creates a quote at Wise, and that quote triggers a QUOTE KYC review', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'pay');

    // Act
    const issued = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    const quote = await t.sim_(
      'POST',
      `/v3/profiles/${profileId}/quotes`,
      { sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 100 },
      { authorization: `Bearer ${issued.body.accessToken}` },
    );
    const review = await t.call(
      'POST',
      `/v1/customers/${customerId}/wise-account/profiles/${profileId}/kyc-reviews`,
      {
        as: backOffice,
        body: {
          trigger: { type: 'QUOTE', id: quote.body.id },
          redirectUrl: `http://localhost:${t.stack.gateway.port}/app/kyc-done`,
        },
      },
    );

    // Assess
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(issued.body).sort()).toEqual(['accessToken', 'expiresAt', 'profileId', 'tokenType']);
    expect(issued.body).toMatchObject({ tokenType: 'bearer', profileId });
    expect(Date.parse(issued.body.expiresAt)).toBeGreaterThanOrEqual(t.clock.now() + 5 * 60_000);
    expect(issued.text).not.toMatch(/refresh/i);
    expect(quote.status).toBe(200);
    expect(review.status, review.text).toBe(201);
    expect(review.body.id).toEqual(expect.any(String));
  });

  it('refreshes a token with less than five minutes left before answering it', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'refresh');
    const first = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    t.clock.advance(Date.parse(first.body.expiresAt) - t.clock.now() - 2 * 60_000);

    // Act
    const second = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });

    // Assess
    expect(second.status).toBe(200);
    expect(second.body.accessToken).not.toBe(first.body.accessToken);
    expect(Date.parse(second.body.expiresAt)).toBeGreaterThanOrEqual(t.clock.now() + 5 * 60_000);
    const quote = await t.sim_(
      'POST',
      `/v3/profiles/${profileId}/quotes`,
      { sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 5 },
      { authorization: `Bearer ${second.body.accessToken}` },
    );
    expect(quote.status).toBe(200);
  });

  it('refuses the customer and the partner backend with 403, before reading anything', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'refuse');

    // Act
    const asCustomer = await t.call('POST', accessTokenPath(customerId, profileId), { as: customerId });
    const asPartner = await t.call('POST', accessTokenPath(customerId, profileId), { as: backOffice });
    const unknownAsCustomer = await t.call('POST', accessTokenPath('nobody-here', 1), { as: 'nobody-here' });

    // Assess
    for (const res of [asCustomer, asPartner, unknownAsCustomer]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(res.text).not.toContain('accessToken');
    }
    expect((await wholeTrail(t, customerId)).map((e) => e.action)).not.toContain('access_token.issued');
  });

  it('answers 404 for an unknown customer and for a profile that is not the customer’s', async () => {
    // Prepare
    const one = await signUp(t, 'own');
    const other = await signUp(t, 'other');

    // Act
    const unknown = await t.call('POST', accessTokenPath('never-seen-customer', one.profileId), {
      as: paymentService,
    });
    const notTheirs = await t.call('POST', accessTokenPath(one.customerId, other.profileId), {
      as: paymentService,
    });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('CUSTOMER_NOT_FOUND');
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.body.code).toBe('PROFILE_NOT_FOUND');
  });

  it('records each token issued on the audit trail, with the caller and the profile and no token', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'audited');

    // Act
    const issued = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });

    // Assess
    const trail = await wholeTrail(t, customerId);
    const event = trail.find((e) => e.action === 'access_token.issued');
    expect(event).toMatchObject({
      actor: { kind: 'wise-access', subject: 'payment-service' },
      details: { profileId, expiresAt: issued.body.expiresAt },
    });
    expect(JSON.stringify(trail)).not.toContain(issued.body.accessToken);
  });

  it('answers 503 and no token when the audit event cannot be written', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'no-audit');
    const audit = t.stack.deps.onboarding.audit;
    const record = audit.record;
    audit.record = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };

    // Act
    let res;
    try {
      res = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    } finally {
      audit.record = record;
    }

    // Assess
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('STORE_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.text).not.toContain('accessToken');
    const state = (await t.sim_('GET', '/_sim/state')).body as { tokens: { access_token: string }[] };
    for (const token of state.tokens) expect(res.text).not.toContain(token.access_token);
  });
});
