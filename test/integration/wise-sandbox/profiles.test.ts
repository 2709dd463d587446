import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import {
  businessBody,
  call,
  clientToken,
  createPersonalProfile,
  personalBody,
  signUpUser,
  start,
} from './helpers';
import {
  addressV1,
  businessProfileV2,
  director,
  personalProfileV2,
  profileV1,
  profileV2,
  quote,
  springError,
  ubo,
  validationErrors,
  verificationStatus,
} from './schemas/wise';

describe('v2 profiles', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('creates a personal profile (200, v2 object with lower-case iso3 and ISO2)', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const res = await call(wise, 'POST', '/v2/profiles/personal-profile', u.accessToken, personalBody());
    // Assess
    expect(res.status).toBe(200);
    const p = personalProfileV2.parse(await res.json());
    expect(p).toMatchObject({
      userId: u.userId,
      firstName: 'Oliver',
      dateOfBirth: '1977-07-01',
      address: { countryIso3Code: 'usa', countryIso2Code: 'US', stateCode: 'AZ' },
    });
  });

  it('the same X-idempotence-uuid returns the same profile; no key and a duplicate: 409', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const key = randomUUID();
    // Act
    const first = await call(wise, 'POST', '/v2/profiles/personal-profile', u.accessToken, personalBody(), {
      'X-idempotence-uuid': key,
    });
    const retry = await call(
      wise,
      'POST',
      '/v2/profiles/personal-profile',
      u.accessToken,
      personalBody({ firstName: 'Changed' }),
      { 'X-idempotence-uuid': key },
    );
    const dup = await call(wise, 'POST', '/v2/profiles/personal-profile', u.accessToken, personalBody());
    // Assess
    const a = (await first.json()) as { id: number };
    const b = (await retry.json()) as { id: number; firstName: string };
    expect(retry.status).toBe(200);
    expect(b.id).toBe(a.id);
    expect(b.firstName).toBe('Oliver');
    expect(dup.status).toBe(409);
    validationErrors.parse(await dup.json());
  });

  it('validates names ≤ 30, lower-case iso3, stateCode for usa/can/bra/aus, occupations for can', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const cases = [
      personalBody({ firstName: 'A'.repeat(31) }),
      personalBody({
        address: { addressFirstLine: '1 St', city: 'X', countryIso3Code: 'USA', stateCode: 'AZ' },
      }),
      personalBody({ address: { addressFirstLine: '1 St', city: 'Sydney', countryIso3Code: 'aus' } }),
      personalBody({
        address: { addressFirstLine: '1 St', city: 'Toronto', countryIso3Code: 'can', stateCode: 'ON' },
        occupations: [],
      }),
      personalBody({ dateOfBirth: '1990-13-01' }),
      personalBody({ contactDetails: { email: 'a@b.com' } }),
    ];
    // Act
    const results = await Promise.all(
      cases.map((body) => call(wise, 'POST', '/v2/profiles/personal-profile', u.accessToken, body)),
    );
    const paths = await Promise.all(
      results.map(async (r) => validationErrors.parse(await r.json()).errors.map((e) => e.path)),
    );
    // Assess
    expect(results.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(paths).toEqual([
      ['firstName'],
      ['address.countryIso3Code'],
      ['address.stateCode'],
      ['occupations'],
      ['dateOfBirth'],
      ['contactDetails.phoneNumber'],
    ]);
  });

  it('business profiles need a personal profile first, and validate companyType and OTHER fields', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const early = await call(wise, 'POST', '/v2/profiles/business-profile', u.accessToken, businessBody());
    await createPersonalProfile(wise, u.accessToken);
    const badType = await call(
      wise,
      'POST',
      '/v2/profiles/business-profile',
      u.accessToken,
      businessBody({ companyType: 'BANANA' }),
    );
    const other = await call(
      wise,
      'POST',
      '/v2/profiles/business-profile',
      u.accessToken,
      businessBody({ companyType: 'OTHER' }),
    );
    const ok = await call(
      wise,
      'POST',
      '/v2/profiles/business-profile',
      u.accessToken,
      businessBody({
        companyType: 'OTHER',
        businessFreeFormDescription: 'We make widgets',
        webpage: 'https://widgets.example',
      }),
    );
    const dup = await call(
      wise,
      'POST',
      '/v2/profiles/business-profile',
      u.accessToken,
      businessBody({
        companyType: 'OTHER',
        businessFreeFormDescription: 'We make widgets',
        webpage: 'https://widgets.example',
      }),
    );
    // Assess
    expect(early.status).toBe(400);
    expect(validationErrors.parse(await badType.json()).errors[0]?.code).toBe('api.companyType.invalid');
    expect(
      validationErrors
        .parse(await other.json())
        .errors.map((e) => e.path)
        .sort(),
    ).toEqual(['businessFreeFormDescription', 'webpage']);
    expect(ok.status).toBe(200);
    businessProfileV2.parse(await ok.json());
    expect(dup.status).toBe(409);
  });

  it('GET /v2/profiles lists own profiles; another user gets 403 on GET by id', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const other = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    // Act
    const list = await call(wise, 'GET', '/v2/profiles', u.accessToken);
    const one = await call(wise, 'GET', `/v2/profiles/${id}`, u.accessToken);
    const foreign = await call(wise, 'GET', `/v2/profiles/${id}`, other.accessToken);
    // Assess
    const profiles = (await list.json()) as unknown[];
    expect(profiles.map((p) => profileV2.parse(p).id)).toEqual([id]);
    expect(profileV2.parse(await one.json()).id).toBe(id);
    expect(foreign.status).toBe(403);
    springError.parse(await foreign.json());
  });

  it('PUT v2 updates an unverified profile any time; a verified one only inside the update window', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    // Act
    const unverified = await call(
      wise,
      'PUT',
      `/v2/profiles/${id}/personal-profile`,
      u.accessToken,
      personalBody({ lastName: 'First' }),
    );
    await call(wise, 'POST', `/v1/simulation/profiles/${id}/verifications`, u.accessToken);
    const closed = await call(
      wise,
      'PUT',
      `/v2/profiles/${id}/personal-profile`,
      u.accessToken,
      personalBody({ lastName: 'Second' }),
    );
    await call(wise, 'POST', `/v1/profiles/${id}/update-window`, u.accessToken);
    const open = await call(
      wise,
      'PUT',
      `/v2/profiles/${id}/personal-profile`,
      u.accessToken,
      personalBody({ lastName: 'Third' }),
    );
    await call(wise, 'DELETE', `/v1/profiles/${id}/update-window`, u.accessToken);
    const closedAgain = await call(
      wise,
      'PUT',
      `/v2/profiles/${id}/personal-profile`,
      u.accessToken,
      personalBody({ lastName: 'Fourth' }),
    );
    const wrongType = await call(
      wise,
      'PUT',
      `/v2/profiles/${id}/business-profile`,
      u.accessToken,
      businessBody(),
    );
    // Assess
    expect(unverified.status).toBe(200);
    expect(closed.status).toBe(403);
    expect(open.status).toBe(200);
    // Wise documents the update's 200 without a body: the change is read back.
    expect(await open.text()).toBe('');
    const readBack = await call(wise, 'GET', `/v2/profiles/${id}`, u.accessToken);
    expect(personalProfileV2.parse(await readBack.json()).lastName).toBe('Third');
    expect(closedAgain.status).toBe(403);
    expect(wrongType.status).toBe(400);
  });
});

