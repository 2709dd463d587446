import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE } from '../../../shared/routes';
import { startTestStack, untilWiseHoldsARequest, type TestStack } from '../../support/stack';
import { accountPath, businessBody, customerBody, freshCustomer, profilePath } from '../onboarding/fixtures';

/**
 * Issue 18, "plain PII at rest": what an Idempotency-Key record holds, read straight from the table
 * as anyone with table read access could. Before the fix, the request hash was a bare SHA-256 of the
 * route, path and body (route 6's 9-digit SSN falls to a brute force from one table read), route 3's
 * whole Wise profile was kept in plain text, and a 409 IN_PROGRESS was kept and replayed for 24 h.
 */
let t: TestStack;
const partner = { scope: ADMIN_SCOPE };
const terms = () => new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => {
  await t?.close();
});

/** Every Idempotency-Key record of a customer, as stored. */
const recordsOf = async (customerId: string) => {
  const table = t.stack.deps.onboarding.table;
  const out = await table.db.send(
    new ScanCommand({
      TableName: table.name,
      ConsistentRead: true,
      FilterExpression: 'begins_with(pk, :p)',
      ExpressionAttributeValues: { ':p': `IDEMPOTENCY#${customerId}#` },
    }),
  );
  return out.Items ?? [];
};

/** The request hash as it was made before the fix (shared/http/idempotency.ts, IdempotencyRecords.hash). */
const bareHash = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url');

const signup = async (label: string) => {
  const { customerId, email } = freshCustomer(label);
  const res = await t.call('POST', accountPath(customerId), {
    as: partner,
    body: { ...customerBody(email), acceptedTermsAt: terms() },
  });
  expect(res.status, res.text).toBe(201);
  return { customerId, email, profileId: res.body.profiles[0].id as number };
};

describe('Idempotency-Key records at rest', () => {
  it("keeps no hash of route 6's body that a table read can brute-force (the SSN), and no key in clear", async () => {
    // Prepare
    const { customerId, profileId } = await signup('at-rest-ssn');
    const ssn = '123456789';
    const body = { type: 'SSN', uniqueIdentifier: ssn };
    const path = `${profilePath(customerId, profileId)}/identity-documents`;
    const idempotencyKey = `ssn-${customerId}`;

    // Act
    const first = await t.call('POST', path, {
      as: partner,
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });
    const replay = await t.call('POST', path, {
      as: partner,
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });

    // Assess: the replay still works.
    expect(first.status, first.text).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const records = await recordsOf(customerId);
    expect(records).toHaveLength(1);
    const stored = JSON.stringify(records[0]);
    expect(stored).not.toContain(ssn);
    expect(stored).not.toContain(idempotencyKey);
    expect(stored).not.toContain(bareHash([idempotencyKey]));
    // What an attacker with the table would try: every SSN near the true one, hashed as the code did.
    const routeKey = 'POST /v1/customers/{customerId}/wise-account/profiles/{profileId}/identity-documents';
    const found: string[] = [];
    for (let n = 123_455_000; n <= 123_457_000; n++) {
      const candidate = JSON.stringify({ ...body, uniqueIdentifier: String(n).padStart(9, '0') });
      const guesses = [
        bareHash([routeKey, path, candidate]),
        bareHash([candidate]),
        createHash('sha256').update(candidate).digest('hex'),
      ];
      if (guesses.some((g) => stored.includes(g))) found.push(String(n));
    }
    expect(found).toEqual([]);
  });

  it("keeps route 3's Wise profile only sealed, and replays it whole", async () => {
    // Prepare
    const { customerId } = await signup('at-rest-profile');
    const body = businessBody({
      businessName: `Sealed Answers ${customerId.slice(-8)} Ltd`,
      registrationNumber: '98765432',
      address: {
        addressFirstLine: '77 Unlikely Lane',
        city: 'Leeds',
        countryIso3Code: 'gbr',
        postCode: 'LS1 4AP',
      },
    });
    const path = `${accountPath(customerId)}/business-profiles`;
    const headers = { 'idempotency-key': `profile-${customerId}` };

    // Act
    const first = await t.call('POST', path, { as: partner, body, headers });
    const replay = await t.call('POST', path, { as: partner, body, headers });

    // Assess
    expect(first.status, first.text).toBe(201);
    expect(first.body.profile.businessName).toBe(body.businessName);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const stored = JSON.stringify(await recordsOf(customerId));
    for (const personal of [
      body.businessName,
      '98765432',
      '77 Unlikely Lane',
      'LS1 4AP',
      'test-consulting.example.com',
    ]) {
      expect(stored).not.toContain(personal);
    }
    expect(stored).not.toContain(String(first.body.profile.id));
  });

  it('never stores a 409 IN_PROGRESS: the same key, once the signup it waited for is done, gets the account', async () => {
    // Prepare: a signup without a key holds the customer while Wise is slow.
    const { customerId, email } = freshCustomer('at-rest-in-progress');
    const body = { ...customerBody(email), acceptedTermsAt: terms() };
    const headers = { 'idempotency-key': `in-progress-${customerId}` };
    await t.sim_('POST', '/_sim/faults', {
      method: 'POST',
      path: '/v1/user/signup/registration_code',
      delayMs: 6_500,
      times: 1,
    });
    const holder = t.call('POST', accountPath(customerId), { as: partner, body });
    await untilWiseHoldsARequest(t);

    // Act
    const waiting = await t.call('POST', accountPath(customerId), { as: partner, body, headers });
    const held = await holder;
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body, headers });

    // Assess
    expect(waiting.status, waiting.text).toBe(409);
    expect(waiting.body.code).toBe('IN_PROGRESS');
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(held.status, held.text).toBe(201);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toEqual(held.body);
    await t.sim_('DELETE', '/_sim/faults');
  }, 30_000);

  it('stores a refusal (4xx) and replays it', async () => {
    // Prepare: a profile the customer does not hold.
    const { customerId } = await signup('at-rest-refusal');
    const path = `${profilePath(customerId, 987654321)}/verification-check`;
    const headers = { 'idempotency-key': `refusal-${customerId}` };
    const body = { sourceCurrencies: ['GBP'] };

    // Act
    const first = await t.call('POST', path, { as: partner, body, headers });
    const replay = await t.call('POST', path, { as: partner, body, headers });
    const reused = await t.call('POST', path, { as: partner, body: { sourceCurrencies: ['EUR'] }, headers });

    // Assess
    expect(first.status, first.text).toBe(404);
    expect(replay.status).toBe(404);
    expect(replay.headers.get('content-type')).toContain('application/problem+json');
    expect(replay.body).toEqual(first.body);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(JSON.stringify(await recordsOf(customerId))).not.toContain('PROFILE_NOT_FOUND');
  });
});
