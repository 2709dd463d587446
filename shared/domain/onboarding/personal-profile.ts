import * as z from '../../zod';
import { needsOccupation } from './countries';
import { address, country, dateOfBirth, email, personName, phoneNumber, text } from './fields';

/** Languages Wise accepts at signup (API-NOTES §2.1). */
export const signupLanguages = [
  'EN',
  'US',
  'PT',
  'ES',
  'FR',
  'DE',
  'IT',
  'JA',
  'RU',
  'PL',
  'HU',
  'TR',
  'RO',
  'NL',
  'HK',
] as const;

const occupation = z.lazy(() => z.object({ code: text(100), format: z.literal('FREE_FORM') }));

/** The person's details, in Wise's personal-profile names; shared by creation (route 1) and updates (route 4). */
const personFields = (now: () => number) => ({
  email,
  firstName: personName,
  lastName: personName,
  preferredName: z.optional(personName),
  dateOfBirth: dateOfBirth(now),
  phoneNumber,
  address,
  nationality: z.optional(country),
  occupations: z.optional(z.array(occupation).check(z.maxLength(5, 'must have at most 5 entries'))),
  externalCustomerId: z.optional(text(100)),
});

type PersonShape = { address?: { countryIso3Code?: unknown; stateCode?: unknown }; occupations?: unknown[] };

/** Occupations where Wise requires them: checked even when other fields are bad, so every error is named at once. */
const occupationRule = (p: PersonShape | null | undefined, ctx: z.core.$RefinementCtx) => {
  // Runs even when the shape is wrong (`when`), so the value may not be an object at all.
  if (typeof p !== 'object' || p === null) return;
  const c = p.address?.countryIso3Code;
  if (typeof c !== 'string') return;
  const stateCode = typeof p.address?.stateCode === 'string' ? p.address.stateCode : undefined;
  if (
    needsOccupation(c.toLowerCase(), stateCode) &&
    (!Array.isArray(p.occupations) || p.occupations.length === 0)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['occupations'],
      message: 'is required for residents of this country or state',
    });
  }
};

/**
 * Wise's guide: a new user must accept Wise's Terms and Conditions during sign-up, with a link to
 * read them. Route 1 requires the instant the customer accepted them in the partner's app (ISO
 * 8601 with a zone); it cannot be in the future (a minute's grace for the partner's clock).
 * Normalised to UTC milliseconds.
 */
export const TERMS_CLOCK_GRACE_MS = 60_000;
const acceptedTermsAt = (now: () => number) =>
  z.pipe(
    z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone' })
      .check(z.refine((v) => Date.parse(v) <= now() + TERMS_CLOCK_GRACE_MS, 'must not be in the future')),
    z.transform((v: string) => new Date(Date.parse(v)).toISOString()),
  );

/** Route 1's body: the partner's KYC data for a new Wise user and its personal profile. */
export const newCustomerSchema = (now: () => number) =>
  z
    .object({
      ...personFields(now),
      language: z.optional(
        z.pipe(
          z.pipe(
            z.string(),
            z.transform((l: string) => l.toUpperCase()),
          ),
          z.enum(signupLanguages, "must be one of Wise's signup languages"),
        ),
      ),
      /** Wise's last-resort email flow when the email already has a Wise account (API-NOTES §2.1). */
      sendAuthorizationCodeAsEmail: z.optional(z.boolean()),
      acceptedTermsAt: acceptedTermsAt(now),
    })
    .check(z.superRefine(occupationRule, { when: () => true }));
export type NewCustomer = z.infer<ReturnType<typeof newCustomerSchema>>;

/** Route 4's body for a personal profile: the same person details (email is the contact email). */
export const personalProfileUpdateSchema = (now: () => number) =>
  z.object(personFields(now)).check(z.superRefine(occupationRule, { when: () => true }));
export type PersonalProfileDetails = z.infer<ReturnType<typeof personalProfileUpdateSchema>>;

/** The body of Wise's `POST /v2/profiles/personal-profile` and `PUT .../personal-profile`. */
export const toWisePersonalProfile = (p: PersonalProfileDetails): Record<string, unknown> => ({
  firstName: p.firstName,
  lastName: p.lastName,
  ...(p.preferredName !== undefined ? { preferredName: p.preferredName } : {}),
  address: {
    addressFirstLine: p.address.addressFirstLine,
    city: p.address.city,
    countryIso3Code: p.address.countryIso3Code,
    ...(p.address.postCode !== undefined ? { postCode: p.address.postCode } : {}),
    ...(p.address.stateCode !== undefined ? { stateCode: p.address.stateCode } : {}),
  },
  ...(p.nationality !== undefined ? { nationality: p.nationality } : {}),
  dateOfBirth: p.dateOfBirth,
  ...(p.externalCustomerId !== undefined ? { externalCustomerId: p.externalCustomerId } : {}),
  contactDetails: { email: p.email, phoneNumber: p.phoneNumber },
  ...(p.occupations !== undefined ? { occupations: p.occupations } : {}),
});
