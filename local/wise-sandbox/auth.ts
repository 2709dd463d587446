import type { RequestContext } from './http';
import type { Sim } from './context';
import type { TokenRecord, WiseProfile } from './state';
import { forbidden, invalidToken } from './errors';

export type TokenKind = 'client' | 'user';

/** A token works while it is not revoked, not expired, and (user tokens) its user is not deactivated. */
export function findLiveToken(sim: Sim, accessToken: string): TokenRecord | undefined {
  const token = sim.state.tokens.find((t) => t.access_token === accessToken);
  if (!token || token.revoked || token.accessExpiresAt <= sim.clock.now()) return undefined;
  if (token.kind === 'user') {
    const user = sim.state.users.find((u) => u.id === token.userId);
    if (!user || user.state === 'DEACTIVATED') return undefined;
  }
  return token;
}

/**
 * Bearer authentication. A missing, unknown, expired or revoked token: 401 invalid_token.
 * A live token of the wrong kind: 403 (the token is valid, it just may not do this).
 */
export function authenticate(sim: Sim, ctx: RequestContext, kinds: TokenKind[]): TokenRecord {
  const header = ctx.header('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) throw invalidToken();
  const token = findLiveToken(sim, match[1].trim());
  if (!token) throw invalidToken();
  if (!kinds.includes(token.kind)) {
    throw forbidden(
      ctx.path,
      sim.clock.now(),
      token.kind === 'user'
        ? 'This endpoint requires a client-credentials token'
        : 'This endpoint requires a user access token',
    );
  }
  return token;
}

/**
 * A user token reaches only the profiles its grant covers (Wise authorises one profile per grant;
 * access to the user's other profiles must be authorised separately). Unknown ids, other users'
 * profiles and the token's own user's other profiles all get the same 403, so a caller cannot
 * probe which profile ids exist. Client-credentials tokens may reach any profile where the
 * endpoint allows them.
 */
export function accessibleProfile(
  sim: Sim,
  ctx: RequestContext,
  token: TokenRecord,
  rawId: string | undefined,
): WiseProfile {
  const id = Number(rawId);
  const profile = Number.isSafeInteger(id) ? sim.state.profiles.find((p) => p.id === id) : undefined;
  if (!profile || (token.kind === 'user' && !covers(token, profile))) {
    throw forbidden(ctx.path, sim.clock.now());
  }
  return profile;
}

export function covers(token: TokenRecord, profile: WiseProfile): boolean {
  return profile.userId === token.userId && (token.profileIds ?? []).includes(profile.id);
}

/** The profiles a user token's grant covers: what profile lists answer with. */
export function coveredProfiles(sim: Sim, token: TokenRecord): WiseProfile[] {
  return sim.state.profiles.filter((p) => covers(token, p));
}

export function tokenUser(sim: Sim, token: TokenRecord) {
  const user = sim.state.users.find((u) => u.id === token.userId);
  if (!user) throw invalidToken();
  return user;
}
