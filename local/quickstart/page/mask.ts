/**
 * What the call log may show. A partner's engineer must see which calls the flow makes, never a
 * usable credential: bearer tokens, OAuth state, codes, link results and hosted-link tokens are cut to a prefix.
 */

/** Query parameters that carry a credential or a one-time secret in the URLs this flow sees. */
const SECRET_PARAMS = new Set([
  'state',
  'code',
  'token',
  'claim_account_code',
  'access_token',
  'refresh_token',
  'result',
]);

/**
 * Body fields that hold a credential. Not `state` or `code`: in bodies they are a KYC requirement's
 * state and a problem's machine code; the OAuth state and code only travel in URLs (masked above).
 */
const SECRET_KEYS =
  /^(token|access_token|accessToken|refresh_token|refreshToken|id_token|password|client_secret|registrationCode|authorization|result)$/i;

const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;

/** Keeps a short prefix so two different values still look different in the log. */
export const maskSecret = (value: string): string =>
  value.length <= 8 ? '••••••' : `${value.slice(0, 6)}…••••••`;

/** A URL with its secret query parameters masked; anything that is not an absolute URL comes back as is. */
export const maskUrl = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  let changed = false;
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.has(key)) {
      url.searchParams.set(key, maskSecret(url.searchParams.get(key) ?? ''));
      changed = true;
    }
  }
  // URLSearchParams percent-encodes the mask; show it as a person would read it.
  return changed ? decodeURIComponent(url.toString()) : raw;
};

const maskString = (value: string): string => {
  if (JWT.test(value)) return maskSecret(value);
  if (/^https?:\/\//i.test(value)) return maskUrl(value);
  return value;
};

/** A deep copy of a JSON value with every credential masked. */
export const maskJson = (value: unknown, key?: string): unknown => {
  if (typeof value === 'string')
    return key !== undefined && SECRET_KEYS.test(key) ? maskSecret(value) : maskString(value);
  if (Array.isArray(value)) return value.map((item) => maskJson(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskJson(v, k)]),
    );
  }
  return value;
};

/** `Authorization: Bearer <token>` as the log shows it. */
export const maskAuthorization = (header: string): string => {
  const match = /^(\w+)\s+(.+)$/.exec(header);
  return match ? `${match[1]} ${maskSecret(match[2] ?? '')}` : maskSecret(header);
};
