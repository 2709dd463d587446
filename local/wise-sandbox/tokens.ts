import { randomBytes, randomUUID } from 'node:crypto';
import type { Sim } from './context';
import {
  ACCESS_TOKEN_EXPIRES_IN,
  AUTHORIZATION_CODE_TTL_MS,
  REFRESH_TOKEN_EXPIRES_IN,
  TWELVE_HOURS_MS,
} from './context';
import type { AuthorizationCode, TokenRecord } from './state';
import { isoAt } from './clock';

/** Token issuing and revocation rules (API-NOTES §1.1, §1.2). */

/** The JOSE header of Wise's JWT example in its client-credentials token migration guide. */
const WISE_JWT_HEADER = 'eyJhbGciOiJSUzI1NiIsImVuYyI6IkEyNTZHQ00iLCJ0eXAiOiJKV1QifQ';

/**
 * A client-credentials token in Wise's 2026 format: JWT/JWE-shaped (`header.payload.signature`,
 * base64url), exactly `length` characters. Wise is moving these tokens from UUIDs to JWTs
 * (client-credentials-token-migration guide; sandbox from mid June 2026, UUIDs unsupported after
 * 7 January 2027). Its content means nothing to a client: the token is opaque.
 */
export function jwtShapedToken(clientId: string, nowMs: number, length: number): string {
  const payload = Buffer.from(
    JSON.stringify({
      sub: clientId,
      iss: 'wise-sandbox-simulator',
      jti: randomUUID(),
      iat: Math.floor(nowMs / 1000),
      exp: Math.floor(nowMs / 1000) + ACCESS_TOKEN_EXPIRES_IN,
    }),
  ).toString('base64url');
  const head = `${WISE_JWT_HEADER}.${payload}.`;
  const signatureLength = Math.max(43, length - head.length);
  const signature = randomBytes(Math.ceil((signatureLength * 3) / 4) + 3)
    .toString('base64url')
    .slice(0, signatureLength);
  return `${head}${signature}`;
}

export function issueClientToken(sim: Sim, clientId: string): TokenRecord {
  const now = sim.clock.now();
  const token: TokenRecord = {
    kind: 'client',
    clientId,
    access_token: jwtShapedToken(clientId, now, sim.config.clientTokenLength),
    accessExpiresAt: now + TWELVE_HOURS_MS,
    revoked: false,
    refreshRevoked: false,
    createdAt: now,
  };
  sim.state.tokens.push(token);
  sim.changed();
  return token;
}

/**
 * A fresh access + refresh token pair for a user: a new grant covering `profileIds` (API-NOTES
 * §1.3: the token is usable only for the granted profile; other profiles are authorised
 * separately). Re-issuing by registration_code or authorization_code kills the refresh token of
 * every older grant of that user and client that covers one of the same profiles, or none at all;
 * the access tokens they produced stay valid until they expire or are replaced (Wise's
 * refreshing-access guide). A grant for another profile keeps working.
 */
export function issueUserTokens(
  sim: Sim,
  clientId: string,
  userId: number,
  grant: { type: NonNullable<TokenRecord['grantType']>; profileIds: number[] },
): TokenRecord {
  const covered = new Set(grant.profileIds);
  for (const t of sim.state.tokens) {
    if (t.kind !== 'user' || t.userId !== userId || t.clientId !== clientId) continue;
    const old = t.profileIds ?? [];
    if (old.length === 0 || old.some((id) => covered.has(id))) t.refreshRevoked = true;
  }
  const now = sim.clock.now();
  const token: TokenRecord = {
    kind: 'user',
    clientId,
    userId,
    profileIds: [...covered],
    grantType: grant.type,
    access_token: randomUUID(),
    accessExpiresAt: now + TWELVE_HOURS_MS,
    refresh_token: randomUUID(),
    refreshExpiresAt: now + REFRESH_TOKEN_EXPIRES_IN * 1000,
    revoked: false,
    refreshRevoked: false,
    createdAt: now,
  };
  sim.state.tokens.push(token);
  sim.changed();
  return token;
}

