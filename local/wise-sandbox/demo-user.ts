import type { Sim } from './context';
import type { WiseProfile } from './state';
import { createUser, findUserByEmail } from './users';
import type { FieldError } from './errors';
import { applyBusinessV2, applyPersonalV2, newProfile, validateBusinessV2 } from './profile-model';

export const DEMO_USER = { email: 'demo@wise-sandbox.local', password: 'demo-password-1' } as const;

export interface ExistingUserInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  phoneNumber?: string;
  address?: Record<string, unknown>;
  nationality?: string;
  verified?: boolean;
}

/** A Wise user who signed up on Wise's own website: a password and a personal profile. */
export function createExistingUser(
  sim: Sim,
  input: ExistingUserInput,
): { userId: number; profileId: number } {
  const user = createUser(sim, { email: input.email, password: input.password });
  const profile: WiseProfile = newProfile(sim, user.id, 'PERSONAL');
  applyPersonalV2(sim, profile, {
    firstName: input.firstName,
    lastName: input.lastName,
    dateOfBirth: input.dateOfBirth,
    nationality: input.nationality,
    contactDetails: { email: input.email, phoneNumber: input.phoneNumber ?? '+447700900123' },
    address: input.address ?? {
      addressFirstLine: '1 Demo Street',
      city: 'London',
      countryIso3Code: 'gbr',
      postCode: 'EC1A 1AA',
    },
  });
  if (input.verified) profile.verification = 'verified';
  sim.state.profiles.push(profile);
  sim.changed();
  return { userId: user.id, profileId: profile.id };
}

/** What a user types on Wise when adding a business; the fields Wise requires get sample values. */
const BUSINESS_DEFAULTS = {
  companyType: 'LIMITED',
  companyRole: 'OWNER',
  firstLevelCategory: 'CONSULTING_IT_BUSINESS_SERVICES',
  secondLevelCategory: 'DESIGN',
  address: {
    addressFirstLine: '1 Demo Street',
    city: 'London',
    countryIso3Code: 'gbr',
    postCode: 'EC1A 1AA',
  },
};

export type BusinessProfileOutcome =
  | { kind: 'created'; profileId: number }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'no-personal-profile' }
  | { kind: 'duplicate' };

/**
 * A business profile the user added on Wise itself: no partner created it, so no partner grant
 * covers it until the user authorises it on the authorize page.
 */
export function createExistingBusinessProfile(
  sim: Sim,
  userId: number,
  input: Record<string, unknown>,
): BusinessProfileOutcome {
  const body: Record<string, unknown> = { ...BUSINESS_DEFAULTS, ...input };
  const errors = validateBusinessV2(body);
  if (errors.length > 0) return { kind: 'invalid', errors };
  const own = sim.state.profiles.filter((p) => p.userId === userId);
  if (!own.some((p) => p.type === 'PERSONAL')) return { kind: 'no-personal-profile' };
  const same = own.some(
    (p) =>
      p.type === 'BUSINESS' &&
      p.businessName === body.businessName &&
      p.registrationNumber === body.registrationNumber,
  );
  if (same) return { kind: 'duplicate' };
  const profile = newProfile(sim, userId, 'BUSINESS');
  applyBusinessV2(sim, profile, body);
  if (input.verified === true) profile.verification = 'verified';
  sim.state.profiles.push(profile);
  sim.changed();
  return { kind: 'created', profileId: profile.id };
}

export function seedDemoUser(sim: Sim): {
  email: string;
  password: string;
  userId: number;
  profileId: number;
} {
  const existing = findUserByEmail(sim, DEMO_USER.email);
  if (existing) {
    const profile = sim.state.profiles.find((p) => p.userId === existing.id && p.type === 'PERSONAL');
    if (profile) return { ...DEMO_USER, userId: existing.id, profileId: profile.id };
  }
  const created = createExistingUser(sim, {
    ...DEMO_USER,
    firstName: 'Demo',
    lastName: 'User',
    dateOfBirth: '1990-01-01',
  });
  return { ...DEMO_USER, ...created };
}