describe('v1 profiles, addresses, directors, UBOs', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('creates, lists, gets and updates v1 profiles; addresses attach to them', async () => {
    // Prepare
    const u = await signUpUser(wise);
    // Act
    const created = await call(wise, 'POST', '/v1/profiles', u.accessToken, {
      type: 'personal',
      details: {
        firstName: 'Joe',
        lastName: 'Bloggs',
        dateOfBirth: '1990-01-01',
        phoneNumber: '+3725011991',
      },
    });
    const p = profileV1.parse(await created.json());
    const address = await call(wise, 'POST', '/v1/addresses', u.accessToken, {
      profile: p.id,
      details: { country: 'GB', firstLine: '1 High St', postCode: 'EC1A 1AA', city: 'London' },
    });
    const updated = await call(wise, 'PUT', '/v1/profiles', u.accessToken, {
      id: p.id,
      type: 'personal',
      details: {
        firstName: 'Joe',
        lastName: 'Blaggs',
        dateOfBirth: '1990-01-01',
        phoneNumber: '+3725011991',
      },
    });
    const list = await call(wise, 'GET', '/v1/profiles', u.accessToken);
    const one = await call(wise, 'GET', `/v1/profiles/${p.id}`, u.accessToken);
    const v2 = await call(wise, 'GET', `/v2/profiles/${p.id}`, u.accessToken);
    // Assess
    expect(created.status).toBe(200);
    expect(p.type).toBe('personal');
    expect(address.status).toBe(200);
    expect(addressV1.parse(await address.json()).details.country).toBe('GB');
    expect(profileV1.parse(await updated.json()).details.lastName).toBe('Blaggs');
    expect(((await list.json()) as unknown[]).length).toBe(1);
    expect(profileV1.parse(await one.json()).id).toBe(p.id);
    expect(personalProfileV2.parse(await v2.json()).address?.countryIso3Code).toBe('gbr');
  });

  it('v1 errors: unknown type 400, missing details 400, missing fields 422, state required for US addresses', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    // Act
    const badType = await call(wise, 'POST', '/v1/profiles', u.accessToken, { type: 'alien', details: {} });
    const noDetails = await call(wise, 'POST', '/v1/profiles', u.accessToken, { type: 'personal' });
    const missing = await call(wise, 'POST', '/v1/profiles', u.accessToken, {
      type: 'business',
      details: {},
    });
    const usAddress = await call(wise, 'POST', '/v1/addresses', u.accessToken, {
      profile: id,
      details: { country: 'US', firstLine: '1 St', city: 'Phoenix', postCode: '10025' },
    });
    // Assess
    expect(badType.status).toBe(400);
    expect(await badType.json()).toEqual({
      errors: [{ code: 'BAD_REQUEST', message: 'Could not resolve type id', path: null, arguments: [] }],
    });
    expect(noDetails.status).toBe(400);
    expect(missing.status).toBe(422);
    expect(validationErrors.parse(await missing.json()).errors.every((e) => e.code === 'MISSING')).toBe(true);
    expect(usAddress.status).toBe(422);
  });

  it('directors and UBOs: POST adds, GET lists, PUT replaces; personal profiles refuse', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const personalId = await createPersonalProfile(wise, u.accessToken);
    const biz = await call(wise, 'POST', '/v2/profiles/business-profile', u.accessToken, businessBody());
    const bizId = ((await biz.json()) as { id: number }).id;
    const john = {
      firstName: 'John',
      lastName: 'Doe',
      dateOfBirth: '1982-05-20',
      countryOfResidenceIso3Code: 'usa',
    };
    const jane = {
      firstName: 'Jane',
      lastName: 'Doe',
      dateOfBirth: '1981-12-07',
      countryOfResidenceIso3Code: 'usa',
    };
    const owner = {
      name: 'John Doe',
      dateOfBirth: '1982-05-20',
      countryOfResidenceIso3Code: 'usa',
      addressFirstLine: '123 Fake St',
      postCode: 'FK 12345',
      ownershipPercentage: 30,
    };
    // Act
    const added = await call(wise, 'POST', `/v1/profiles/${bizId}/directors`, u.accessToken, [john]);
    await call(wise, 'POST', `/v1/profiles/${bizId}/directors`, u.accessToken, [jane]);
    const listed = await call(wise, 'GET', `/v1/profiles/${bizId}/directors`, u.accessToken);
    const replaced = await call(wise, 'PUT', `/v1/profiles/${bizId}/directors`, u.accessToken, [jane]);
    const badDirector = await call(wise, 'POST', `/v1/profiles/${bizId}/directors`, u.accessToken, [
      { firstName: 'X' },
    ]);
    const ubos = await call(wise, 'POST', `/v1/profiles/${bizId}/ubos`, u.accessToken, [
      owner,
      { ...owner, name: 'Jane Doe', ownershipPercentage: null },
    ]);
    const ubosPut = await call(wise, 'PUT', `/v1/profiles/${bizId}/ubos`, u.accessToken, [owner]);
    const ubosGet = await call(wise, 'GET', `/v1/profiles/${bizId}/ubos`, u.accessToken);
    const badUbo = await call(wise, 'POST', `/v1/profiles/${bizId}/ubos`, u.accessToken, [
      { ...owner, ownershipPercentage: 130 },
    ]);
    const personal = await call(wise, 'GET', `/v1/profiles/${personalId}/directors`, u.accessToken);
    // Assess
    expect(added.status).toBe(200);
    expect(((await listed.json()) as unknown[]).map((d) => director.parse(d).firstName)).toEqual([
      'John',
      'Jane',
    ]);
    expect(((await replaced.json()) as unknown[]).length).toBe(1);
    expect(badDirector.status).toBe(422);
    expect(((await ubos.json()) as unknown[]).map((x) => ubo.parse(x).ownershipPercentage)).toEqual([
      30,
      null,
    ]);
    expect(ubosPut.status).toBe(200);
    expect(((await ubosGet.json()) as unknown[]).length).toBe(1);
    expect(badUbo.status).toBe(422);
    expect(personal.status).toBe(400);
  });

  it('Brazil CPF outcomes follow the first digit; 6–9 pass only for Test User born 2000-01-01', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken, {
      firstName: 'Test',
      lastName: 'User',
      dateOfBirth: '2000-01-01',
    });
    const other = await signUpUser(wise);
    const otherId = await createPersonalProfile(wise, other.accessToken, { dateOfBirth: '2000-01-01' });
    const doc = (cpf: string) => ({ type: 'CPF_CNPJ', uniqueIdentifier: cpf });
    // Act
    const forced = await Promise.all(
      ['0', '1', '2', '3', '4', '5'].map((d) =>
        call(
          wise,
          'POST',
          `/v1/profiles/${id}/verification-documents`,
          u.accessToken,
          doc(`${d}38.936.652-69`),
        ),
      ),
    );
    const pass = await call(
      wise,
      'POST',
      `/v1/profiles/${id}/verification-documents`,
      u.accessToken,
      doc('938.936.652-69'),
    );
    const reused = await call(
      wise,
      'POST',
      `/v1/profiles/${id}/verification-documents`,
      u.accessToken,
      doc('938.936.652-69'),
    );
    const mismatch = await call(
      wise,
      'POST',
      `/v1/profiles/${otherId}/verification-documents`,
      other.accessToken,
      doc('738.936.652-69'),
    );
    const capacity = await call(wise, 'POST', `/v1/profiles/${id}/verification-documents`, u.accessToken, {
      type: 'FINANCIAL_CAPACITY_BR',
      uniqueIdentifier: '150000.00',
    });
    const badType = await call(wise, 'POST', `/v1/profiles/${id}/verification-documents`, u.accessToken, {
      type: 'NOPE',
      uniqueIdentifier: '1',
    });
    // Assess
    const messages = await Promise.all(
      forced.map(async (r) => ((await r.json()) as { errorMessage: string }).errorMessage),
    );
    expect(messages).toEqual([
      'NOT_ASSIGNED',
      'NAME_MISMATCH',
      'DOB_MISMATCH',
      'IRREGULAR',
      'NOT_CHECKED',
      'BELONG_TO_MINOR',
    ]);
    // Wise documents only 200 `{ errorMessage, success }` here: a refusal is success false.
    expect(forced.every((r) => r.status === 200)).toBe(true);
    expect(await pass.json()).toEqual({ errorMessage: null, success: true });
    expect(((await reused.json()) as { errorMessage: string }).errorMessage).toBe('ALREADY_USED');
    expect(await mismatch.json()).toEqual({ errorMessage: 'NAME_MISMATCH', success: false });
    expect(capacity.status).toBe(200);
    expect(badType.status).toBe(422);
  });
});

