import { ADMIN_SCOPE } from '../../../shared/routes';
import type { TestStack } from '../../support/stack';

/** The partner backend's token: routes 1, 3, 4 and 6 carry the bank's KYC data and are its alone. */
export const partner = { scope: ADMIN_SCOPE } as const;

/** A customer as the partner's KYC knows them: valid under Wise's personal-profile rules. */
export const customerBody = (email: string, overrides: Record<string, unknown> = {}) => ({
  email,
  firstName: 'Test',
  lastName: 'User',
  dateOfBirth: '2000-01-01',
  phoneNumber: '+442079460000',
  address: {
    addressFirstLine: '1 Test Street',
    city: 'London',
    countryIso3Code: 'GBR',
    postCode: 'EC1A 1BB',
  },
  nationality: 'GBR',
  // Wise's T&C, accepted in the partner's app before route 1 (contract v2).
  acceptedTermsAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

export const businessBody = (overrides: Record<string, unknown> = {}) => ({
  businessName: 'Test Consulting Ltd',
  registrationNumber: '12144939',
  companyType: 'LIMITED',
  companyRole: 'OWNER',
  firstLevelCategory: 'CONSULTING_IT_BUSINESS_SERVICES',
  secondLevelCategory: 'DESIGN',
  webpage: 'https://test-consulting.example.com',
  address: {
    addressFirstLine: '1 Test Street',
    city: 'London',
    countryIso3Code: 'gbr',
    postCode: 'EC1A 1BB',
  },
  ...overrides,
});

export interface SimState {
  users: { id: number; email: string; registrationCode?: string; active: boolean; claimed?: boolean }[];
  profiles: {
    id: number;
    userId: number;
    type: 'PERSONAL' | 'BUSINESS';
    firstName?: string;
    lastName?: string;
    businessName?: string;
    verification: string;
    updateWindowOpen?: boolean;
  }[];
  tokens: {
    kind: 'client' | 'user';
    userId?: number;
    access_token: string;
    refresh_token?: string;
    revoked: boolean;
  }[];
  emailedAuthorizationCodes: { email: string; code: string }[];
  claimAccountCodes: { code: string; userId: number; used: boolean }[];
}

export const simState = async (t: TestStack): Promise<SimState> =>
  (await t.sim_('GET', '/_sim/state')).body as SimState;

export const accountPath = (customerId: string) => `/v1/customers/${customerId}/wise-account`;

export const profilePath = (customerId: string, profileId: number) =>
  `${accountPath(customerId)}/profiles/${profileId}`;

let counter = 0;
/** A customer id and email no other test in the file uses. */
export const freshCustomer = (prefix: string) => {
  counter += 1;
  const id = `${prefix}-${Date.now().toString(36)}-${counter}`;
  return { customerId: id, email: `${id}@example.com` };
};
