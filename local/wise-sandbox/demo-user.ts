import type { Sim } from './context';
import type { WiseProfile } from './state';
import { createUser, findUserByEmail } from './users';
import { applyPersonalV2, newProfile } from './profile-model';

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
