import { describe, expect, it } from 'vitest';
import { loadConfig, unsafeUrlProblem } from '../../../shared/runtime/config';

/**
 * Issue 18: `http://localhost` (and any http:// URL) was accepted in production configuration. A
 * return URL or callback over http:// would carry the one-time link result and codes in clear.
 */
const env = (overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  WISE_ENVIRONMENT: 'production',
  TABLE_NAME: 't',
  OAUTH_CALLBACK_URL: 'https://wise.bank.example.com/v1/oauth/callback',
  ALLOWED_RETURN_URLS: 'https://app.bank.example.com/wise/',
  ...overrides,
});

describe('loadConfig: URLs customers are sent to', () => {
  it('accepts https return URLs and callback in production', () => {
    // Act
    const config = loadConfig(env({}));

    // Assess
    expect(config.allowedReturnUrls).toEqual(['https://app.bank.example.com/wise/']);
  });

  it.each([
    [
      'an http:// return URL',
      { ALLOWED_RETURN_URLS: 'https://app.bank.example.com/,http://app.bank.example.com/' },
      /ALLOWED_RETURN_URLS must use https in production/,
    ],
    [
      'http://localhost as a return URL',
      { ALLOWED_RETURN_URLS: 'http://localhost:3000/' },
      /ALLOWED_RETURN_URLS must use https in production/,
    ],
    [
      'http://127.0.0.1 as a return URL',
      { ALLOWED_RETURN_URLS: 'http://127.0.0.1:3000/' },
      /ALLOWED_RETURN_URLS must use https in production/,
    ],
    [
      'an http:// callback',
      { OAUTH_CALLBACK_URL: 'http://localhost:3000/v1/oauth/callback' },
      /OAUTH_CALLBACK_URL must use https in production/,
    ],
    [
      'a return URL that is not a URL',
      { ALLOWED_RETURN_URLS: 'app.bank.example.com' },
      /ALLOWED_RETURN_URLS is not a URL/,
    ],
  ])('refuses %s in production, naming the variable but not its value', (_name, overrides, message) => {
    // Act
    const load = () => loadConfig(env(overrides));

    // Assess
    expect(load).toThrow(message);
    expect(load).not.toThrow(/bank\.example|localhost:3000|127\.0\.0\.1/);
  });

  it('accepts http://localhost only outside production, and no other http:// host anywhere', () => {
    // Act + Assess
    const local = { WISE_ENVIRONMENT: 'local', WISE_API_BASE_URL: 'http://localhost:3001' };
    expect(
      loadConfig(
        env({
          ...local,
          ALLOWED_RETURN_URLS: 'http://localhost:3000/',
          OAUTH_CALLBACK_URL: 'http://localhost:3000/v1/oauth/callback',
        }),
      ).wiseEnvironment,
    ).toBe('local');
    expect(() => loadConfig(env({ ...local, ALLOWED_RETURN_URLS: 'http://app.bank.example.com/' }))).toThrow(
      /ALLOWED_RETURN_URLS/,
    );
    expect(unsafeUrlProblem('http://localhost:3000/', 'sandbox')).toBeUndefined();
    expect(unsafeUrlProblem('http://localhost.evil.example/', 'sandbox')).toBeDefined();
    expect(unsafeUrlProblem('javascript:alert(1)', 'local')).toBeDefined();
    expect(unsafeUrlProblem('http://[::1]:3000/', 'production')).toBeDefined();
  });
});
