import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callbackPage } from '../../../functions/oauth/callback-page';
import { factFor, normalisedFact, profileFact } from '../../../shared/domain/identity';
import { authorizeUrl } from '../../../shared/domain/linking/authorize-url';
import {
  linkFailureReasons,
  reasonForWiseError,
  returnUrlWithOutcome,
} from '../../../shared/domain/linking/callback-outcome';
import { verifyIdentity } from '../../../shared/domain/linking/identity';
import {
  isResultExpired,
  LINK_RESULT_TTL_MS,
  linkResultHash,
  newLinkResultValue,
} from '../../../shared/domain/linking/link-result';
import {
  CLAIM_CODE_TTL_MS,
  isExpired,
  LINK_STATE_TTL_MS,
  linkExpiresAt,
  newLinkState,
  newStateValue,
  startMovesToLinkPending,
  stateHash,
} from '../../../shared/domain/linking/link-state';
import { allowedReturnUrl, isAllowedReturnUrl } from '../../../shared/domain/return-url';

describe('LinkState', () => {
  it('draws states of 256 random bits, each different, stored only as a sha256', () => {
    // Prepare / Act
    const states = Array.from({ length: 200 }, () => newStateValue());

    // Assess
    expect(new Set(states).size).toBe(200);
    for (const s of states) expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    expect(stateHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('expires 30 minutes after it starts, the instant of expiry included; a claim link is good for 5 minutes', () => {
    // Prepare
    const link = newLinkState({ customerId: 'c1', returnUrl: 'https://app.example/x' }, 1_000);
    const claim = newLinkState(
      { customerId: 'c1', returnUrl: 'https://app.example/x', claimAccount: true },
      1_000,
    );

    // Act / Assess
    expect(link.expiresAt).toBe(1_000 + LINK_STATE_TTL_MS);
    expect(isExpired(link, link.expiresAt - 1)).toBe(false);
    expect(isExpired(link, link.expiresAt)).toBe(true);
    expect(linkExpiresAt(link)).toBe(link.expiresAt);
    expect(linkExpiresAt(claim)).toBe(1_000 + CLAIM_CODE_TTL_MS);
    expect(Object.keys(link)).not.toContain('dateOfBirth');
  });

  it('moves an account to LINK_PENDING unless the customer already has access or another flow is in charge', () => {
    // Prepare / Act / Assess
    expect(startMovesToLinkPending(undefined)).toBe(true);
    for (const s of [
      'NONE',
      'EXISTING_ACCOUNT',
      'LINK_PENDING',
      'RELINK_REQUIRED',
      'LINK_REJECTED',
      'DISCONNECTED',
    ] as const) {
      expect(startMovesToLinkPending(s)).toBe(true);
    }
    for (const s of ['ACTIVE', 'LINKED', 'CREATING', 'DEACTIVATED'] as const)
      expect(startMovesToLinkPending(s)).toBe(false);
  });
});

describe('the link result', () => {
  it('is 256 random bits, kept only by its sha256, usable for 10 minutes', () => {
    // Prepare / Act
    const results = Array.from({ length: 100 }, () => newLinkResultValue());

    // Assess
    expect(new Set(results).size).toBe(100);
    for (const r of results) expect(r).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(linkResultHash('abc')).toBe(stateHash('abc'));
    expect(LINK_RESULT_TTL_MS).toBe(10 * 60 * 1000);
    expect(isResultExpired({ expiresAt: 10 }, 9)).toBe(false);
    expect(isResultExpired({ expiresAt: 10 }, 10)).toBe(true);
  });
});

describe('the identity on record', () => {
  it('compares a personal profile by date of birth and a business profile by registration number', () => {
    // Prepare / Act / Assess
    expect(factFor('PERSONAL')).toBe('dateOfBirth');
    expect(factFor('personal')).toBe('dateOfBirth');
    expect(factFor('BUSINESS')).toBe('registrationNumber');
    expect(profileFact({ id: 1, type: 'PERSONAL', dateOfBirth: '1990-01-02' })).toEqual({
      fact: 'dateOfBirth',
      value: '1990-01-02',
    });
    expect(profileFact({ id: 1, type: 'BUSINESS', registrationNumber: 'HRB 1' })).toEqual({
      fact: 'registrationNumber',
      value: 'HRB 1',
    });
    expect(profileFact({ id: 1, type: 'BUSINESS', registrationNumber: 42 })).toEqual({
      fact: 'registrationNumber',
    });
    expect(profileFact({ id: 1, type: 'PERSONAL', dateOfBirth: null })).toEqual({ fact: 'dateOfBirth' });
    expect(profileFact({ id: 1, type: 'BUSINESS', registrationNumber: ' - ' })).toEqual({
      fact: 'registrationNumber',
    });
  });

  it('spells a registration number one way whatever spaces, punctuation and case it is written with (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9]{1,12}$/),
        fc.array(fc.constantFrom(' ', '-', '.', '/'), { maxLength: 4 }),
        fc.boolean(),
        (number, separators, lower) => {
          // Prepare
          const chars = [...number];
          separators.forEach((sep, i) => chars.splice(Math.min(i + 1, chars.length), 0, sep));
          const written = lower ? chars.join('').toLowerCase() : chars.join('');

          // Act / Assess
          expect(normalisedFact('registrationNumber', written)).toBe(number);
        },
      ),
    );
  });

  it('keeps the date part of a date of birth, so a time part is not a false mismatch', () => {
    // Prepare / Act / Assess
    expect(normalisedFact('dateOfBirth', ' 1990-01-02T00:00:00 ')).toBe('1990-01-02');
  });

  it('answers match, mismatch (also when Wise shows nothing), or unverifiable when nothing is on record for the type', async () => {
    // Prepare
    const onRecord = { dateOfBirth: true, registrationNumber: false };
    const compare = async (_fact: string, value: string): Promise<'match' | 'mismatch'> =>
      value === '1990-01-02' ? 'match' : 'mismatch';

    // Act
    const verdicts = await Promise.all([
      verifyIdentity({ id: 1, type: 'PERSONAL', dateOfBirth: '1990-01-02' }, onRecord, compare),
      verifyIdentity({ id: 1, type: 'PERSONAL', dateOfBirth: '1990-02-01' }, onRecord, compare),
      verifyIdentity({ id: 1, type: 'PERSONAL', dateOfBirth: null }, onRecord, compare),
      verifyIdentity({ id: 2, type: 'BUSINESS', registrationNumber: '123' }, onRecord, compare),
    ]);

    // Assess
    expect(verdicts).toEqual(['match', 'mismatch', 'mismatch', 'unverifiable']);
  });
});