/**
 * Refreshing immediately invalidates the previous access token minted from the same refresh token.
 * The new token covers what the grant covers.
 */
export function refreshUserToken(sim: Sim, clientId: string, refreshToken: string): TokenRecord | undefined {
  const now = sim.clock.now();
  const family = sim.state.tokens.filter(
    (t) => t.kind === 'user' && t.refresh_token === refreshToken && t.clientId === clientId,
  );
  const live = family.find((t) => !t.refreshRevoked && (t.refreshExpiresAt ?? 0) > now);
  if (!live || live.userId === undefined) return undefined;
  const user = sim.state.users.find((u) => u.id === live.userId);
  if (!user || user.state === 'DEACTIVATED') return undefined;
  for (const t of family) t.revoked = true;
  const token: TokenRecord = {
    kind: 'user',
    clientId,
    userId: live.userId,
    profileIds: [...(live.profileIds ?? [])],
    grantType: live.grantType,
    access_token: randomUUID(),
    accessExpiresAt: now + TWELVE_HOURS_MS,
    refresh_token: refreshToken,
    refreshExpiresAt: live.refreshExpiresAt,
    revoked: false,
    refreshRevoked: false,
    createdAt: now,
  };
  sim.state.tokens.push(token);
  sim.changed();
  return token;
}

/**
 * A profile created through a user token joins that token's grant, so the caller can use the
 * profile it was just given (Wise's partner-KYC guide: a linked account without a profile gets one
 * created with the linked token). Every token of the grant — same refresh token — gains it.
 */
export function extendGrant(sim: Sim, token: TokenRecord, profileId: number): void {
  if (token.kind !== 'user') return;
  for (const t of sim.state.tokens) {
    const sameGrant =
      t === token || (token.refresh_token !== undefined && t.refresh_token === token.refresh_token);
    if (sameGrant && t.kind === 'user' && !(t.profileIds ?? []).includes(profileId))
      t.profileIds = [...(t.profileIds ?? []), profileId];
  }
  sim.changed();
}

export function revokeUserTokens(sim: Sim, userId: number): number {
  let count = 0;
  for (const t of sim.state.tokens) {
    if (t.kind === 'user' && t.userId === userId && (!t.revoked || !t.refreshRevoked)) {
      t.revoked = true;
      t.refreshRevoked = true;
      count++;
    }
  }
  sim.changed();
  return count;
}

export function tokenResponse(token: TokenRecord): Record<string, unknown> {
  const base: Record<string, unknown> = {
    access_token: token.access_token,
    token_type: 'bearer',
    expires_in: ACCESS_TOKEN_EXPIRES_IN,
    expires_at: isoAt(token.accessExpiresAt),
    scope: 'transfers',
  };
  if (token.kind === 'client') return base;
  return {
    ...base,
    refresh_token: token.refresh_token,
    refresh_token_expires_in: REFRESH_TOKEN_EXPIRES_IN,
    refresh_token_expires_at: isoAt(token.refreshExpiresAt ?? token.createdAt),
    created_at: isoAt(token.createdAt),
  };
}

/** Authorization codes: single use, 30 minutes, bound to the redirect URI they were issued for. */
export function issueAuthorizationCode(
  sim: Sim,
  input: {
    userId: number;
    clientId: string;
    redirectUri: string;
    profileId?: number;
    source: AuthorizationCode['source'];
  },
): AuthorizationCode {
  const code: AuthorizationCode = {
    code: randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase(),
    userId: input.userId,
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    profileId: input.profileId,
    expiresAt: sim.clock.now() + AUTHORIZATION_CODE_TTL_MS,
    used: false,
    source: input.source,
  };
  sim.state.authorizationCodes.push(code);
  sim.changed();
  return code;
}
