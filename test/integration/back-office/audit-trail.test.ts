import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import {
  accessTokenPath,
  accountPath,
  auditPath,
  backOffice,
  customerBody,
  freshCustomer,
  paymentService,
  signUp,
  wholeTrail,
} from './fixtures';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => t?.close());

const kycReviewsPath = (customerId: string, profileId: number) =>
  `${accountPath(customerId)}/profiles/${profileId}/kyc-reviews`;

describe("route 21: a customer's audit trail", () => {
  it("lists every action of a customer's life, newest first, each with its actor", async () => {
    // Prepare: signup, a token for the payment service, a quote and its KYC review with a hosted link.
    const { customerId, profileId, wiseUserId } = await signUp(t, 'life');
    const token = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    const quote = await t.sim_(
      'POST',
      `/v3/profiles/${profileId}/quotes`,
      { sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 20 },
      { authorization: `Bearer ${token.body.accessToken}` },
    );
    const review = await t.call('POST', kycReviewsPath(customerId, profileId), {
      as: customerId,
      body: {
        trigger: { type: 'QUOTE', id: quote.body.id },
        redirectUrl: `http://localhost:${t.stack.gateway.port}/app/kyc`,
      },
    });
    expect(review.status, review.text).toBe(201);
    // Wise keeps a new review NEW for a few seconds (the simulator: 3 s), then route 15 gives its hosted link.
    await t.sim.advance(3000);
    const hosted = await t.call('POST', `${kycReviewsPath(customerId, profileId)}/${review.body.id}/link`, {
      as: customerId,
    });
    expect(hosted.status, hosted.text).toBe(200);
    // The customer disconnects: the Wise access is gone, and route 20 says so.
    const disconnected = await t.call('DELETE', `/v1/customers/${customerId}/wise-link`, { as: customerId });
    expect(disconnected.status, disconnected.text).toBe(204);
    const refused = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    expect(refused.status).toBe(409);

    // Act
    const trail = await wholeTrail(t, customerId);

    // Assess
    const oldestFirst = [...trail].reverse();
    expect(oldestFirst.map((e) => e.action)).toEqual([
      'customer.signup_started',
      'customer.signed_up',
      'identity.changed',
      'access_token.issued',
      'kyc_link.issued',
      'link.disconnected',
    ]);
    expect(oldestFirst[0]).toMatchObject({
      actor: { kind: 'partner', subject: 'partner-back-office' },
      details: { previousStatus: 'NONE', status: 'CREATING' },
    });
    expect(oldestFirst[1]).toMatchObject({ details: { status: 'ACTIVE', profileId, wiseUserId } });
    expect(oldestFirst[2]).toMatchObject({ actor: { kind: 'partner' }, details: { dateOfBirth: true } });
    expect(oldestFirst[3]).toMatchObject({
      actor: { kind: 'wise-access', subject: 'payment-service' },
      details: { profileId },
    });
    expect(oldestFirst[4]).toMatchObject({
      actor: { kind: 'customer', subject: customerId },
      details: { profileId, reviewId: review.body.id, expiresAt: hosted.body.expiresAt },
    });
    expect(oldestFirst[5]).toMatchObject({ actor: { kind: 'customer', subject: customerId } });
    expect(refused.body.code).toMatch(/^(ACCOUNT_NOT_READY|RELINK_REQUIRED)$/);
    const instants = trail.map((e) => Date.parse(e.at));
    expect([...instants].sort((a, b) => b - a)).toEqual(instants);
    expect(new Set(trail.map((e) => e.id)).size).toBe(trail.length);
    // Ids, statuses and expiries only: no token, no link, no email, no name.
    const text = JSON.stringify(trail);
    expect(text).not.toContain(token.body.accessToken);
    expect(text).not.toContain(hosted.body.url);
    expect(text).not.toMatch(/@example\.com|Test User|2000-01-01/);
  });

  it('records EXISTING_ACCOUNT as a status change when Wise already knows the email', async () => {
    // Prepare
    const first = await signUp(t, 'taken');
    const { customerId } = freshCustomer('second');

    // Act
    const res = await t.call('POST', accountPath(customerId), {
      as: backOffice,
      body: customerBody(first.email),
    });

    // Assess
    expect(res.status).toBe(409);
    const oldestFirst = (await wholeTrail(t, customerId)).reverse();
    // The date of birth becomes the identity on record also when Wise answers 409 (linking compares with it).
    expect(oldestFirst.map((e) => e.action)).toEqual([
      'customer.signup_started',
      'status.changed',
      'identity.changed',
    ]);
    expect(oldestFirst[1]!.details).toEqual({
      previousStatus: 'CREATING',
      status: 'EXISTING_ACCOUNT',
      reason: 'EXISTING_WISE_ACCOUNT',
    });
  });

  it('pages with an opaque cursor: small pages add up to the whole trail, without gaps or repeats', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'pages');
    for (let i = 0; i < 5; i++)
      await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });

    // Act
    const whole = await wholeTrail(t, customerId, 100);
    const paged = await wholeTrail(t, customerId, 2);

    // Assess
    expect(whole.filter((e) => e.action === 'access_token.issued')).toHaveLength(5);
    expect(whole.length).toBeGreaterThan(5);
    expect(paged).toEqual(whole);
  });

  it('answers 400 naming `cursor` for an edited cursor, another customer’s and another query’s', async () => {
    // Prepare
    const a = await signUp(t, 'cursor-a');
    const b = await signUp(t, 'cursor-b');
    const page = await t.call('GET', auditPath(a.customerId, '?limit=1'), { as: backOffice });
    const cursor = page.body.nextCursor as string;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const edited = Buffer.from(
      JSON.stringify({ ...decoded, p: decoded.p.replace(/.$/, decoded.p.endsWith('0') ? '1' : '0') }),
    ).toString('base64url');
    const list = await t.call('GET', '/v1/customers?status=ACTIVE&limit=1', { as: backOffice });

    // Act
    const answers = [
      await t.call('GET', auditPath(a.customerId, `?cursor=${edited}`), { as: backOffice }),
      await t.call('GET', auditPath(b.customerId, `?cursor=${cursor}`), { as: backOffice }),
      await t.call('GET', auditPath(a.customerId, `?cursor=${list.body.nextCursor}`), { as: backOffice }),
      await t.call('GET', auditPath(a.customerId, '?cursor=not-a-cursor'), { as: backOffice }),
    ];

    // Assess
    expect(list.body.nextCursor).toEqual(expect.any(String));
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
      expect(res.text).not.toContain('items');
    }
  });

  it('answers 400 naming `limit` outside 1..100', async () => {
    // Prepare
    const { customerId } = await signUp(t, 'limit');

    // Act
    const answers = await Promise.all(
      ['0', '101', 'ten', '1.5'].map((limit) =>
        t.call('GET', auditPath(customerId, `?limit=${limit}`), { as: backOffice }),
      ),
    );

    // Assess
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'limit' })]);
    }
  });

  it('is for the partner backend only: the customer itself and the payment service get 403', async () => {
    // Prepare
    const { customerId } = await signUp(t, 'own-trail');

    // Act
    const asCustomer = await t.call('GET', auditPath(customerId), { as: customerId });
    const asPayments = await t.call('GET', auditPath(customerId), { as: paymentService });

    // Assess
    expect([asCustomer.status, asPayments.status]).toEqual([403, 403]);
    expect(asCustomer.body.code).toBe('FORBIDDEN');
  });
});
