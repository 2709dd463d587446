import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { createSimClock } from '../../../local/wise-sandbox';
import { knownCountryCount } from '../../../local/wise-sandbox/countries';
import {
  CLIENT_ID,
  REDIRECT_URI,
  businessBody,
  call,
  clientToken,
  createPersonalProfile,
  personalBody,
  signUpUser,
  simStateOf,
  start,
  subscribeApplication,
  tokenRequest,
  WebhookReceiver,
  type SignedUpUser,
} from './helpers';
import { kycReview, simulationError, springError, validationErrors, webhookEnvelope } from './schemas/wise';

/**
 * Where the simulator follows Wise's documents more strictly than before (issue 19). Each test
 * names the document it follows; the values are Wise's own where Wise gives them.
 */

const json = { 'content-type': 'application/json' };

describe('kyc-reviews#state-change per schema version (item 4)', () => {
  let wise: WiseSandbox;
  let u: SignedUpUser;
  let profileId: number;
  const v5 = new WebhookReceiver();
  const v2 = new WebhookReceiver();
  const clock = createSimClock(Date.parse('2026-09-03T16:22:02Z'));

  beforeAll(async () => {
    wise = await start({ clock });
    await v5.start();
    await v2.start();
    const cc = await clientToken(wise);
    await subscribeApplication(wise, v5.url, 'kyc-reviews#state-change', cc, '5.0.0');
    await subscribeApplication(wise, v2.url, 'kyc-reviews#state-change', cc, '2.0.0');
    u = await signUpUser(wise);
    profileId = await createPersonalProfile(wise, u.accessToken);
  });
  afterAll(async () => {
    await wise.close();
    await v5.close();
    await v2.close();
  });

  const resources = (r: WebhookReceiver) =>
    r.bodies().map((b) => b.data.resource as Record<string, unknown> & { requirementChanges?: unknown[] });

  it('5.0.0 hears every requirement change (prevState, requirementChanges); 2.0.0 only state changes', async () => {
    // Prepare
    const created = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'PROACTIVE_SEND_MONEY',
    });
    const review = kycReview.parse(await created.json());
    const base = `/v2/simulation/profiles/${profileId}/kyc-reviews/${review.id}`;
    // Act: NEW → WAITING_CUSTOMER_INPUT, a requirement alone, then the review verified
    await wise.advance(3000);
    await call(wise, 'POST', `${base}/requirements/submit`, u.accessToken, {
      requirement: 'ID_DOCUMENT_WITH_LIVENESS',
    });
    await call(wise, 'POST', `${base}/verify`, u.accessToken, { requestedAction: 'APPROVE' });
    await v5.waitFor(3);
    await v2.waitFor(2);
    // Assess
    expect(v5.bodies().every((b) => webhookEnvelope.parse(b).schema_version === '5.0.0')).toBe(true);
    expect(v5.bodies().every((b) => /\.\d{3}Z$/.test((b as unknown as { sent_at: string }).sent_at))).toBe(
      true,
    );
    expect(resources(v5).map((r) => [r.prevState, r.state])).toEqual([
      ['NEW', 'WAITING_CUSTOMER_INPUT'],
      ['WAITING_CUSTOMER_INPUT', 'WAITING_CUSTOMER_INPUT'],
      ['WAITING_CUSTOMER_INPUT', 'PASSED'],
    ]);
    expect(resources(v5).map((r) => r.requirementChanges)).toEqual([
      [],
      [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'IN_REVIEW', prevState: 'NOT_PROVIDED' }],
      [
        { key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'VERIFIED', prevState: 'IN_REVIEW' },
        { key: 'ACCOUNT_PURPOSE', state: 'VERIFIED', prevState: 'NOT_PROVIDED' },
      ],
    ]);
    expect(resources(v2).map((r) => r.state)).toEqual(['WAITING_CUSTOMER_INPUT', 'PASSED']);
    expect(resources(v2).every((r) => r.prevState === undefined && r.requirementChanges === undefined)).toBe(
      true,
    );
  });

  it('refuses a schema version not documented for the event type', async () => {
    // Prepare
    const cc = await clientToken(wise);
    const sub = (trigger_on: string, version: string) =>
      call(wise, 'POST', `/v3/applications/${CLIENT_ID}/subscriptions`, cc, {
        name: 'x',
        trigger_on,
        delivery: { version, url: 'https://partner.example/hooks' },
      });
    // Act
    const kyc5 = await sub('kyc-reviews#state-change', '5.0.0');
    const verification5 = await sub('profiles#verification-state-change', '5.0.0');
    const transfers3 = await sub('transfers#state-change', '3.0.0');
    const transfers4 = await sub('transfers#state-change', '4.0.0');
    // Assess
    expect([kyc5.status, verification5.status, transfers3.status, transfers4.status]).toEqual([
      200, 400, 400, 200,
    ]);
    expect(validationErrors.parse(await verification5.json()).errors[0]?.path).toBe('delivery.version');
  });
});

