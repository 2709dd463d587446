import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  businessCategories,
  firstLevelCategories,
  isCategoryPair,
} from '../../../shared/domain/onboarding/business-categories';
import {
  businessProfileSchema,
  toWiseBusinessProfile,
} from '../../../shared/domain/onboarding/business-profile';

const valid = {
  businessName: 'ABC Logistics Ltd',
  registrationNumber: '12144939',
  companyType: 'LIMITED',
  firstLevelCategory: 'CONSULTING_IT_BUSINESS_SERVICES',
  secondLevelCategory: 'DESIGN',
  address: { addressFirstLine: '1 A road', city: 'London', countryIso3Code: 'GBR', postCode: '11111' },
};

const pathsOf = (input: unknown) => {
  const result = businessProfileSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('business-profile rules', () => {
  it("accepts Wise's documented example and sends it in Wise's names", () => {
    // Act
    const body = toWiseBusinessProfile(businessProfileSchema.parse(valid));

    // Assess
    expect(body).toEqual({ ...valid, address: { ...valid.address, countryIso3Code: 'gbr' } });
  });

  it('accepts every documented category pair', () => {
    // Prepare
    const pairs = Object.entries(businessCategories).flatMap(([first, seconds]) =>
      seconds.map((second) => [first, second]),
    );

    // Act
    const refused = pairs.filter(
      ([first, second]) =>
        pathsOf({ ...valid, firstLevelCategory: first, secondLevelCategory: second }).length > 0,
    );

    // Assess
    expect(pairs.length).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  });

  it('refuses any sub-category that is not listed under its category', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...firstLevelCategories),
        fc.constantFrom(...firstLevelCategories),
        (first, other) => {
          // Prepare
          const foreign = businessCategories[other].find((s) => !isCategoryPair(first, s));
          fc.pre(foreign !== undefined);

          // Act
          const paths = pathsOf({ ...valid, firstLevelCategory: first, secondLevelCategory: foreign });

          // Assess
          expect(paths).toEqual(['secondLevelCategory']);
        },
      ),
    );
  });

  it('requires webpage and a description for companyType OTHER', () => {
    // Act
    const without = pathsOf({ ...valid, companyType: 'OTHER' });
    const withBoth = pathsOf({
      ...valid,
      companyType: 'OTHER',
      webpage: 'https://abc.example',
      businessFreeFormDescription: 'Logistics',
    });

    // Assess
    expect(without.sort()).toEqual(['businessFreeFormDescription', 'webpage']);
    expect(withBoth).toEqual([]);
  });

  it('refuses unknown company types and non-http webpages', () => {
    // Act
    const paths = pathsOf({ ...valid, companyType: 'CORP', webpage: 'javascript:alert(1)' });

    // Assess
    expect(paths.sort()).toEqual(['companyType', 'webpage']);
  });
});
