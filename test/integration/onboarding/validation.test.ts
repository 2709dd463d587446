import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import { accountPath, customerBody, simState, partner } from './fixtures';

/** Route 1 refuses a broken body before any side effect: no account item, not one call to Wise. */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => t?.close());

const base = customerBody('valid@example.com');
const usa = { addressFirstLine: '1 Main St', city: 'Austin', countryIso3Code: 'usa', stateCode: 'TX' };

const badBodies: { name: string; body: unknown; fields: string[] }[] = [
  { name: 'missing email', body: { ...base, email: undefined }, fields: ['email'] },
  { name: 'malformed email', body: { ...base, email: 'not-an-email' }, fields: ['email'] },
  { name: 'missing first name', body: { ...base, firstName: undefined }, fields: ['firstName'] },
  { name: 'blank last name', body: { ...base, lastName: '   ' }, fields: ['lastName'] },
  { name: 'first name not a string', body: { ...base, firstName: 42 }, fields: ['firstName'] },
  {
    name: 'date of birth that does not exist',
    body: { ...base, dateOfBirth: '1990-02-30' },
    fields: ['dateOfBirth'],
  },
  {
    name: 'date of birth in the future',
    body: { ...base, dateOfBirth: '2999-01-01' },
    fields: ['dateOfBirth'],
  },
  {
    name: 'date of birth in another format',
    body: { ...base, dateOfBirth: '01/02/1990' },
    fields: ['dateOfBirth'],
  },
  { name: 'national phone number', body: { ...base, phoneNumber: '07700 900123' }, fields: ['phoneNumber'] },
  {
    name: 'unknown country',
    body: { ...base, address: { ...base.address, countryIso3Code: 'XYZ' } },
    fields: ['address.countryIso3Code'],
  },
  {
    name: 'alpha-2 country',
    body: { ...base, address: { ...base.address, countryIso3Code: 'GB' } },
    fields: ['address.countryIso3Code'],
  },
  {
    name: 'address without a city',
    body: { ...base, address: { ...base.address, city: undefined } },
    fields: ['address.city'],
  },
  {
    name: 'US address without a state',
    body: { ...base, address: { ...usa, stateCode: undefined } },
    fields: ['address.stateCode'],
  },
  {
    name: 'state code longer than 5',
    body: { ...base, address: { ...usa, stateCode: 'TEXAS1' } },
    fields: ['address.stateCode'],
  },
  {
    name: 'Canadian resident without occupations',
    body: {
      ...base,
      address: { addressFirstLine: '1 Bay St', city: 'Toronto', countryIso3Code: 'can', stateCode: 'ON' },
    },
    fields: ['occupations'],
  },
  {
    name: 'New Mexico resident without occupations',
    body: { ...base, address: { ...usa, stateCode: 'NM' } },
    fields: ['occupations'],
  },
  {
    name: 'occupation not FREE_FORM',
    body: { ...base, occupations: [{ code: 'Engineer', format: 'CODE' }] },
    fields: ['occupations.0.format'],
  },
  { name: 'unknown signup language', body: { ...base, language: 'XX' }, fields: ['language'] },
  {
    name: 'email fallback flag not a boolean',
    body: { ...base, sendAuthorizationCodeAsEmail: 'yes' },
    fields: ['sendAuthorizationCodeAsEmail'],
  },
  { name: 'a JSON array', body: [base], fields: ['(body)'] },
  {
    name: 'several bad fields at once',
    body: {
      ...base,
      firstName: '',
      dateOfBirth: 'yesterday',
      address: { addressFirstLine: '1 Bay St', city: 'Toronto', countryIso3Code: 'CAN' },
    },
    fields: ['firstName', 'dateOfBirth', 'address.stateCode', 'occupations'],
  },
];

describe('route 1 validation', () => {
  it.each(badBodies)('400 VALIDATION_FAILED naming the field: $name', async ({ body, fields }) => {
    // Prepare
    const customerId = 'validation-customer';

    // Act
    const res = await t.call('POST', accountPath(customerId), { as: partner, body });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const named = (res.body.errors as { path: string }[]).map((e) => e.path);
    for (const field of fields) expect(named).toContain(field);
  });

  it('400 for a body that is not JSON', async () => {
    // Act
    const res = await t.call('POST', accountPath('validation-customer'), {
      as: partner,
      rawBody: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '(body)' })]);
  });

  it('400 for a customer id outside the allowed pattern', async () => {
    // Act
    const res = await t.call('POST', accountPath('bad%20id'), { as: partner, body: base });

    // Assess
    expect(res.status).toBe(400);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain('customerId');
  });

  it('wrote nothing and sent nothing to Wise for any of them', async () => {
    // Act
    const account = await t.call('GET', accountPath('validation-customer'), { as: 'validation-customer' });
    const state = await simState(t);

    // Assess
    expect(account.status).toBe(404);
    expect(state.users).toEqual([]);
    expect(state.tokens).toEqual([]);
  });
});
