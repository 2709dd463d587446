import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import { accountPath, customerBody, freshCustomer, simState, partner } from './fixtures';

/**
 * Wise failing at each step of route 1 (simulator faults answer before Wise does anything):
 * the call answers 503 WISE_UNAVAILABLE, the step reached is kept, and the retry finishes with
 * exactly one Wise user and one personal profile.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterEach(async () => {
  await t.sim_('DELETE', '/_sim/faults');
});
afterAll(async () => t?.close());

const failWise = (path: string, status = 503) =>
  t.sim_('POST', '/_sim/faults', { method: 'POST', path, status, times: 20 });

const expectOneUserAndProfile = async (
  email: string,
  body: { wiseUserId: number; profiles: { id: number }[] },
) => {
  const state = await simState(t);
  const users = state.users.filter((u) => u.email === email);
  expect(users).toHaveLength(1);
  expect(users[0]!.id).toBe(body.wiseUserId);
  const profiles = state.profiles.filter((p) => p.userId === users[0]!.id);
  expect(profiles.map((p) => p.id)).toEqual([body.profiles[0]!.id]);
};

describe('route 1 resumes after a Wise outage', () => {
  it('at signup: nothing at Wise yet, the retry creates the user once', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('fault-signup');
    await failWise('/v1/user/signup/registration_code');

    // Act
    const failed = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const during = await t.call('GET', accountPath(customerId), { as: customerId });
    await t.sim_('DELETE', '/_sim/faults');
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(failed.status).toBe(503);
    expect(failed.body.code).toBe('WISE_UNAVAILABLE');
    expect(Number(failed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(during.body.status).toBe('CREATING');
    expect(retried.status).toBe(201);
    await expectOneUserAndProfile(email, retried.body);
  });

  it('at the registration-code grant: the user exists, the retry does not sign up again', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('fault-grant');
    await t.call('POST', accountPath('warm-up'), { as: partner, body: customerBody('warm-up@example.com') });
    await failWise('/oauth/token');

    // Act
    const failed = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const usersDuring = (await simState(t)).users.filter((u) => u.email === email);
    await t.sim_('DELETE', '/_sim/faults');
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(failed.status).toBe(503);
    expect(usersDuring).toHaveLength(1);
    expect(retried.status).toBe(201);
    await expectOneUserAndProfile(email, retried.body);
  });

  it('at the personal profile: the retry creates the profile once', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('fault-profile');
    await failWise('/v2/profiles/personal-profile', 500);

    // Act
    const failed = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const during = await t.call('GET', accountPath(customerId), { as: customerId });
    await t.sim_('DELETE', '/_sim/faults');
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(failed.status).toBe(503);
    expect(during.body).toMatchObject({ status: 'CREATING', profiles: [] });
    expect(during.body.wiseUserId).toBe(retried.body.wiseUserId);
    expect(retried.status).toBe(201);
    await expectOneUserAndProfile(email, retried.body);
  });

  it('adopts a personal profile that exists without our idempotence key (Wise answers 409)', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('adopt');
    await failWise('/v2/profiles/personal-profile');
    await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    await t.sim_('DELETE', '/_sim/faults');
    const state = await simState(t);
    const user = state.users.find((u) => u.email === email)!;
    const token = state.tokens.find(
      (k) => k.kind === 'user' && k.userId === user.id && !k.revoked,
    )!.access_token;
    const made = await t.sim_(
      'POST',
      '/v2/profiles/personal-profile',
      {
        firstName: 'Test',
        lastName: 'User',
        dateOfBirth: '2000-01-01',
        address: { addressFirstLine: '1 Test Street', city: 'London', countryIso3Code: 'gbr' },
        contactDetails: { email, phoneNumber: '+442079460000' },
      },
      { authorization: `Bearer ${token}` },
    );

    // Act
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(made.status).toBe(200);
    expect(retried.status).toBe(201);
    expect(retried.body.profiles).toEqual([expect.objectContaining({ id: made.body.id, type: 'PERSONAL' })]);
    await expectOneUserAndProfile(email, retried.body);
  });
});
