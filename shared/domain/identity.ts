/**
 * The identity on record: what the partner backend knows of its customer and linking compares a
 * granted Wise profile with (PARTNER-API.md routes 1, 17, 18). A personal profile is the same
 * person when its date of birth is the one on record; a business profile when its registration
 * number is. The values are kept only as keyed digests (shared/ports/identity.ts), so comparing
 * means digesting the profile's value the same way: both sides go through {@link normalisedFact}.
 */

/** The facts linking can compare, by the profile type each one proves. */
export const identityFacts = ['dateOfBirth', 'registrationNumber'] as const;
export type IdentityFact = (typeof identityFacts)[number];

/** What is on record (the values are never read back): route 18's answer. */
export type IdentitySummary = Readonly<Record<IdentityFact, boolean>>;

/** A change to the identity on record: a value sets the fact, `null` forgets it, absent keeps it. */
export type IdentityChange = Partial<Record<IdentityFact, string | null>>;

/**
 * The one spelling a fact is digested in. Dates: `YYYY-MM-DD` (Wise prints dates so; a time part
 * is tolerated so that a format drift is not a false mismatch). Registration numbers: Unicode
 * NFKC, upper case, letters and digits only — registries and people write `HRB 12345`,
 * `hrb12345` and `12-345-678` for the same number, and no registry tells two numbers apart by
 * spaces or punctuation alone.
 */
export const normalisedFact = (fact: IdentityFact, value: string): string => {
  if (fact === 'dateOfBirth') return value.trim().slice(0, 10);
  return value
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
};

/** A granted Wise profile as linking sees it (GET /v2/profiles/{id}: extra fields pass through). */
export interface GrantedProfile {
  readonly id: number;
  readonly type: string;
  readonly dateOfBirth?: string | null;
  readonly registrationNumber?: unknown;
}

/** The fact that proves a profile of this type is the customer's. */
export const factFor = (profileType: string): IdentityFact =>
  profileType.toUpperCase() === 'BUSINESS' ? 'registrationNumber' : 'dateOfBirth';

/**
 * The profile's value of the fact that proves it, or undefined when Wise shows none (a personal
 * profile without a date of birth cannot prove it is the same person: that is a mismatch, not a
 * skipped check).
 */
export const profileFact = (profile: GrantedProfile): { fact: IdentityFact; value?: string } => {
  const fact = factFor(profile.type);
  const raw = fact === 'dateOfBirth' ? profile.dateOfBirth : profile.registrationNumber;
  const value = typeof raw === 'string' && normalisedFact(fact, raw) !== '' ? raw : undefined;
  return { fact, ...(value !== undefined ? { value } : {}) };
};

/**
 * `match`: the same person (or business); `mismatch`: not, or Wise shows nothing to compare;
 * `unverifiable`: nothing on record for this profile type (the partner must record it: route 18).
 */
export type IdentityVerdict = 'match' | 'mismatch' | 'unverifiable';
