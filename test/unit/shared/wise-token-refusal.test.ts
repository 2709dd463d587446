import { describe, expect, it } from 'vitest';
import { WiseApiError, WiseContractError, WiseUnavailableError } from '../../../shared/wise/errors';
import { classifyTokenRefusal, isGrantRefused, type TokenRefusal } from '../../../shared/wise/token-refusal';

const oauth = (error: string, description = 'x') => ({ error, error_description: description });
const spring = (status: number, error: string) => ({
  timestamp: '2026-01-01T00:00:00Z',
  status,
  error,
  message: 'Access is denied',
  path: '/oauth/token',
});
const token = (grant: string, status: number, body: unknown) =>
  new WiseApiError(status, `/oauth/token#${grant}`, body);

describe('classifyTokenRefusal', () => {
  // Every refusal Wise documents for its token endpoint (API-NOTES §1.2), with the source.
  const cases: [string, unknown, TokenRefusal][] = [
    // Reclaimed account or wrong registration code: "Failure: 401" (API reference, OpenAPI)…
    [
      'registration_code 401 invalid_grant',
      token('registration_code', 401, oauth('invalid_grant', 'Invalid user credentials.')),
      'invalid_grant',
    ],
    // …and 400 in the refreshing-access guide.
    [
      'registration_code 400 invalid_grant',
      token('registration_code', 400, oauth('invalid_grant', 'Invalid user credentials.')),
      'invalid_grant',
    ],
    // Revoked / expired refresh token: `invalid_grant`, status undocumented.
    ['refresh_token 400 invalid_grant', token('refresh_token', 400, oauth('invalid_grant')), 'invalid_grant'],
    ['refresh_token 401 invalid_grant', token('refresh_token', 401, oauth('invalid_grant')), 'invalid_grant'],
    ['refresh_token 403 invalid_grant', token('refresh_token', 403, oauth('invalid_grant')), 'invalid_grant'],
    // Email changed at Wise: "token generation fails" with 400 (legacy bank guide) or 403, body undocumented.
    [
      'refresh_token 403, Spring body',
      token('refresh_token', 403, spring(403, 'Forbidden')),
      'invalid_grant',
    ],
    ['registration_code 403, no body', token('registration_code', 403, undefined), 'invalid_grant'],
    ['refresh_token 400, no body', token('refresh_token', 400, undefined), 'invalid_grant'],
    // The partner's credentials, not the customer's grant — whatever the status.
    [
      'invalid_client 401',
      token('refresh_token', 401, oauth('invalid_client', 'Bad client credentials')),
      'invalid_client',
    ],
    ['invalid_client 400', token('registration_code', 400, oauth('invalid_client')), 'invalid_client'],
    [
      'no Basic header: 401 unauthorized',
      token(
        'refresh_token',
        401,
        oauth('unauthorized', 'Full authentication is required to access this resource'),
      ),
      'invalid_client',
    ],
    ['a bare 401 of the token endpoint', token('refresh_token', 401, undefined), 'invalid_client'],
    // Our own mistakes.
    [
      '400 invalid_request (missing grant type)',
      token('refresh_token', 400, oauth('invalid_request', 'Missing grant type')),
      'invalid_request',
    ],
    [
      '400 unsupported_grant_type',
      token('refresh_token', 400, oauth('unsupported_grant_type')),
      'invalid_request',
    ],
    // API calls: a refused access token.
    [
      'API 401 invalid_token',
      new WiseApiError(401, '/v2/profiles', oauth('invalid_token', 'Invalid token')),
      'invalid_token',
    ],
    [
      'API 401 without a body (deactivated user)',
      new WiseApiError(401, '/v1/me', undefined),
      'invalid_token',
    ],
    [
      'API 403 (a profile the grant does not cover)',
      new WiseApiError(403, '/v2/profiles/{profileId}', spring(403, 'Forbidden')),
      'not_a_refusal',
    ],
    ['API 404', new WiseApiError(404, '/v2/profiles/{profileId}', {}), 'not_a_refusal'],
    ['token endpoint 404', token('refresh_token', 404, {}), 'not_a_refusal'],
    // Wise did not answer usefully.
    [
      'unavailable (5xx, 429, timeout)',
      new WiseUnavailableError('/oauth/token#refresh_token', 2, 503),
      'transient',
    ],
    ['a 2xx of the wrong shape', new WiseContractError('/oauth/token#refresh_token'), 'not_a_refusal'],
    ['any other error', new Error('boom'), 'not_a_refusal'],
  ];

  it.each(cases)('%s', (_name, err, expected) => {
    // Act
    const refusal = classifyTokenRefusal(err);

    // Assess
    expect(refusal).toBe(expected);
    expect(isGrantRefused(err)).toBe(expected === 'invalid_grant');
  });
});
