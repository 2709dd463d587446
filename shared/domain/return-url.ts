import { DomainError } from '../errors/domain-error';

/**
 * Redirect targets come only from the configured allowlist of URL prefixes. The comparison is
 * on the parsed URL (scheme, host, port, then path prefix), so `https://app.example.com.evil.io`
 * or userinfo tricks never match `https://app.example.com/`.
 */
export const isAllowedReturnUrl = (candidate: string, allowlist: readonly string[]): boolean => {
  let target: URL;
  try {
    target = new URL(candidate);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  return allowlist.some((prefix) => {
    let allowed: URL;
    try {
      allowed = new URL(prefix);
    } catch {
      return false;
    }
    if (allowed.protocol !== target.protocol || allowed.host !== target.host) return false;
    const base = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
    return target.pathname === allowed.pathname || target.pathname.startsWith(base);
  });
};

/**
 * The one refusal of a return or redirect URL off the allowlist, naming the field that carried it
 * (`returnUrl` for linking, `redirectUrl` for hosted KYC).
 */
export const returnUrlNotAllowed = (path: string): DomainError =>
  new DomainError('RETURN_URL_NOT_ALLOWED', {
    errors: [{ path, message: 'must start with one of the allowed return URLs' }],
  });