describe('the return URL allowlist', () => {
  const allowlist = ['https://app.example/wise/', 'http://localhost:3000/'];

  it('accepts a URL under an allowed prefix and answers its normalised form', () => {
    // Prepare / Act / Assess
    expect(allowedReturnUrl('HTTPS://APP.example:443/wise/done?x=1', allowlist)).toBe(
      'https://app.example/wise/done?x=1',
    );
    expect(allowedReturnUrl('https://app.example/wise', allowlist)).toBeUndefined();
    expect(allowedReturnUrl('https://app.example/wise/', allowlist)).toBe('https://app.example/wise/');
    expect(
      allowedReturnUrl('http://localhost:3000/app/..%2f..%2fadmin?next=..%2f', allowlist),
    ).toBeUndefined();
    expect(allowedReturnUrl('http://localhost:3000/app?next=..%2f', allowlist)).toBe(
      'http://localhost:3000/app?next=..%2f',
    );
  });

  it.each([
    'https://app.example/wise/..%2fadmin',
    'https://app.example/wise/..%2Fadmin',
    'https://app.example/wise/%2e%2e/admin',
    'https://app.example/wise/.%2e/admin',
    'https://app.example/wise/../admin',
    'https://app.example/wise/./done',
    'https://app.example/wise/..',
    'https://app.example/wise/..%5cadmin',
    'https://app.example/wise\\..\\admin',
    'https://app.example/wise/..%252fadmin',
    'https://app.example.evil.io/wise/',
    'https://user@app.example/wise/',
    'ftp://app.example/wise/',
  ])('refuses %s', (candidate) => {
    // Act / Assess
    expect(isAllowedReturnUrl(candidate, allowlist)).toBe(false);
  });

  it('never answers a URL outside the prefix, whatever follows it (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (tail) => {
        // Act
        const answer = allowedReturnUrl(`https://app.example/wise/${tail}`, allowlist);

        // Assess
        if (answer !== undefined) {
          const url = new URL(answer);
          expect(url.origin).toBe('https://app.example');
          expect(url.pathname.startsWith('/wise/')).toBe(true);
          expect(url.pathname).not.toMatch(/%2f|%5c/i);
        }
      }),
    );
  });
});

