import { randomUUID } from 'node:crypto';
import type { Router, RequestContext } from './http';
import { escapeHtml, formString, parseForm, sendHtml, sendRedirect, withQuery } from './http';
import type { Sim } from './context';
import type { WiseUser } from './state';
import { errorPage, hidden, page } from './html';
import { issueAuthorizationCode } from './tokens';
import { findUserByEmail } from './users';

/**
 * Wise's authorization page (API-NOTES §1.3, §2.3): login (or, with claim_account_code, set a
 * password), then consent with a profile choice, then a redirect to the registered redirect_uri.
 */

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
}

export class AuthorizeError extends Error {}

/** redirect_uri must equal a registered one exactly, query string included; otherwise no redirect. */
export function checkClient(
  sim: Sim,
  clientId: string | null | undefined,
  redirectUri: string | null | undefined,
): AuthorizeRequest {
  if (!clientId || clientId !== sim.config.clientId) throw new AuthorizeError('Unknown client_id.');
  if (!redirectUri || !sim.config.redirectUris.includes(redirectUri)) {
    throw new AuthorizeError('The redirect_uri does not match the one registered for this client.');
  }
  return { clientId, redirectUri };
}

export function checkPassword(sim: Sim, email: string, password: string): WiseUser | undefined {
  const user = findUserByEmail(sim, email);
  if (!user || user.password === undefined || user.password !== password || user.state === 'DEACTIVATED')
    return undefined;
  return user;
}

/** The consent decision, shared by the HTML page and POST /_sim/oauth/authorize. Returns the Location. */
export function decide(
  sim: Sim,
  request: AuthorizeRequest,
  user: WiseUser,
  decision: 'allow' | 'deny',
  profileId?: number,
  errorState: 'echo' | 'omit' = sim.config.oauthErrorState,
): string {
  if (decision === 'deny') {
    // Wise documents only `error` and `error_description` on this redirect; whether `state`
    // comes with them is configurable so a partner can test both (README, decisions).
    return withQuery(request.redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied access to your application.',
      state: errorState === 'echo' ? request.state : undefined,
    });
  }
  const profiles = sim.state.profiles.filter((p) => p.userId === user.id);
  const chosen =
    profileId !== undefined
      ? profiles.find((p) => p.id === profileId)
      : (profiles.find((p) => p.type === 'PERSONAL') ?? profiles[0]);
  if (profileId !== undefined && !chosen)
    throw new AuthorizeError('That profile does not belong to this user.');
  const code = issueAuthorizationCode(sim, {
    userId: user.id,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    profileId: chosen?.id,
    source: 'authorize-page',
  });
  return withQuery(request.redirectUri, {
    code: code.code,
    state: request.state,
    profileId: chosen ? String(chosen.id) : undefined,
  });
}

interface LoginTicket extends AuthorizeRequest {
  userId: number;
  expiresAt: number;
}

const TICKET_TTL_MS = 15 * 60 * 1000;