describe('verification check and quotes', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('unverified: not_verified with 10000 for EUR/GBP and 0 otherwise; verified: verified per currency', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    const path = `/v3/profiles/${id}/verification-status/bank-transfer?source_currencies=GBP,USD,EUR`;
    // Act
    const before = verificationStatus.parse(await (await call(wise, 'POST', path, u.accessToken)).json());
    const cc = await clientToken(wise);
    const simulated = await call(wise, 'POST', `/v1/simulation/profiles/${id}/verifications`, cc);
    const after = verificationStatus.parse(await (await call(wise, 'POST', path, u.accessToken)).json());
    const missing = await call(
      wise,
      'POST',
      `/v3/profiles/${id}/verification-status/bank-transfer`,
      u.accessToken,
    );
    // Assess
    expect(before.routes).toEqual([
      { source_currency: 'GBP', maximum_entitled_amount: 10000, current_status: 'not_verified' },
      { source_currency: 'USD', maximum_entitled_amount: 0, current_status: 'not_verified' },
      { source_currency: 'EUR', maximum_entitled_amount: 10000, current_status: 'not_verified' },
    ]);
    expect(simulated.status).toBe(200);
    expect(await simulated.text()).toBe('');
    expect(after.routes.every((r) => r.current_status === 'verified')).toBe(true);
    expect(missing.status).toBe(400);
  });

  it('POST /v1/simulation/verify-profile verifies every profile of the user (user token only)', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    const cc = await clientToken(wise);
    // Act
    const withClient = await call(wise, 'POST', '/v1/simulation/verify-profile', cc);
    const res = await call(wise, 'POST', '/v1/simulation/verify-profile', u.accessToken);
    const check = verificationStatus.parse(
      await (
        await call(
          wise,
          'POST',
          `/v3/profiles/${id}/verification-status/bank-transfer?source_currencies=USD`,
          u.accessToken,
        )
      ).json(),
    );
    // Assess
    expect(withClient.status).toBe(403);
    expect(res.status).toBe(200);
    expect(check.routes[0]?.current_status).toBe('verified');
  });

  it('creates quotes with a UUID id; validates amounts and currencies', async () => {
    // Prepare
    const u = await signUpUser(wise);
    const id = await createPersonalProfile(wise, u.accessToken);
    // Act
    const ok = await call(wise, 'POST', `/v3/profiles/${id}/quotes`, u.accessToken, {
      sourceCurrency: 'GBP',
      targetCurrency: 'EUR',
      sourceAmount: 100,
    });
    const both = await call(wise, 'POST', `/v3/profiles/${id}/quotes`, u.accessToken, {
      sourceCurrency: 'GBP',
      targetCurrency: 'EUR',
      sourceAmount: 100,
      targetAmount: 5,
    });
    const route = await call(wise, 'POST', `/v3/profiles/${id}/quotes`, u.accessToken, {
      sourceCurrency: 'GBP',
      targetCurrency: 'XXX',
      sourceAmount: 100,
    });
    // Assess
    expect(ok.status).toBe(200);
    const q = quote.parse(await ok.json());
    expect(q.targetAmount).toBeCloseTo(100 * (1 / 0.85), 1);
    const fetched = await call(wise, 'GET', `/v3/profiles/${id}/quotes/${q.id}`, u.accessToken);
    expect(quote.parse(await fetched.json()).id).toBe(q.id);
    expect(both.status).toBe(400);
    expect(route.status).toBe(422);
  });
});
