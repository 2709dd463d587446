import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import { accountPath, customerBody, freshCustomer, simState, partner } from './fixtures';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => t?.close());

describe('route 1: create the Wise account', () => {
  it('creates one Wise user and its personal profile, and a repeat answers 200 with the same ids', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('create');

    // Act
    const first = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const repeat = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      customerId,
      status: 'ACTIVE',
      profiles: [{ type: 'PERSONAL', verification: 'unknown' }],
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    const state = await simState(t);
    const users = state.users.filter((u) => u.email === email);
    expect(users).toHaveLength(1);
    expect(users[0]!.id).toBe(first.body.wiseUserId);
    const profiles = state.profiles.filter((p) => p.userId === users[0]!.id);
    expect(profiles).toEqual([
      expect.objectContaining({ id: first.body.profiles[0].id, type: 'PERSONAL', firstName: 'Test' }),
    ]);
    expect(users[0]!.registrationCode!.length).toBeGreaterThanOrEqual(32);
  });

  it('sends Wise lower-case country codes and names truncated to 30 characters', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('normalise');
    const longName = 'Maximiliana-Theodora Alexandrina';

    // Act
    const res = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: customerBody(email, {
        firstName: longName,
        address: { addressFirstLine: '1 Rue', city: 'Paris', countryIso3Code: 'FRA' },
      }),
    });

    // Assess
    expect(res.status).toBe(201);
    const profile = (await simState(t)).profiles.find((p) => p.id === res.body.profiles[0].id);
    expect(profile?.firstName).toBe(longName.slice(0, 30));
    const wise = await t.sim_('GET', '/_sim/state');
    expect(JSON.stringify(wise.body)).not.toContain('"FRA"');
  });

  it('lets the back office act for any customer', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('admin');

    // Act
    const res = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(res.status).toBe(201);
  });

  it("refuses another customer's token with 403 and creates nothing", async () => {
    // Prepare
    const { customerId, email } = freshCustomer('other');

    // Act
    const res = await t.call('POST', accountPath(customerId), {
      as: 'someone-else',
      body: customerBody(email),
    });

    // Assess
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await simState(t)).users.some((u) => u.email === email)).toBe(false);
  });
});

describe('route 1: the email already has a Wise account', () => {
  it('answers 409 EXISTING_WISE_ACCOUNT and records EXISTING_ACCOUNT', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('exists');
    await t.sim_('POST', '/_sim/users', {
      email,
      password: 'correct-horse-1',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });

    // Act
    const res = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const status = await t.call('GET', accountPath(customerId), { as: customerId });

    // Assess
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('EXISTING_WISE_ACCOUNT');
    expect(status.body).toEqual({ customerId, status: 'EXISTING_ACCOUNT', profiles: [] });
    expect((await simState(t)).users.filter((u) => u.email === email)).toHaveLength(1);
  });

  it('asks Wise to email the customer an authorization code when the partner sets sendAuthorizationCodeAsEmail', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('fallback');
    await t.sim_('POST', '/_sim/users', {
      email,
      password: 'correct-horse-1',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    const first = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Act
    const res = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: customerBody(email, { sendAuthorizationCodeAsEmail: true }),
    });

    // Assess
    expect(first.status).toBe(409);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('EXISTING_WISE_ACCOUNT');
    expect((await simState(t)).emailedAuthorizationCodes.filter((e) => e.email === email)).toHaveLength(1);
  });
});

describe('route 1: concurrency and Idempotency-Key', () => {
  it('two concurrent calls for one customer make one Wise user; each answers the outcome or 409 IN_PROGRESS', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('race');

    // Act
    const answers = await Promise.all([
      t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) }),
      t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) }),
    ]);

    // Assess
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const s of statuses) expect([200, 201, 409]).toContain(s);
    for (const a of answers) if (a.status === 409) expect(a.body.code).toBe('IN_PROGRESS');
    const state = await simState(t);
    const users = state.users.filter((u) => u.email === email);
    expect(users).toHaveLength(1);
    expect(state.profiles.filter((p) => p.userId === users[0]!.id)).toHaveLength(1);
  });

  it('replays the first response for the same key and body, and refuses the key with another body (422)', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('idem');
    const headers = { 'idempotency-key': `key-${customerId}` };

    // Act
    const first = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: customerBody(email),
      headers,
    });
    const replay = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: customerBody(email),
      headers,
    });
    const reused = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: customerBody(email, { lastName: 'Other' }),
      headers,
    });

    // Assess
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('never answers 500 to concurrent duplicates with one key', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('idem-race');
    const headers = { 'idempotency-key': `key-${customerId}` };

    // Act
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email), headers }),
      ),
    );

    // Assess
    for (const a of answers) expect([200, 201, 409]).toContain(a.status);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    expect((await simState(t)).users.filter((u) => u.email === email)).toHaveLength(1);
  });
});

describe('route 2: account status', () => {
  it('answers 404 CUSTOMER_NOT_FOUND for a customer never seen', async () => {
    // Act
    const res = await t.call('GET', accountPath('never-seen'), { as: 'never-seen' });

    // Assess
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CUSTOMER_NOT_FOUND');
  });

  it('serves the stored account without a secret in it', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('status');
    const created = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Act
    const res = await t.call('GET', accountPath(customerId), { as: customerId });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created.body);
    expect(Object.keys(res.body).sort()).toEqual(['customerId', 'profiles', 'status', 'wiseUserId']);
  });
});