describe('the callback outcome on the return URL', () => {
  // fast-check's webUrl is slow on a loaded machine; a time limit is not what this test checks.
  it("keeps the return URL's origin, path and own parameters, and carries exactly the outcome (property)", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true }),
        fc.oneof(
          fc
            .record({ profileId: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: undefined }) })
            .map(({ profileId }) => ({
              kind: 'authorized' as const,
              result: newLinkResultValue(),
              profileId,
            })),
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
            if (!['status', 'reason', 'result', 'profileId'].includes(key))
              expect(back.searchParams.getAll(key)).toEqual(original.searchParams.getAll(key));
          }
          if (outcome.kind === 'authorized') {
            expect(back.searchParams.getAll('status')).toEqual(['authorized']);
            expect(back.searchParams.getAll('result')).toEqual([outcome.result]);
            expect(back.searchParams.getAll('profileId')).toEqual(
              outcome.profileId === undefined ? [] : [String(outcome.profileId)],
            );
            expect(back.searchParams.has('reason')).toBe(false);
          } else {
            expect(back.searchParams.getAll('status')).toEqual(['error']);
            expect(back.searchParams.getAll('reason')).toEqual([outcome.reason]);
            expect(back.searchParams.has('result')).toBe(false);
          }
        },
      ),
    );
  }, 30_000);

  it('maps only access_denied to access_denied; any other Wise error is a failed exchange', () => {
    // Prepare / Act / Assess
    expect(reasonForWiseError('access_denied')).toBe('access_denied');
    fc.assert(
      fc.property(
        fc.string().filter((s) => s !== 'access_denied'),
        (e) => reasonForWiseError(e) === 'exchange_failed',
      ),
    );
  });
});

describe('the authorize URL', () => {
  it("points at the environment's web host with client_id, redirect_uri and state, and the claim code only when given", () => {
    // Prepare
    const base = {
      clientId: 'cid',
      redirectUri: 'https://api.bank.example/v1/oauth/callback',
      state: 's t&x',
    };

    // Act
    const sandbox = new URL(authorizeUrl({ ...base, webBaseUrl: 'https://wise-sandbox.com' }));
    const claim = new URL(
      authorizeUrl({ ...base, webBaseUrl: 'https://wise.com/', claimAccountCode: 'claim-1' }),
    );

    // Assess
    expect(`${sandbox.origin}${sandbox.pathname}`).toBe('https://wise-sandbox.com/oauth/authorize/');
    expect(Object.fromEntries(sandbox.searchParams)).toEqual({
      client_id: 'cid',
      redirect_uri: base.redirectUri,
      state: 's t&x',
    });
    expect(`${claim.origin}${claim.pathname}`).toBe('https://wise.com/oauth/authorize/');
    expect(claim.searchParams.get('claim_account_code')).toBe('claim-1');
  });
});

describe('the callback pages', () => {
  it.each(['invalid_state', 'not_finished', 'failed'] as const)(
    '%s is self-contained, uncacheable, referrer-free and locked down by CSP',
    (kind) => {
      // Prepare / Act
      const page = callbackPage(kind);

      // Assess
      // `failed`: the state could not be read, nothing was used up: 503 with Retry-After, reload to finish.
      expect(page.status).toBe(kind === 'failed' ? 503 : 400);
      expect(page.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
      expect(page.headers?.['Content-Security-Policy']).toContain("default-src 'none'");
      expect(page.rawBody).not.toMatch(/<script|<link|<img|src=|href=/i);
      expect(page.rawBody).toMatch(/go back to the app/i);
    },
  );
});
