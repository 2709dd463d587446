import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAllowedReturnUrl } from '../../../shared/domain/return-url';
import { DomainError, ValidationError } from '../../../shared/errors/domain-error';
import { assertMayCall, callerOf } from '../../../shared/http/caller';
import { problemAnswer, problemBody } from '../../../shared/http/problem';
import type { GatewayEvent } from '../../../shared/http/types';
import { isSecretKey, REDACTED, redactingReplacer } from '../../../shared/logging/redact';

const eventWith = (claims?: Record<string, unknown>) =>
  ({ requestContext: { authorizer: claims ? { jwt: { claims } } : undefined } }) as unknown as GatewayEvent;

describe('the redacting logger replacer', () => {
  it('masks secret-bearing fields at any depth and keeps the rest', () => {
    // Prepare
    const entry = {
      message: 'wise call',
      path: '/oauth/token',
      access_token: 'a',
      nested: {
        refreshToken: 'b',
        registrationCode: 'c',
        client_secret: 'd',
        state: 'e',
        code: 'f',
        status: 200,
      },
      Authorization: 'Bearer g',
    };

    // Act
    const text = JSON.stringify(entry, redactingReplacer as (k: string, v: unknown) => unknown);

    // Assess
    for (const secret of ['"a"', '"b"', '"c"', '"d"', '"e"', '"f"', 'Bearer g'])
      expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({
      message: 'wise call',
      path: '/oauth/token',
      access_token: REDACTED,
      nested: { status: 200 },
    });
  });

  it('treats every *token* and *secret* key as secret', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('token', 'Token', 'secret', 'SECRET', 'password'),
        fc.string({ maxLength: 10 }),
        (a, word, b) => {
          // Assess
          expect(isSecretKey(`${a}${word}${b}`)).toBe(true);
        },
      ),
    );
  });
});

describe('problem+json bodies', () => {
  it('carry type, title, status, detail, code and the field errors', () => {
    // Act
    const { body } = problemAnswer(
      new ValidationError([{ path: 'email', message: 'must be a valid email address' }]),
    );

    // Assess
    expect(body).toEqual({
      type: 'https://wise-onboarding.dev/problems/validation-failed',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is not valid.',
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'email', message: 'must be a valid email address' }],
    });
  });

  it('leave errors out when there are none, and give WISE_UNAVAILABLE a whole-second Retry-After', () => {
    // Act
    const plain = problemBody('CUSTOMER_NOT_FOUND', 'No such customer.', []);
    const outage = problemAnswer(new DomainError('WISE_UNAVAILABLE', { retryAfterSeconds: 0.2 }));

    // Assess
    expect(plain).not.toHaveProperty('errors');
    expect(plain.status).toBe(404);
    expect(outage.status).toBe(503);
    expect(outage.headers['Retry-After']).toBe('1');
  });
});

describe('the customer guard', () => {
  it('lets a customer act on itself only', () => {
    // Prepare
    const caller = callerOf(eventWith({ sub: 'cust-1' }));

    // Act
    const other = (() => {
      try {
        assertMayCall(caller, ['customer', 'partner'], 'cust-2');
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(() => assertMayCall(caller, ['customer', 'partner'], 'cust-1')).not.toThrow();
    expect((other as DomainError).status).toBe(403);
    expect((other as DomainError).code).toBe('FORBIDDEN');
  });

  it('reads the admin scope from the space-delimited scope claim (RFC 9068)', () => {
    // Act
    const caller = callerOf(eventWith({ sub: 'back-office', scope: 'openid  wise-onboarding/admin' }));

    // Assess
    expect(caller.isAdmin).toBe(true);
    expect(() => assertMayCall(caller, ['customer', 'partner'], 'anyone')).not.toThrow();
  });

  it.each([
    ['comma-joined into one legal scope', { scope: 'x,wise-onboarding/admin' }],
    ['comma-separated', { scope: 'openid,wise-onboarding/admin' }],
    ['in the scp claim', { scp: 'wise-onboarding/admin' }],
    ['in the scp claim as an array', { scp: ['wise-onboarding/admin'] }],
    ['bracketed as API Gateway renders an array claim', { scope: '[openid wise-onboarding/admin]' }],
    ['an array (not RFC 9068)', { scope: ['openid', 'wise-onboarding/admin'] }],
  ])('grants no scope %s', (_name, claims) => {
    // Act
    const caller = callerOf(eventWith({ sub: 'someone', ...claims }));

    // Assess
    expect(caller.isAdmin).toBe(false);
    expect(() => assertMayCall(caller, ['customer', 'partner'], 'anyone')).toThrow();
  });

  it("does not take a scope that merely contains the admin scope's text", () => {
    // Act
    const caller = callerOf(eventWith({ sub: 'x', scope: 'wise-onboarding/admin-lite' }));

    // Assess
    expect(caller.isAdmin).toBe(false);
  });

  it('answers 401 without a subject', () => {
    // Act
    const err = (() => {
      try {
        callerOf(eventWith());
      } catch (e) {
        return e as DomainError;
      }
    })();

    // Assess
    expect(err?.status).toBe(401);
  });
});

describe('the return-url allowlist', () => {
  const allow = ['https://app.example.com/return/'];

  it.each(['https://app.example.com/return/', 'https://app.example.com/return/done?x=1'])(
    'allows %s',
    (url) => {
      expect(isAllowedReturnUrl(url, allow)).toBe(true);
    },
  );

  it.each([
    'https://app.example.com.evil.io/return/',
    'https://evil.io@app.example.com/return/',
    'https://user:pw@app.example.com/return/',
    'http://app.example.com/return/',
    'https://app.example.com/returned',
    'https://app.example.com:8443/return/',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAllowedReturnUrl(url, allow)).toBe(false);
  });

  it('never allows a host other than the allowed one', () => {
    fc.assert(
      fc.property(fc.webUrl(), (url) => {
        // Assess
        if (new URL(url).host !== 'app.example.com') expect(isAllowedReturnUrl(url, allow)).toBe(false);
      }),
    );
    // Generating web URLs is CPU-heavy: a busy machine must not fail the property by time.
  }, 30_000);
});