describe('Wise refusals the simulator now shares', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('item 6: a refused identity document is 200 { errorMessage, success: false }, as Wise documents', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken, { dateOfBirth: '2000-01-01' });
    // Act
    const res = await call(wise, 'POST', `/v1/profiles/${id}/verification-documents`, u.accessToken, {
      type: 'CPF_CNPJ',
      uniqueIdentifier: '138.936.652-69',
    });
    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ errorMessage: 'NAME_MISMATCH', success: false });
  });

  it('item 7: PUT /v2/profiles/{id}/personal-profile answers 200 with no body', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    // Act
    const res = await call(
      wise,
      'PUT',
      `/v2/profiles/${id}/personal-profile`,
      u.accessToken,
      personalBody({ lastName: 'Jones' }),
    );
    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('item 9: a second business with the same name and number is 409, whatever X-idempotence-uuid', async () => {
    // Prepare
    const u = await signUpUser(wise);
    await createPersonalProfile(wise, u.accessToken);
    const create = (key: string) =>
      call(wise, 'POST', '/v2/profiles/business-profile', u.accessToken, businessBody(), {
        'X-idempotence-uuid': key,
      });
    // Act
    const first = await create('6f0e4a1c-0000-4000-8000-000000000001');
    const replay = await create('6f0e4a1c-0000-4000-8000-000000000001');
    const other = await create('6f0e4a1c-0000-4000-8000-000000000002');
    // Assess
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(other.status).toBe(409);
    validationErrors.parse(await other.json());
  });

  it('item 10: occupations for the union of Wise documents — CA, IN, JP, ID, IL, MX and the US states AZ, NM', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const at = (countryIso3Code: string, stateCode?: string) =>
      personalBody({
        address: {
          addressFirstLine: '1 St',
          city: 'X',
          countryIso3Code,
          ...(stateCode ? { stateCode } : {}),
        },
        occupations: [],
      });
    const cases: [string, string | undefined, boolean][] = [
      ['can', 'ON', true],
      ['ind', undefined, true],
      ['jpn', undefined, true],
      ['idn', undefined, true],
      ['isr', undefined, true],
      ['mex', undefined, true],
      ['usa', 'AZ', true],
      ['usa', 'NM', true],
      ['usa', 'CA', false],
      ['gbr', undefined, false],
    ];
    // Act
    const answers = await Promise.all(
      cases.map(async ([country, state]) => {
        const res = await call(
          wise,
          'POST',
          '/v2/profiles/personal-profile',
          u.accessToken,
          at(country, state),
        );
        return res.status === 400 ? validationErrors.parse(await res.json()).errors.map((e) => e.path) : [];
      }),
    );
    // Assess
    expect(answers.map((paths) => paths.includes('occupations'))).toEqual(
      cases.map(([, , needed]) => needed),
    );
  });

  it('item 11: every ISO 3166-1 alpha-3 country (249, plus Kosovo) is known, in lower case only', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const countries = ['ala', 'bes', 'cuw', 'sxm', 'ssd', 'umi', 'xkx', 'zwe'];
    // Act
    const ok = await Promise.all(
      countries.map((c) =>
        call(wise, 'POST', '/v2/profiles/business-profile', u.accessToken, {
          ...businessBody({ businessName: `Biz ${c}` }),
          address: { addressFirstLine: '1 St', city: 'X', countryIso3Code: c },
        }),
      ),
    );
    await createPersonalProfile(wise, u.accessToken);
    const after = await Promise.all(
      countries.map((c) =>
        call(wise, 'POST', '/v2/profiles/business-profile', u.accessToken, {
          ...businessBody({ businessName: `Biz ${c}` }),
          address: { addressFirstLine: '1 St', city: 'X', countryIso3Code: c },
        }),
      ),
    );
    // Assess
    expect(knownCountryCount()).toBe(250);
    expect(ok.every((r) => r.status === 400)).toBe(true); // no personal profile yet
    expect(after.map((r) => r.status)).toEqual(countries.map(() => 200));
    const iso2 = await Promise.all(
      after.map(
        async (r) => ((await r.json()) as { address: { countryIso2Code: string } }).address.countryIso2Code,
      ),
    );
    expect(iso2).toEqual(['AX', 'BQ', 'CW', 'SX', 'SS', 'UM', 'XK', 'ZW']);
  });

  it('item 14: X-External-Correlation-Id is echoed; over 36 characters it is refused', async () => {
    // Act
    const ok = await fetch(`${wise.url}/v1/me`, {
      headers: { 'X-External-Correlation-Id': 'f47ac10b-58cc-4372-a567-0e02b2c3d479' },
    });
    const long = await fetch(`${wise.url}/v1/me`, {
      headers: { 'X-External-Correlation-Id': 'x'.repeat(37) },
    });
    // Assess
    expect(ok.headers.get('x-external-correlation-id')).toBe('f47ac10b-58cc-4372-a567-0e02b2c3d479');
    expect(ok.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(long.status).toBe(400);
    expect(validationErrors.parse(await long.json()).errors[0]?.path).toBe('X-External-Correlation-Id');
  });
});

