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
 * Scopes come from the `scope` claim alone, a space-delimited string (RFC 9068 §2.2.3, RFC 6749
 * §3.3): a comma is part of a scope name, never a separator, so the one legal scope
 * `x,wise-onboarding/admin` grants nothing, and no other claim (`scp`) grants a scope. Anything
 * that is not a string grants nothing.
 */
const parseScopes = (raw: unknown): string[] => {
  if (typeof raw !== 'string') return [];
  return raw.split(' ').filter(Boolean);
};

export const callerOf = (event: GatewayEvent): Caller => {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  // Defence in depth: the authorizer already refused unauthenticated calls in AWS.
  if (!claims || typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new DomainError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const scopes = parseScopes(claims.scope);
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
export const assertMayCall = (
  caller: Caller,
  allowed: readonly CallerKind[],
  customerId: string | undefined,
): void => {
  if (callerKinds(caller, customerId).some((kind) => allowed.includes(kind))) return;
  throw new DomainError('FORBIDDEN');
};
