import { WiseApiError } from './errors';
import type { WiseProfile } from './schemas';

/**
 * Wise refused to create a profile because it already exists (API-NOTES §3.3: without
 * X-idempotence-uuid, or for a second personal profile or the same business again, 409). The
 * profile is there: list the user's profiles and take the matching one, as signup does for the
 * personal profile.
 */
export const isDuplicateProfile = (err: unknown): err is WiseApiError =>
  err instanceof WiseApiError &&
  err.status === 409 &&
  /^\/v2\/profiles\/(personal|business)-profile$/.test(err.pathTemplate);

const normalised = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().replace(/\s+/g, ' ').toLowerCase() : undefined;

/**
 * The business profile in Wise's list that a refused duplicate create stands for: same business
 * name and registration number (what makes Wise call it the same business), compared without case
 * and surrounding spaces. Undefined when none matches — the 409 then stays an error.
 */
export const matchingBusinessProfile = (
  profiles: readonly WiseProfile[],
  wanted: { businessName?: unknown; registrationNumber?: unknown },
): WiseProfile | undefined => {
  const name = normalised(wanted.businessName);
  const number = normalised(wanted.registrationNumber);
  if (name === undefined || number === undefined) return undefined;
  return profiles.find(
    (p) =>
      p.type === 'BUSINESS' &&
      normalised(p.businessName) === name &&
      normalised((p as { registrationNumber?: unknown }).registrationNumber) === number,
  );
};
