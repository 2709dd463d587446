import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorizeUrl } from '../../../shared/domain/linking/authorize-url';
import { linkFailureReasons, reasonForWiseError, returnUrlWithOutcome } from '../../../shared/domain/linking/callback-outcome';
import { checkIdentity } from '../../../shared/domain/linking/identity';
import {
  isExpired,
  LINK_STATE_TTL_MS,
  newLinkState,
  newStateValue,
  startMovesToLinkPending,
  stateHash,
} from '../../../shared/domain/linking/link-state';
import { callbackPage } from '../../../functions/oauth/callback-page';

describe('LinkState', () => {
  it('draws states of 256 random bits, each different, stored only as a sha256', () => {
    // Prepare / Act
    const states = Array.from({ length: 200 }, () => newStateValue());

    // Assess
    expect(new Set(states).size).toBe(200);
    for (const s of states) expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    expect(stateHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('expires exactly 30 minutes after it starts, the instant of expiry included', () => {
    // Prepare
    const link = newLinkState({ customerId: 'c1', returnUrl: 'https://app.example/x' }, 1_000);

    // Act / Assess
    expect(link.expiresAt).toBe(1_000 + LINK_STATE_TTL_MS);
    expect(isExpired(link, link.expiresAt - 1)).toBe(false);
    expect(isExpired(link, link.expiresAt)).toBe(true);
  });

  it('moves an account to LINK_PENDING unless the customer already has access or another flow is in charge', () => {
    // Prepare / Act / Assess
    expect(startMovesToLinkPending(undefined)).toBe(true);
    for (const s of ['NONE', 'EXISTING_ACCOUNT', 'LINK_PENDING', 'RELINK_REQUIRED', 'LINK_REJECTED'] as const) {
      expect(startMovesToLinkPending(s)).toBe(true);
    }
    for (const s of ['ACTIVE', 'LINKED', 'CREATING', 'DEACTIVATED'] as const) expect(startMovesToLinkPending(s)).toBe(false);
  });
});

describe('identity check by date of birth', () => {
  it('matches equal dates, rejects different or missing ones on personal profiles, and skips what it cannot check', () => {
    // Prepare / Act / Assess
    expect(checkIdentity('1990-01-02', { type: 'PERSONAL', dateOfBirth: '1990-01-02' })).toBe('match');
    expect(checkIdentity('1990-01-02', { type: 'personal', dateOfBirth: '1990-01-02T00:00:00' })).toBe('match');
    expect(checkIdentity('1990-01-02', { type: 'PERSONAL', dateOfBirth: '1990-02-01' })).toBe('mismatch');
    expect(checkIdentity('1990-01-02', { type: 'PERSONAL', dateOfBirth: null })).toBe('mismatch');
    expect(checkIdentity(undefined, { type: 'PERSONAL', dateOfBirth: '1990-01-02' })).toBe('not_checked');
    expect(checkIdentity('1990-01-02', { type: 'BUSINESS' })).toBe('not_checked');
  });
});

describe('the callback outcome on the return URL', () => {
  // fast-check's webUrl is slow on a loaded machine; a time limit is not what this test checks.
  it('keeps the return URL\'s origin, path and own parameters, and carries exactly the outcome (property)', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true }),
        fc.oneof(
          fc.integer({ min: 1, max: 2 ** 40 }).map((profileId) => ({ kind: 'linked' as const, profileId })),
          fc.constantFrom(...linkFailureReasons).map((reason) => ({ kind: 'failed' as const, reason })),
        ),
        (returnUrl, outcome) => {
          // Act
          const back = new URL(returnUrlWithOutcome(returnUrl, outcome));

          // Assess
          const original = new URL(returnUrl);
          expect(back.origin).toBe(original.origin);
          expect(back.pathname).toBe(original.pathname);
          for (const key of new Set(original.searchParams.keys())) {
            if (!['status', 'reason', 'profileId'].includes(key)) expect(back.searchParams.getAll(key)).toEqual(original.searchParams.getAll(key));
          }
          expect(back.searchParams.getAll('status')).toEqual([outcome.kind === 'linked' ? 'linked' : 'error']);
          if (outcome.kind === 'linked') expect(back.searchParams.getAll('profileId')).toEqual([String(outcome.profileId)]);
          else expect(back.searchParams.getAll('reason')).toEqual([outcome.reason]);
        },
      ),
    );
  }, 30_000);

  it('maps only access_denied to access_denied; any other Wise error is a failed exchange', () => {
    // Prepare / Act / Assess
    expect(reasonForWiseError('access_denied')).toBe('access_denied');
    fc.assert(fc.property(fc.string().filter((s) => s !== 'access_denied'), (e) => reasonForWiseError(e) === 'exchange_failed'));
  });
});

describe('the authorize URL', () => {
  it('points at the environment\'s web host with client_id, redirect_uri and state, and the claim code only when given', () => {
    // Prepare
    const base = { clientId: 'cid', redirectUri: 'https://api.bank.example/v1/oauth/callback', state: 's t&x' };

    // Act
    const sandbox = new URL(authorizeUrl({ ...base, webBaseUrl: 'https://wise-sandbox.com' }));
    const claim = new URL(authorizeUrl({ ...base, webBaseUrl: 'https://wise.com/', claimAccountCode: 'claim-1' }));

    // Assess
    expect(`${sandbox.origin}${sandbox.pathname}`).toBe('https://wise-sandbox.com/oauth/authorize/');
    expect(Object.fromEntries(sandbox.searchParams)).toEqual({ client_id: 'cid', redirect_uri: base.redirectUri, state: 's t&x' });
    expect(`${claim.origin}${claim.pathname}`).toBe('https://wise.com/oauth/authorize/');
    expect(claim.searchParams.get('claim_account_code')).toBe('claim-1');
  });
});

describe('the callback error page', () => {
  it('is self-contained, uncacheable, referrer-free and locked down by CSP', () => {
    // Prepare / Act
    const page = callbackPage('invalid_state');

    // Assess
    expect(page.status).toBe(400);
    expect(page.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    expect(page.headers?.['Content-Security-Policy']).toContain("default-src 'none'");
    expect(page.rawBody).not.toMatch(/<script|<link|<img|src=|href=/i);
  });
});