export function registerAuthorizePages(router: Router, sim: Sim): void {
  // A logged-in browser session between the login and the consent form; in memory only.
  const tickets = new Map<string, LoginTicket>();

  const consentPage = (ctx: RequestContext, request: AuthorizeRequest, user: WiseUser) => {
    const ticket = randomUUID();
    tickets.set(ticket, { ...request, userId: user.id, expiresAt: sim.clock.now() + TICKET_TTL_MS });
    const profiles = sim.state.profiles.filter((p) => p.userId === user.id);
    const options = profiles
      .map((p, i) => {
        const label =
          p.type === 'PERSONAL'
            ? `${p.firstName ?? ''} ${p.lastName ?? ''} (personal)`
            : `${p.businessName ?? ''} (business)`;
        return `<label><input type="radio" name="profileId" id="profile-${p.id}" value="${p.id}"${i === 0 ? ' checked' : ''}> ${escapeHtml(label.trim())} — ${p.id}</label>`;
      })
      .join('\n');
    sendHtml(
      ctx,
      200,
      page(
        'Allow access',
        `<h1>Allow ${escapeHtml(request.clientId)} to access your Wise account?</h1>
<p>Signed in as ${escapeHtml(user.email)}.</p>
<form method="post" action="/oauth/authorize/consent">
${hidden({ ticket })}
${profiles.length > 0 ? `<fieldset><legend>Choose a profile</legend>\n${options}\n</fieldset>` : '<p>This account has no profile yet.</p>'}
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>`,
      ),
    );
  };

  const loginPage = (
    ctx: RequestContext,
    request: AuthorizeRequest,
    status = 200,
    error?: string,
    email = '',
  ) => {
    sendHtml(
      ctx,
      status,
      page(
        'Log in',
        `<h1>Log in to Wise</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oauth/authorize/login">
${hidden({ client_id: request.clientId, redirect_uri: request.redirectUri, state: request.state })}
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username" required value="${escapeHtml(email)}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="login">Log in</button>
</form>`,
      ),
    );
  };

  const claimPage = (
    ctx: RequestContext,
    request: AuthorizeRequest,
    claimCode: string,
    status = 200,
    error?: string,
  ) => {
    sendHtml(
      ctx,
      status,
      page(
        'Set your password',
        `<h1>Claim your Wise account</h1>
<p>Choose a password to finish setting up your account.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oauth/authorize/claim">
${hidden({ client_id: request.clientId, redirect_uri: request.redirectUri, state: request.state, claim_account_code: claimCode })}
<label for="password">New password</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required>
<label for="confirmPassword">Repeat password</label>
<input type="password" id="confirmPassword" name="confirmPassword" autocomplete="new-password" minlength="8" required>
<button type="submit" id="set-password">Set password</button>
</form>`,
      ),
    );
  };

  const liveClaimCode = (code: string) => {
    const record = sim.state.claimAccountCodes.find((c) => c.code === code);
    if (!record || record.used || record.expiresAt <= sim.clock.now()) return undefined;
    return record;
  };

  const withRequest = (
    ctx: RequestContext,
    clientId: string | null | undefined,
    redirectUri: string | null | undefined,
    state: string | null | undefined,
  ) => {
    try {
      return { ...checkClient(sim, clientId, redirectUri), state: state ?? undefined };
    } catch (e) {
      sendHtml(
        ctx,
        400,
        errorPage('Something went wrong', e instanceof Error ? e.message : 'Invalid request'),
      );
      return undefined;
    }
  };

  router.on('GET', '/oauth/authorize', (ctx) => {
    const q = ctx.query;
    const request = withRequest(ctx, q.get('client_id'), q.get('redirect_uri'), q.get('state'));
    if (!request) return;
    const claimCode = q.get('claim_account_code');
    if (claimCode) {
      if (!liveClaimCode(claimCode)) {
        sendHtml(
          ctx,
          400,
          errorPage('Link expired', 'This account link has expired or was already used. Ask for a new one.'),
        );
        return;
      }
      claimPage(ctx, request, claimCode);
      return;
    }
    loginPage(ctx, request);
  });

  router.on('POST', '/oauth/authorize/login', async (ctx) => {
    const form = await parseForm(ctx);
    const request = withRequest(
      ctx,
      formString(form, 'client_id'),
      formString(form, 'redirect_uri'),
      formString(form, 'state'),
    );
    if (!request) return;
    const email = formString(form, 'email') ?? '';
    const user = checkPassword(sim, email, formString(form, 'password') ?? '');
    if (!user) {
      loginPage(ctx, request, 401, 'The email or password is not right.', email);
      return;
    }
    consentPage(ctx, request, user);
  });

  router.on('POST', '/oauth/authorize/claim', async (ctx) => {
    const form = await parseForm(ctx);
    const request = withRequest(
      ctx,
      formString(form, 'client_id'),
      formString(form, 'redirect_uri'),
      formString(form, 'state'),
    );
    if (!request) return;
    const claimCode = formString(form, 'claim_account_code') ?? '';
    const record = liveClaimCode(claimCode);
    const user = record ? sim.state.users.find((u) => u.id === record.userId) : undefined;
    if (!record || !user) {
      sendHtml(
        ctx,
        400,
        errorPage('Link expired', 'This account link has expired or was already used. Ask for a new one.'),
      );
      return;
    }
    const password = formString(form, 'password') ?? '';
    const confirm = formString(form, 'confirmPassword');
    if (password.length < 8) return claimPage(ctx, request, claimCode, 400, 'Use at least 8 characters.');
    if (confirm !== undefined && confirm !== password)
      return claimPage(ctx, request, claimCode, 400, 'The passwords do not match.');
    // Claiming hands the account to the customer: the partner's registration code stops working.
    record.used = true;
    user.password = password;
    user.claimed = true;
    sim.changed();
    consentPage(ctx, request, user);
  });

  router.on('POST', '/oauth/authorize/consent', async (ctx) => {
    const form = await parseForm(ctx);
    const ticketId = formString(form, 'ticket') ?? '';
    const ticket = tickets.get(ticketId);
    if (!ticket || ticket.expiresAt <= sim.clock.now()) {
      sendHtml(
        ctx,
        400,
        errorPage('Session expired', 'Your session has expired. Start again from the partner app.'),
      );
      return;
    }
    tickets.delete(ticketId);
    const user = sim.state.users.find((u) => u.id === ticket.userId);
    if (!user) {
      sendHtml(
        ctx,
        400,
        errorPage('Session expired', 'Your session has expired. Start again from the partner app.'),
      );
      return;
    }
    const decision = formString(form, 'decision') === 'allow' ? 'allow' : 'deny';
    const rawProfile = formString(form, 'profileId');
    try {
      sendRedirect(ctx, decide(sim, ticket, user, decision, rawProfile ? Number(rawProfile) : undefined));
    } catch (e) {
      sendHtml(
        ctx,
        400,
        errorPage('Something went wrong', e instanceof Error ? e.message : 'Invalid request'),
      );
    }
  });
}