describe('client-credentials tokens in Wise’s JWT format (item 15)', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start({ clientTokenLength: 8192 });
  });
  afterAll(() => wise.close());

  it('issues JWT-shaped tokens of the configured length, accepted whole, refused when altered', async () => {
    // Act
    const res = await tokenRequest(wise, { grant_type: 'client_credentials' });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const used = await call(wise, 'POST', '/v1/users/exists', token, { email: 'a@b.com' });
    const cut = await call(wise, 'POST', '/v1/users/exists', token.slice(0, 255), { email: 'a@b.com' });
    // Assess
    expect(token).toHaveLength(8192);
    expect(token).toMatch(/^eyJhbGciOiJSUzI1NiIsImVuYyI6IkEyNTZHQ00iLCJ0eXAiOiJKV1QifQ\.[\w-]+\.[\w-]+$/);
    expect(used.status).toBe(200);
    expect(cut.status).toBe(401);
  });
});

describe('token refusals (item 8)', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  const changeEmail = (userId: number, refusalStatus?: number) =>
    fetch(`${wise.url}/_sim/users/${userId}/change-email`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: `changed-${userId}@example.com`, refusalStatus }),
    });
  const grants = (u: SignedUpUser) =>
    Promise.all([
      tokenRequest(wise, { grant_type: 'refresh_token', refresh_token: u.refreshToken }),
      tokenRequest(wise, {
        grant_type: 'registration_code',
        client_id: CLIENT_ID,
        email: u.email,
        registration_code: u.registrationCode,
      }),
    ]);

  it('after an email change at Wise every token is revoked and token generation fails with 400 invalid_grant', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const changed = await changeEmail(u.userId);
    const me = await call(wise, 'GET', '/v1/me', u.accessToken);
    const [refresh, registration] = await grants(u);
    // Assess
    expect(changed.status).toBe(200);
    expect(me.status).toBe(401);
    for (const res of [refresh, registration]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid user credentials.',
      });
    }
  });

  it('or, as another of Wise’s guides says, with 403 (a Spring body, no OAuth error)', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    await changeEmail(u.userId, 403);
    const [refresh, registration] = await grants(u);
    // Assess
    for (const res of [refresh, registration]) {
      expect(res.status).toBe(403);
      springError.parse(await res.json());
    }
  });

  it('a reclaimed account refuses the registration code with 401 (API reference) or 400 (guides) invalid_grant', async () => {
    // Prepare
    const guides = await start({ registrationCodeRefusalStatus: 400 });
    const refusal = async (w: WiseSandbox) => {
      const u = await signUpUser(w);
      const claim = await call(w, 'POST', '/v1/user/claim-account', u.accessToken, {
        registrationCode: u.registrationCode,
      });
      const code = ((await claim.json()) as { claimAccountCode: string }).claimAccountCode;
      const page = await fetch(
        `${w.url}/oauth/authorize/?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&claim_account_code=${code}`,
      );
      await page.text();
      await fetch(`${w.url}/oauth/authorize/claim`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: CLIENT_ID,
          redirect_uri: REDIRECT_URI,
          claim_account_code: code,
          password: 'a-long-password',
          confirmPassword: 'a-long-password',
        }).toString(),
      });
      const res = await tokenRequest(w, {
        grant_type: 'registration_code',
        client_id: CLIENT_ID,
        email: u.email,
        registration_code: u.registrationCode,
      });
      return { status: res.status, body: await res.json() };
    };
    // Act
    const reference = await refusal(wise);
    const guide = await refusal(guides);
    await guides.close();
    // Assess
    expect(reference).toEqual({
      status: 401,
      body: { error: 'invalid_grant', error_description: 'Invalid user credentials.' },
    });
    expect(guide).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid user credentials.' },
    });
  });
});

