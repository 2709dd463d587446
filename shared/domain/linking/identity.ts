/**
 * After a link, the partner checks that the Wise profile belongs to its own customer (Wise's
 * accessing-accounts guide: compare the date of birth for personal profiles). A business profile
 * carries no date of birth, and a partner that gave none asked for no check.
 */
export interface GrantedProfile {
  readonly type: string;
  readonly dateOfBirth?: string | null;
}

export type IdentityCheck = 'match' | 'mismatch' | 'not_checked';

export const checkIdentity = (partnerDateOfBirth: string | undefined, profile: GrantedProfile): IdentityCheck => {
  if (!partnerDateOfBirth) return 'not_checked';
  if (profile.type.toUpperCase() !== 'PERSONAL') return 'not_checked';
  // A personal profile without a date of birth cannot prove it is the same person: fail closed.
  if (!profile.dateOfBirth) return 'mismatch';
  return normaliseDate(profile.dateOfBirth) === normaliseDate(partnerDateOfBirth) ? 'match' : 'mismatch';
};

/** Wise prints dates as YYYY-MM-DD; tolerate a time part so that a format drift is not a false mismatch. */
const normaliseDate = (value: string): string => value.trim().slice(0, 10);
