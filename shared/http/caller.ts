import { DomainError } from '../errors/domain-error';
import { ADMIN_SCOPE, WISE_ACCESS_SCOPE, type CallerKind } from '../routes';
import type { GatewayEvent } from './types';

/** Who is calling a route, from the JWT the gateway verified. */
export interface Caller {
  readonly subject: string;
  readonly scopes: readonly string[];
  /** The partner backend (scope `wise-onboarding/admin`). */
  readonly isAdmin: boolean;
  /** The partner's payment services (scope `wise-onboarding/wise-access`). */
  readonly isWiseAccess: boolean;
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
    throw new DomainError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const scopes = [...parseScopes(claims.scope), ...parseScopes(claims.scp)];
  return {
    subject: claims.sub,
    scopes,
    isAdmin: scopes.includes(ADMIN_SCOPE),
    isWiseAccess: scopes.includes(WISE_ACCESS_SCOPE),
  };
};

/** The kinds of caller a token is, for a route on `customerId` (undefined: a route on no customer). */
export const callerKinds = (caller: Caller, customerId: string | undefined): CallerKind[] => [
  ...(customerId !== undefined && caller.subject === customerId ? (['customer'] as const) : []),
  ...(caller.isAdmin ? (['partner'] as const) : []),
  ...(caller.isWiseAccess ? (['wise-access'] as const) : []),
];

/**
 * The caller guard: a caller may act when one of the kinds it is appears in the route's callers.
 * The same 403 whether or not the customer exists.
 */
export const assertMayCall = (caller: Caller, allowed: readonly CallerKind[], customerId: string | undefined): void => {
  if (callerKinds(caller, customerId).some((kind) => allowed.includes(kind))) return;
  throw new DomainError('FORBIDDEN');
};
