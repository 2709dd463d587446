import * as z from '../../zod';
import { firstLevelCategories, isCategoryPair } from './business-categories';
import { address, email, text } from './fields';

/** Wise's legal forms for a business profile (API-NOTES §3.2). */
export const companyTypes = [
  'LIMITED',
  'PARTNERSHIP',
  'SOLE_TRADER',
  'LIMITED_BY_GUARANTEE',
  'LIMITED_LIABILITY_COMPANY',
  'FOR_PROFIT_CORPORATION',
  'NON_PROFIT_CORPORATION',
  'LIMITED_PARTNERSHIP',
  'LIMITED_LIABILITY_PARTNERSHIP',
  'GENERAL_PARTNERSHIP',
  'SOLE_PROPRIETORSHIP',
  'PRIVATE_LIMITED_COMPANY',
  'PUBLIC_LIMITED_COMPANY',
  'TRUST',
  'OTHER',
] as const;

export const companyRoles = ['OWNER', 'DIRECTOR', 'OTHER'] as const;

const webpage = z.lazy(() =>
  z.string().check(
    z.trim(),
    z.maxLength(2000, 'must be at most 2000 characters'),
    z.refine((u: string) => {
      try {
        const url = new URL(u);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  ),
);

type BusinessShape = {
  companyType?: unknown;
  webpage?: unknown;
  businessFreeFormDescription?: unknown;
  firstLevelCategory?: unknown;
  secondLevelCategory?: unknown;
};

/**
 * Rules across fields, run even when single fields are bad so every error is named at once:
 * OTHER legal forms must describe the business and give its webpage (Wise will not let such a
 * profile transfer otherwise), and the sub-category must belong to the category.
 */
const businessRules = (b: BusinessShape | null | undefined, ctx: z.core.$RefinementCtx) => {
  // Runs even when the shape is wrong (`when`), so the value may not be an object at all.
  if (typeof b !== 'object' || b === null) return;
  if (b.companyType === 'OTHER') {
    if (b.webpage === undefined)
      ctx.addIssue({ code: 'custom', path: ['webpage'], message: 'is required when companyType is OTHER' });
    if (b.businessFreeFormDescription === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['businessFreeFormDescription'],
        message: 'is required when companyType is OTHER',
      });
    }
  }
  const first = b.firstLevelCategory;
  const second = b.secondLevelCategory;
  if (
    typeof first === 'string' &&
    typeof second === 'string' &&
    (firstLevelCategories as string[]).includes(first) &&
    !isCategoryPair(first, second)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['secondLevelCategory'],
      message: `is not a sub-category of ${first}`,
    });
  }
};

const businessFields = {
  businessName: text(100).check(z.refine((n) => n.length >= 2, 'must be at least 2 characters')),
  businessNameInKatakana: z.optional(text(100)),
  registrationNumber: text(100),
  acn: z.optional(text(20)),
  abn: z.optional(text(20)),
  arbn: z.optional(text(20)),
  companyType: z.enum(companyTypes, `must be one of ${companyTypes.join(', ')}`),
  companyRole: z.optional(z.enum(companyRoles, `must be one of ${companyRoles.join(', ')}`)),
  businessFreeFormDescription: z.optional(text(1000)),
  webpage: z.optional(webpage),
  firstLevelCategory: z.enum(firstLevelCategories, "must be one of Wise's business categories"),
  secondLevelCategory: z.string().check(z.trim(), z.minLength(1, 'must not be blank'), z.maxLength(100)),
  address,
  operationalAddresses: z.optional(z.array(address).check(z.maxLength(10, 'must have at most 10 entries'))),
  externalCustomerId: z.optional(text(100)),
  actorEmail: z.optional(email),
};

/** Route 3's body (and route 4's for a business profile): Wise's v2 business-profile fields. */
export const businessProfileSchema = z.lazy(() =>
  z.object(businessFields).check(z.superRefine(businessRules, { when: () => true })),
);
export type BusinessProfileDetails = z.infer<typeof businessProfileSchema>;

/** The body of Wise's `POST /v2/profiles/business-profile` and `PUT .../business-profile`: already in Wise's names. */
export const toWiseBusinessProfile = (b: BusinessProfileDetails): Record<string, unknown> => {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) if (value !== undefined) body[key] = value;
  return body;
};
