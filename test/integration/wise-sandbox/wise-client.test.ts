import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { createSimClock } from '../../../local/wise-sandbox';
import { StaticCredentials } from '../../../shared/adapters/secrets-manager-credentials';
import { WiseClient } from '../../../shared/wise/client';
import { WiseApiError, WiseContractError, WiseDocumentRejectedError } from '../../../shared/wise/errors';
import { matchingBusinessProfile } from '../../../shared/wise/profile-recovery';
import { classifyTokenRefusal } from '../../../shared/wise/token-refusal';
import { WiseTransport, type FetchLike } from '../../../shared/wise/transport';
import { businessBody, CLIENT_ID, CLIENT_SECRET, personalBody, start } from './helpers';

/**
 * The product's Wise client and transport (shared/wise) against the simulator, where the
 * simulator now answers as Wise documents: what the product sends and how it reads the answers.
 */

interface Harness {
  wise: WiseClient;
  logs: Record<string, unknown>[];
  sent: { url: string; headers: Record<string, string>; body: RequestInit['body'] }[];
}

const clientFor = (sim: WiseSandbox, correlationId?: () => string | undefined): Harness => {
  const logs: Harness['logs'] = [];
  const sent: Harness['sent'] = [];
  const recordingFetch: FetchLike = (url, init) => {
    sent.push({ url, headers: init.headers as Record<string, string>, body: init.body });
    return fetch(url, init);
  };
  const transport = new WiseTransport({
    baseUrl: sim.url,
    fetch: recordingFetch,
    correlationId,
    logger: { info: (_msg: string, fields: Record<string, unknown>) => logs.push(fields) } as never,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5000 },
  });
  const credentials = new StaticCredentials({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientKey: CLIENT_ID,
  });
  return { wise: new WiseClient(transport, credentials), logs, sent };
};

/** A partner-created user with a personal profile, through the product's client. */
const newCustomer = async (h: Harness) => {
  const cc = (await h.wise.clientCredentialsToken()).access_token;
  const email = `c-${randomUUID()}@example.com`;
  const registrationCode = randomUUID();
  await h.wise.signupWithRegistrationCode(cc, { email, registrationCode });
  const tokens = await h.wise.registrationCodeToken(email, registrationCode);
  const profile = await h.wise.createPersonalProfile(tokens.access_token, personalBody(), randomUUID());
  return { email, registrationCode, tokens, profileId: profile.id };
};

