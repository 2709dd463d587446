import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAME_MAX, truncateName, isCalendarDate } from '../../../shared/domain/onboarding/fields';
import { newCustomerSchema, toWisePersonalProfile } from '../../../shared/domain/onboarding/personal-profile';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const schema = newCustomerSchema(() => NOW);

const valid = {
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  dateOfBirth: '1990-12-10',
  phoneNumber: '+442079460000',
  address: { addressFirstLine: '1 Test Street', city: 'London', countryIso3Code: 'GBR' },
  acceptedTermsAt: '2026-03-01T11:00:00Z',
};

const pathsOf = (input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('personal-profile rules', () => {
  it('accepts a valid customer and gives Wise its body with lower-case countries and contact details', () => {
    // Act
    const parsed = schema.parse({ ...valid, nationality: 'Gbr' });

    // Assess
    expect(toWisePersonalProfile(parsed)).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      address: { addressFirstLine: '1 Test Street', city: 'London', countryIso3Code: 'gbr' },
      nationality: 'gbr',
      dateOfBirth: '1990-12-10',
      contactDetails: { email: 'ada@example.com', phoneNumber: '+442079460000' },
    });
  });

  it('truncates any name to at most 30 characters and keeps shorter names whole', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
        (name) => {
          // Act
          const parsed = schema.safeParse({ ...valid, firstName: name });

          // Assess
          expect(parsed.success).toBe(true);
          const first = parsed.success ? parsed.data.firstName : '';
          expect(Array.from(first).length).toBeLessThanOrEqual(NAME_MAX);
          if (Array.from(name.trim()).length <= NAME_MAX) expect(first).toBe(name.trim());
        },
      ),
    );
  });

  it('never splits a surrogate pair when truncating', () => {
    // Act
    const cut = truncateName(`${'a'.repeat(29)}😀😀`);

    // Assess
    expect(cut).toBe(`${'a'.repeat(29)}😀`);
  });

  it('lower-cases any-case alpha-3 country codes', () => {
    fc.assert(
      fc.property(fc.constantFrom('usa', 'USA', 'Usa', 'uSA'), (code) => {
        // Act
        const parsed = schema.parse({
          ...valid,
          address: { ...valid.address, countryIso3Code: code, stateCode: 'tx' },
        });

        // Assess
        expect(parsed.address.countryIso3Code).toBe('usa');
        expect(parsed.address.stateCode).toBe('TX');
      }),
    );
  });

  it.each(['usa', 'can', 'bra', 'aus'])('requires a state code for %s', (country) => {
    // Act
    const paths = pathsOf({
      ...valid,
      occupations: [{ code: 'Engineer', format: 'FREE_FORM' }],
      address: { ...valid.address, countryIso3Code: country },
    });

    // Assess
    expect(paths).toEqual(['address.stateCode']);
  });

  it.each([
    ['can', 'ON'],
    ['ind', undefined],
    ['jpn', undefined],
    ['idn', undefined],
    ['isr', undefined],
    ['mex', undefined],
    ['usa', 'NM'],
    // The personal-profile guide adds Arizona (the union of Wise's documents).
    ['usa', 'AZ'],
    ['usa', 'az'],
  ])('requires occupations for %s %s', (country, stateCode) => {
    // Act
    const without = pathsOf({ ...valid, address: { ...valid.address, countryIso3Code: country, stateCode } });
    const withOne = pathsOf({
      ...valid,
      address: { ...valid.address, countryIso3Code: country, stateCode },
      occupations: [{ code: 'Engineer', format: 'FREE_FORM' }],
    });

    // Assess
    expect(without).toEqual(['occupations']);
    expect(withOne).toEqual([]);
  });

  it('requires acceptedTermsAt with a zone, not in the future (a minute of grace), and normalises it to UTC', () => {
    // Act
    const offset = schema.parse({ ...valid, acceptedTermsAt: '2026-03-01T13:30:00+02:00' });
    const withinGrace = pathsOf({ ...valid, acceptedTermsAt: new Date(NOW + 60_000).toISOString() });
    const future = pathsOf({ ...valid, acceptedTermsAt: new Date(NOW + 60_001).toISOString() });
    const missing = pathsOf({ ...valid, acceptedTermsAt: undefined });
    const zoneless = pathsOf({ ...valid, acceptedTermsAt: '2026-03-01T11:00:00' });

    // Assess
    expect(offset.acceptedTermsAt).toBe('2026-03-01T11:30:00.000Z');
    expect(withinGrace).toEqual([]);
    expect([future, missing, zoneless]).toEqual([
      ['acceptedTermsAt'],
      ['acceptedTermsAt'],
      ['acceptedTermsAt'],
    ]);
  });

  it('does not require occupations in other US states', () => {
    // Act
    const paths = pathsOf({
      ...valid,
      address: { ...valid.address, countryIso3Code: 'usa', stateCode: 'TX' },
    });

    // Assess
    expect(paths).toEqual([]);
  });

  it.each(['1990-02-30', '1990-2-3', '2026-03-01', '2030-01-01', '1899-12-31', 'yesterday'])(
    'refuses the date of birth %s',
    (date) => {
      // Act
      const paths = pathsOf({ ...valid, dateOfBirth: date });

      // Assess
      expect(paths).toEqual(['dateOfBirth']);
    },
  );

  it('accepts exactly the real calendar dates', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        (d) => {
          // Assess
          expect(isCalendarDate(d.toISOString().slice(0, 10))).toBe(true);
        },
      ),
    );
  });

  it('normalises typed phone numbers to international format and refuses national ones', () => {
    // Act
    const spaced = schema.parse({ ...valid, phoneNumber: '+44 (20) 7946-0000' });
    const national = pathsOf({ ...valid, phoneNumber: '020 7946 0000' });

    // Assess
    expect(spaced.phoneNumber).toBe('+442079460000');
    expect(national).toEqual(['phoneNumber']);
  });

  it('names every bad field at once', () => {
    // Act
    const paths = pathsOf({
      ...valid,
      email: 'nope',
      firstName: '',
      dateOfBirth: 'yesterday',
      address: { addressFirstLine: 'x', city: 'Toronto', countryIso3Code: 'CAN' },
    });

    // Assess
    expect(paths.sort()).toEqual(['address.stateCode', 'dateOfBirth', 'email', 'firstName', 'occupations']);
  });

  it('upper-cases the signup language and refuses unknown ones', () => {
    // Act
    const ok = schema.parse({ ...valid, language: 'pt' });
    const bad = pathsOf({ ...valid, language: 'xx' });

    // Assess
    expect(ok.language).toBe('PT');
    expect(bad).toEqual(['language']);
  });
});
