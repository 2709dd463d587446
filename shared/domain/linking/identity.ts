import {
  profileFact,
  type GrantedProfile,
  type IdentityFact,
  type IdentitySummary,
  type IdentityVerdict,
} from '../identity';

export type { GrantedProfile, IdentityVerdict } from '../identity';

/** How the identity on record answers for one fact (shared/ports/identity.ts `compare`). */
export type CompareWithRecord = (fact: IdentityFact, value: string) => Promise<'match' | 'mismatch' | 'none'>;

/**
 * Is the granted profile the partner's customer? Wise's accessing-accounts guide: compare what the
 * partner knows — a personal profile's date of birth, a business profile's registration number —
 * with the profile Wise granted. Nothing on record for the profile's type: `unverifiable` (never a
 * silent pass). Wise shows no value to compare: `mismatch` (fail closed).
 */
export const verifyIdentity = async (
  profile: GrantedProfile,
  onRecord: IdentitySummary,
  compare: CompareWithRecord,
): Promise<IdentityVerdict> => {
  const { fact, value } = profileFact(profile);
  if (!onRecord[fact]) return 'unverifiable';
  if (value === undefined) return 'mismatch';
  return (await compare(fact, value)) === 'match' ? 'match' : 'mismatch';
};
