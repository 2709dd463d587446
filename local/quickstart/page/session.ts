/// <reference lib="dom" />
import type { CallRecord } from './api';

export interface SignupForm {
  firstName: string;
  lastName: string;
  email: string;
  dateOfBirth: string;
  phoneNumber: string;
  addressFirstLine: string;
  city: string;
  postCode: string;
  countryIso3Code: string;
  nationality: string;
}

export interface ReviewState {
  id: string;
  profileId: number;
  status: string;
  linkUrl?: string;
  linkExpiresAt?: string;
  requiredBy?: string;
  /** Every status the page has seen, in order, with when it saw it. */
  history: { status: string; at: string }[];
}

/**
 * What survives the trips to Wise's authorize page and hosted KYC page (same tab, so the page
 * reloads): the demo customer, the form, the masked call log and the review being followed.
 * Never a token: the partner token lives in memory and is asked for again after each return.
 */
export interface Session {
  customerId: string;
  form: SignupForm;
  calls: CallRecord[];
  /** Route 2 has something to show for this customer, so the page polls it. */
  hasAccount: boolean;
  review?: ReviewState;
}

const KEY = 'wise-onboarding.quickstart';
const MAX_CALLS = 60;

const randomId = (length: number): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
};

export const demoForm = (customerId: string): SignupForm => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: `${customerId}@example.com`,
  // The simulator's demo Wise user has this date of birth, so linking it passes the identity check.
  dateOfBirth: '1990-01-01',
  phoneNumber: '+447700900123',
  addressFirstLine: '10 Downing Street',
  city: 'London',
  postCode: 'SW1A 2AA',
  countryIso3Code: 'gbr',
  nationality: 'gbr',
});

export const newSession = (customerId = `demo-${randomId(6)}`): Session => ({
  customerId,
  form: demoForm(customerId),
  calls: [],
  hasAccount: false,
});

export const loadSession = (): Session | undefined => {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.customerId !== 'string' || !parsed.form || !Array.isArray(parsed.calls))
      return undefined;
    return { hasAccount: false, ...parsed } as Session;
  } catch {
    return undefined;
  }
};

export const saveSession = (session: Session): void => {
  session.calls = session.calls.slice(-MAX_CALLS);
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Storage full or disabled: the page still works, it only forgets the log on the next redirect.
  }
};
