import { DomainError } from '../errors/domain-error';

/**
 * Path tricks that a prefix comparison cannot see through, refused before the URL is parsed:
 * encoded slashes and backslashes (`/app/..%2fadmin` is under `/app/` to a URL parser but
 * `/admin` to a server that decodes first), raw backslashes (parsers turn them into slashes, other
 * software does not), dot segments, plain or encoded (`/app/../admin`, `/app/%2e%2e/admin`), and
 * the same encoded twice (`%252f`). Only the path is judged; the query and fragment are the
 * partner's own.
 */
const ENCODED_SEPARATOR = /%(25)*(2f|5c)/i;
const DOT_SEGMENT = /(^|\/)((%(25)*2e)|\.){1,2}(\/|$)/i;

const pathOf = (raw: string): string =>
  raw.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/\\?#]*/i, '').split(/[?#]/, 1)[0] ?? '';

const hasPathTrick = (raw: string): boolean => {
  // URL parsers drop tabs and line breaks (`%2\nf` becomes `%2f`); other software does not.
  if (raw.includes('\\') || /[\t\n\r]/.test(raw)) return true;
  const path = pathOf(raw);
  return ENCODED_SEPARATOR.test(path) || DOT_SEGMENT.test(path);
};

const parse = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

/**
 * Redirect targets come only from the configured allowlist of URL prefixes. The comparison is on
 * the parsed URL (scheme, host, port, then path prefix), so `https://app.example.com.evil.io` or
 * userinfo tricks never match `https://app.example.com/`. Answers the normalised URL (`href`) —
 * what is stored and sent, never the raw input — or undefined when it is not allowed.
 */
export const allowedReturnUrl = (candidate: string, allowlist: readonly string[]): string | undefined => {
  if (hasPathTrick(candidate)) return undefined;
  const target = parse(candidate);
  if (!target || target.username || target.password) return undefined;
  // Whatever the parser made of the input, the path it answers carries no encoded separator.
  if (ENCODED_SEPARATOR.test(target.pathname)) return undefined;
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return undefined;
  const allowed = allowlist.some((prefix) => {
    const base = parse(prefix);
    if (!base || base.protocol !== target.protocol || base.host !== target.host) return false;
    const path = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return target.pathname === base.pathname || target.pathname.startsWith(path);
  });
  return allowed ? target.href : undefined;
};

/** Whether the candidate is on the allowlist (see {@link allowedReturnUrl}). */
export const isAllowedReturnUrl = (candidate: string, allowlist: readonly string[]): boolean =>
  allowedReturnUrl(candidate, allowlist) !== undefined;

/**
 * The one refusal of a return or redirect URL off the allowlist, naming the field that carried it
 * (`returnUrl` for linking, `redirectUrl` for hosted KYC).
 */
export const returnUrlNotAllowed = (path: string): DomainError =>
  new DomainError('RETURN_URL_NOT_ALLOWED', {
    errors: [{ path, message: 'must start with one of the allowed return URLs' }],
  });
