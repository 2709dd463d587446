import { ADMIN_SCOPE } from '../routes';
import { forbidden, ProblemError } from './problem';
import type { GatewayEvent } from './types';

/** Who is calling a partner route, from the JWT the gateway verified. */
export interface Caller {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly isAdmin: boolean;
}

/**
 * API Gateway passes claims as strings; a list claim arrives either as an array or rendered as
 * "[a b]". Scopes are space-separated (RFC 8693 `scope`) — accept every form.
 */
const parseScopes = (raw: unknown): string[] => {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
};

export const callerOf = (event: GatewayEvent): Caller => {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  // Defence in depth: the authorizer already refused unauthenticated calls in AWS.
  if (!claims || typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new ProblemError(401, 'UNAUTHORIZED', 'A valid bearer token is required.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  const scopes = [...parseScopes(claims.scope), ...parseScopes(claims.scp)];
  return { subject: claims.sub, scopes, isAdmin: scopes.includes(ADMIN_SCOPE) };
};

/**
 * The customer guard: a caller acts on {customerId} when the token's subject is that customer,
 * or when it holds the partner back office's admin scope. Same 403 whether or not the customer exists.
 */
export const assertMayActOn = (caller: Caller, customerId: string): void => {
  if (caller.isAdmin || caller.subject === customerId) return;
  throw forbidden();
};