describe('authorize page error redirect and state (item 12)', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
    await fetch(`${wise.url}/_sim/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'deny@example.com', password: 'pw', firstName: 'De', lastName: 'Ny' }),
    });
  });
  afterAll(() => wise.close());

  const deny = async (errorState?: string) => {
    const res = await fetch(`${wise.url}/_sim/oauth/authorize`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        state: 'the-state',
        email: 'deny@example.com',
        password: 'pw',
        decision: 'deny',
        ...(errorState ? { errorState } : {}),
      }),
    });
    return new URL(((await res.json()) as { location: string }).location);
  };

  it('echoes state with the error by default (RFC 6749 §4.1.2.1, as Spring OAuth does); omits it on request', async () => {
    // Act
    const echoed = await deny();
    const omitted = await deny('omit');
    // Assess
    expect(echoed.searchParams.get('error')).toBe('access_denied');
    expect(echoed.searchParams.get('state')).toBe('the-state');
    expect(omitted.searchParams.get('error')).toBe('access_denied');
    expect(omitted.searchParams.has('state')).toBe(false);
    expect(omitted.searchParams.has('code')).toBe(false);
  });
});

describe("Wise's KYC simulation endpoints, as the simulation reference documents them (item 16)", () => {
  let wise: WiseSandbox;
  let u: SignedUpUser;
  let profileId: number;
  const clock = createSimClock(Date.parse('2026-03-01T10:00:00Z'));
  beforeAll(async () => {
    wise = await start({ clock });
    u = await signUpUser(wise);
    profileId = await createPersonalProfile(wise, u.accessToken);
  });
  afterAll(() => wise.close());

  const newReview = async () => {
    const res = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'PROACTIVE_SEND_MONEY',
    });
    return kycReview.parse(await res.json()).id;
  };

  it("a partner's sandbox script: list, submit (ID_DOCUMENT_WITH_LIVENESS), verify → PASSED", async () => {
    // Prepare
    const id = await newReview();
    const base = `/v2/simulation/profiles/${profileId}/kyc-reviews/${id}`;
    // Act
    const listed = await call(wise, 'GET', `${base}/requirements`, u.accessToken);
    const submitted = await call(wise, 'POST', `${base}/requirements/submit`, u.accessToken, {
      requirement: 'ID_DOCUMENT_WITH_LIVENESS',
    });
    const verified = await call(wise, 'POST', `${base}/verify`, u.accessToken, {
      requestedAction: 'APPROVE',
      requirements: ['ID_DOCUMENT_WITH_LIVENESS', 'ACCOUNT_PURPOSE'],
    });
    // Assess
    expect(listed.status).toBe(200);
    expect(submitted.status).toBe(202);
    expect(await submitted.text()).toBe('');
    expect(verified.status).toBe(202);
    expect((await simStateOf(wise)).kycReviews.find((r) => r.id === id)?.status).toBe('PASSED');
  });

  it("refuses what Wise's reference refuses, in its `{code, category, description, details}` shape", async () => {
    // Prepare
    const id = await newReview();
    const base = `/v2/simulation/profiles/${profileId}/kyc-reviews/${id}`;
    // Act
    const notSimulatable = await call(wise, 'POST', `${base}/requirements/submit`, u.accessToken, {
      requirement: 'ACCOUNT_PURPOSE',
    });
    const notOnReview = await call(wise, 'POST', `${base}/requirements/submit`, u.accessToken, {
      requirement: 'SOURCE_OF_FUNDS',
    });
    const badAction = await call(wise, 'POST', `${base}/verify`, u.accessToken, {
      requestedAction: 'APPROVED',
    });
    const personalAdd = await call(wise, 'POST', `${base}/requirements/add`, u.accessToken, {
      requestedAction: 'APPROVE',
      requirement: 'BUSINESS_USE_CASE',
    });
    // Assess
    expect(simulationError.parse(await notSimulatable.json()).code).toBe('invalid-request');
    expect(await notOnReview.json()).toEqual({
      code: 'invalid-request',
      category: 'CLIENT',
      description: 'Invalid request. KycRequirement {SOURCE_OF_FUNDS} was not found for KycReview',
      details: null,
    });
    expect(await badAction.json()).toEqual({
      code: 'kyc_review.state_update_not_allowed',
      category: 'CLIENT',
      description: 'Invalid action passed in request, action: APPROVED',
      details: null,
    });
    expect(await personalAdd.json()).toEqual({
      code: 'invalid-request',
      category: 'CLIENT',
      description: `Profile ${profileId}L is a personal type, not permitted to simulate evidence request`,
      details: null,
    });
    expect([notSimulatable.status, notOnReview.status, badAction.status, personalAdd.status]).toEqual([
      400, 400, 400, 400,
    ]);
  });
});
