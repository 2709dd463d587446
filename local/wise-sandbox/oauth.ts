import type { Router, RequestContext } from './http';
import { HttpResponseError, formString, parseForm, sendJson } from './http';
import type { Sim } from './context';
import { oauthError, springError } from './errors';
import { issueClientToken, issueUserTokens, refreshUserToken, tokenResponse } from './tokens';

/** `POST /oauth/token` — HTTP Basic client authentication, form body, four grants (API-NOTES §1.2). */
export function registerOAuthRoutes(router: Router, sim: Sim): void {
  const handler = async (ctx: RequestContext) => {
    const clientId = authenticateClient(sim, ctx);
    const form = await parseForm(ctx);
    const field = (k: string) => {
      const v = formString(form, k);
      return v === undefined || v === '' ? undefined : v;
    };
    const grantType = field('grant_type');
    if (!grantType) throw oauthError(400, 'invalid_request', 'Missing grant type');

    switch (grantType) {
      case 'client_credentials':
        sendJson(ctx, 200, tokenResponse(issueClientToken(sim, clientId)));
        return;
      case 'registration_code': {
        const email = field('email');
        const code = field('registration_code');
        requireClientIdField(field('client_id'), clientId);
        if (!email || !code)
          throw oauthError(400, 'invalid_request', `Missing ${!email ? 'email' : 'registration_code'}`);
        // The partner keeps using the sign-up email (Wise's legacy bank guide), so a user who
        // changed their email at Wise is found by either.
        const user = sim.state.users.find(
          (u) =>
            u.email.toLowerCase() === email.toLowerCase() ||
            u.signupEmail?.toLowerCase() === email.toLowerCase(),
        );
        if (user?.emailChangeRefusal && user.registrationCode === code)
          throw emailChangeRefusal(sim, user.emailChangeRefusal);
        // One answer for every failure (unknown user, wrong code, reclaimed account), as Wise does.
        if (
          !user ||
          user.registrationCode !== code ||
          user.claimed ||
          user.state === 'DEACTIVATED' ||
          user.createdByClientId !== clientId
        ) {
          throw oauthError(
            sim.config.registrationCodeRefusalStatus,
            'invalid_grant',
            'Invalid user credentials.',
          );
        }
        // The grant covers what the partner created for this user (not what the user added on Wise).
        const partnerProfiles = sim.state.profiles
          .filter((p) => p.userId === user.id && p.createdByClientId === clientId)
          .map((p) => p.id);
        sendJson(
          ctx,
          200,
          tokenResponse(
            issueUserTokens(sim, clientId, user.id, {
              type: 'registration_code',
              profileIds: partnerProfiles,
            }),
          ),
        );
        return;
      }
      case 'authorization_code': {
        const code = field('code');
        const redirectUri = field('redirect_uri');
        requireClientIdField(field('client_id'), clientId);
        if (!code) throw oauthError(400, 'invalid_request', 'Missing code');
        if (!redirectUri) throw oauthError(400, 'invalid_request', 'Missing redirect_uri');
        const record = sim.state.authorizationCodes.find((c) => c.code === code && c.clientId === clientId);
        if (!record || record.used || record.expiresAt <= sim.clock.now()) {
          throw oauthError(400, 'invalid_grant', `Invalid authorization code: ${code}`);
        }
        // A code is consumed by any exchange attempt, so a leaked code cannot be retried.
        record.used = true;
        sim.changed();
        if (record.redirectUri !== redirectUri)
          throw oauthError(400, 'invalid_grant', 'Redirect URI mismatch.');
        const user = sim.state.users.find((u) => u.id === record.userId);
        if (!user || user.state === 'DEACTIVATED')
          throw oauthError(400, 'invalid_grant', 'Invalid user credentials.');
        // One profile per grant: the one chosen on the authorize page (none when the user had none).
        const granted = sim.state.profiles.find((p) => p.id === record.profileId && p.userId === user.id);
        sendJson(
          ctx,
          200,
          tokenResponse(
            issueUserTokens(sim, clientId, user.id, {
              type: 'authorization_code',
              profileIds: granted ? [granted.id] : [],
            }),
          ),
        );
        return;
      }
      case 'refresh_token': {
        const refreshToken = field('refresh_token');
        if (!refreshToken) throw oauthError(400, 'invalid_request', 'Missing refresh_token');
        const owner = sim.state.tokens.find((t) => t.kind === 'user' && t.refresh_token === refreshToken);
        const ownerUser = owner && sim.state.users.find((u) => u.id === owner.userId);
        if (ownerUser?.emailChangeRefusal) throw emailChangeRefusal(sim, ownerUser.emailChangeRefusal);
        const token = refreshUserToken(sim, clientId, refreshToken);
        if (!token) throw oauthError(400, 'invalid_grant', 'Invalid refresh token');
        sendJson(ctx, 200, tokenResponse(token));
        return;
      }
      default:
        throw oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    }
  };
  router.on('POST', '/oauth/token', handler);
}

/**
 * After an email change at Wise, token generation fails; the body is undocumented. 400 is an
 * OAuth `invalid_grant` (the status of the legacy bank guide); 403 is the Spring body Wise's
 * other 403s carry — a client must recognise a refused grant without an `error` it knows.
 */
function emailChangeRefusal(sim: Sim, status: 400 | 403): HttpResponseError {
  if (status === 400) return oauthError(400, 'invalid_grant', 'Invalid user credentials.');
  return springError(403, 'Access is denied', '/oauth/token', sim.clock.now());
}

function authenticateClient(sim: Sim, ctx: RequestContext): string {
  const header = ctx.header('authorization') ?? '';
  const match = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) {
    throw oauthError(401, 'unauthorized', 'Full authentication is required to access this resource', {
      'www-authenticate': 'Basic realm="oauth2/client"',
    });
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  const id = sep >= 0 ? decoded.slice(0, sep) : decoded;
  const secret = sep >= 0 ? decoded.slice(sep + 1) : '';
  if (id !== sim.config.clientId || secret !== sim.config.clientSecret) {
    throw oauthError(401, 'invalid_client', 'Bad client credentials');
  }
  return id;
}

function requireClientIdField(fieldValue: string | undefined, clientId: string): void {
  if (!fieldValue) throw oauthError(400, 'invalid_request', 'Missing client_id');
  if (fieldValue !== clientId)
    throw new HttpResponseError(401, {
      error: 'invalid_client',
      error_description: 'Bad client credentials',
    });
}