describe('shared/wise against the simulator', () => {
  let sim: WiseSandbox;
  const clock = createSimClock(Date.parse('2026-06-01T09:00:00Z'));
  beforeAll(async () => {
    sim = await start({ clock, clientTokenLength: 8192 });
  });
  afterAll(() => sim.close());

  it('item 14: every call carries the request correlation id; Wise’s echo and x-trace-id are logged', async () => {
    // Prepare
    const id = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    const h = clientFor(sim, () => id);
    // Act
    await newCustomer(h);
    // Assess
    expect(h.sent.map((c) => new URL(c.url).pathname)).toEqual([
      '/oauth/token',
      '/v1/user/signup/registration_code',
      '/oauth/token',
      '/v2/profiles/personal-profile',
    ]);
    expect(h.sent.every((c) => c.headers['X-External-Correlation-Id'] === id)).toBe(true);
    expect(
      h.logs.every((l) => l.wiseCorrelationId === id && /^[0-9a-f]{32}$/.test(String(l.wiseTraceId))),
    ).toBe(true);
  });

  it('item 15: carries an 8 KiB JWT-shaped client token as an opaque value; refuses a longer one', async () => {
    // Prepare
    const h = clientFor(sim);
    const tooLong = new WiseClient(
      new WiseTransport({
        baseUrl: sim.url,
        fetch: async (url, init) => {
          const res = await fetch(url, init);
          const body = (await res.json()) as { access_token: string };
          return new Response(JSON.stringify({ ...body, access_token: `${body.access_token}x` }), {
            status: res.status,
            headers: { 'content-type': 'application/json' },
          });
        },
      }),
      new StaticCredentials({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clientKey: CLIENT_ID }),
    );
    // Act
    const token = (await h.wise.clientCredentialsToken()).access_token;
    const user = await h.wise.signupWithRegistrationCode(token, {
      email: `t-${randomUUID()}@example.com`,
      registrationCode: randomUUID(),
    });
    const refused = await tooLong.clientCredentialsToken().catch((e: unknown) => e);
    // Assess
    expect(token).toHaveLength(8192);
    expect(token.split('.')).toHaveLength(3);
    expect(user.id).toBeGreaterThan(0);
    expect(refused).toBeInstanceOf(WiseContractError);
  });

  it('item 5: submissionData goes as a string field, which Wise binds', async () => {
    // Prepare
    const h = clientFor(sim);
    const c = await newCustomer(h);
    const quote = await fetch(`${sim.url}/v3/profiles/${c.profileId}/quotes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 100 }),
    });
    const review = await h.wise.createKycReview(c.tokens.access_token, c.profileId, {
      type: 'QUOTE',
      triggerData: { id: ((await quote.json()) as { id: string }).id },
    });
    await sim.advance(3000);
    const submissionData = JSON.stringify({
      data: { accountPurpose: 'SENDING_MONEY_TO_FRIENDS_OR_FAMILY' },
      version: 'V1',
      kycReviewId: review.id,
    });
    // Act
    await h.wise.submitKycRequirement(c.tokens.access_token, c.profileId, 'ACCOUNT_PURPOSE', submissionData, [
      { filename: 'doc.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.4') },
    ]);
    const after = await h.wise.getKycReview(c.tokens.access_token, c.profileId, review.id);
    // Assess
    const form = h.sent.at(-2)?.body as FormData;
    expect(typeof form.get('submissionData')).toBe('string');
    expect(form.get('submissionData')).toBe(submissionData);
    expect(after.requirements?.[1]?.[0]).toMatchObject({ key: 'ACCOUNT_PURPOSE', state: 'IN_REVIEW' });
  });

  it('item 6: a 200 with success false is a WiseDocumentRejectedError carrying the reason code', async () => {
    // Prepare
    const h = clientFor(sim);
    const c = await newCustomer(h);
    // Act
    const refused = await h.wise
      .submitVerificationDocument(c.tokens.access_token, c.profileId, {
        type: 'CPF_CNPJ',
        uniqueIdentifier: '238.936.652-69',
      })
      .catch((e: unknown) => e);
    // Assess
    expect(refused).toBeInstanceOf(WiseDocumentRejectedError);
    expect((refused as WiseDocumentRejectedError).reason).toBe('DOB_MISMATCH');
  });

  it('item 7: a profile update answered 200 without a body is read back', async () => {
    // Prepare
    const h = clientFor(sim);
    const c = await newCustomer(h);
    // Act
    const updated = await h.wise.updateProfile(
      c.tokens.access_token,
      c.profileId,
      'personal',
      personalBody({ lastName: 'Readback' }),
    );
    // Assess
    expect(updated).toMatchObject({ id: c.profileId, type: 'PERSONAL', lastName: 'Readback' });
    expect(h.sent.at(-1)?.url).toBe(`${sim.url}/v2/profiles/${c.profileId}`);
  });

  it("item 9: Wise's 409 for a business it already holds is answered with that profile (listed and matched)", async () => {
    // Prepare
    const h = clientFor(sim);
    const c = await newCustomer(h);
    const body = businessBody({ businessName: 'Recovered Ltd', registrationNumber: 'RC 1234' });
    const first = await h.wise.createBusinessProfile(c.tokens.access_token, body, randomUUID());
    // Act: a retry with another idempotence uuid (the first answer was lost, say)
    const again = await h.wise.createBusinessProfile(
      c.tokens.access_token,
      { ...body, webpage: 'https://changed.example' },
      randomUUID(),
    );
    // Another registration number is another business: created, not matched.
    const other = await h.wise.createBusinessProfile(
      c.tokens.access_token,
      businessBody({ businessName: 'Recovered Ltd' }),
      randomUUID(),
    );
    const listed = await h.wise.listProfiles(c.tokens.access_token);
    // Assess
    expect(again.id).toBe(first.id);
    expect(h.sent.map((s) => `${s.url.replace(sim.url, '')}`).slice(-4, -2)).toEqual([
      '/v2/profiles/business-profile',
      '/v2/profiles',
    ]);
    expect(other.id).not.toBe(first.id);
    expect(
      matchingBusinessProfile(listed, { businessName: ' recovered ltd', registrationNumber: 'rc 1234' })?.id,
    ).toBe(first.id);
    expect(
      matchingBusinessProfile(listed, { businessName: 'Other', registrationNumber: 'RC 1234' }),
    ).toBeUndefined();
  });

  it("item 8: the simulator's refusals, as WiseClient throws them, classify as Wise documents them", async () => {
    // Prepare
    const h = clientFor(sim);
    const changed400 = await newCustomer(h);
    const changed403 = await newCustomer(h);
    const users = (await (await fetch(`${sim.url}/_sim/state`)).json()) as {
      users: { id: number; email: string }[];
    };
    const idOf = (email: string) => users.users.find((u) => u.email === email)!.id;
    for (const [c, refusalStatus] of [
      [changed400, 400],
      [changed403, 403],
    ] as const) {
      await fetch(`${sim.url}/_sim/users/${idOf(c.email)}/change-email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `new-${randomUUID()}@example.com`, refusalStatus }),
      });
    }
    const wrongSecret = new WiseClient(
      new WiseTransport({ baseUrl: sim.url }),
      new StaticCredentials({ clientId: CLIENT_ID, clientSecret: 'wrong', clientKey: CLIENT_ID }),
    );
    const fresh = await newCustomer(h);
    // Act
    const refusals = await Promise.all(
      [
        h.wise.refreshToken(changed400.tokens.refresh_token!),
        h.wise.registrationCodeToken(changed400.email, changed400.registrationCode),
        h.wise.refreshToken(changed403.tokens.refresh_token!),
        h.wise.registrationCodeToken(changed403.email, changed403.registrationCode),
        h.wise.registrationCodeToken(fresh.email, 'not-the-code-0000000000000000000000'),
        h.wise.refreshToken('not-a-refresh-token'),
        wrongSecret.refreshToken(fresh.tokens.refresh_token!),
        h.wise.me(changed400.tokens.access_token),
      ].map((p) =>
        p.then(
          () => 'accepted',
          (e: unknown) => e,
        ),
      ),
    );
    // Assess
    expect(refusals.every((e) => e instanceof WiseApiError)).toBe(true);
    expect(refusals.map((e) => [(e as WiseApiError).status, classifyTokenRefusal(e)])).toEqual([
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
      [403, 'invalid_grant'],
      [403, 'invalid_grant'],
      [401, 'invalid_grant'],
      [400, 'invalid_grant'],
      [401, 'invalid_client'],
      [401, 'invalid_token'],
    ]);
  });
});
