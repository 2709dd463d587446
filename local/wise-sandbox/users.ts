import type { RequestContext, Router } from './http';
import { parseJson, sendJson, isRecord } from './http';
import type { Sim } from './context';
import { CLAIM_ACCOUNT_CODE_TTL_MS } from './context';
import type { WiseUser } from './state';
import { authenticate, tokenUser } from './auth';
import { fieldErrors, forbidden } from './errors';
import { isValidEmail } from './profile-model';
import { issueAuthorizationCode } from './tokens';
import { randomUUID } from 'node:crypto';

/** Users: sign-up with a registration code, lookups, contact email, claim account (API-NOTES §2). */

const LANGUAGES = ['EN', 'US', 'PT', 'ES', 'FR', 'DE', 'IT', 'JA', 'RU', 'PL', 'HU', 'TR', 'RO', 'NL', 'HK'];
const REGISTRATION_CODE_MIN = 32;

/** Wise masks emails in some error arguments: keep the first two characters of the local part. */
export function maskEmail(email: string, keepAfterAt = Infinity): string {
  const at = email.indexOf('@');
  if (at < 0) return email.slice(0, 2) + '*'.repeat(Math.max(0, email.length - 2));
  const local = email.slice(0, at);
  const domain = email.slice(at + 1, at + 1 + Math.min(keepAfterAt, email.length));
  return `${local.slice(0, 2)}${'*'.repeat(Math.max(0, local.length - 2))}@${domain}`;
}

export function findUserByEmail(sim: Sim, email: string): WiseUser | undefined {
  const wanted = email.toLowerCase();
  return sim.state.users.find((u) => u.email.toLowerCase() === wanted);
}

export function createUser(sim: Sim, input: Partial<WiseUser> & { email: string }): WiseUser {
  const user: WiseUser = {
    id: sim.state.nextIds.user++,
    email: input.email,
    password: input.password,
    registrationCode: input.registrationCode,
    createdByClientId: input.createdByClientId,
    language: input.language ?? 'EN',
    state: 'ACTIVE',
    claimed: false,
    createdAt: sim.clock.now(),
  };
  sim.state.users.push(user);
  sim.changed();
  return user;
}

export function userView(sim: Sim, user: WiseUser): Record<string, unknown> {
  const personal = sim.state.profiles.find((p) => p.userId === user.id && p.type === 'PERSONAL');
  const name = personal ? [personal.firstName, personal.lastName].filter(Boolean).join(' ') : null;
  return {
    id: user.id,
    name: name || null,
    email: user.email,
    active: user.state === 'ACTIVE',
    details: null,
  };
}

export function registerUserRoutes(router: Router, sim: Sim): void {
  router.on('POST', '/v1/user/signup/registration_code', (ctx) => {
    const token = authenticate(sim, ctx, ['client']);
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    const missing = ['email', 'registrationCode']
      .filter((k) => b[k] === undefined || b[k] === null)
      .map((k) => ({ code: 'NotNull', message: 'must not be null', path: k, arguments: [] }));
    if (missing.length > 0) throw fieldErrors(400, missing);
    const email = String(b.email);
    const code = String(b.registrationCode);
    if (code.length < REGISTRATION_CODE_MIN) {
      throw fieldErrors(400, [
        {
          code: 'Size',
          message: `size must be between ${REGISTRATION_CODE_MIN} and 2147483647`,
          path: 'registrationCode',
          arguments: ['2147483647', String(REGISTRATION_CODE_MIN)],
        },
      ]);
    }
    if (
      b.language !== undefined &&
      b.language !== null &&
      !LANGUAGES.includes(String(b.language).toUpperCase())
    ) {
      throw fieldErrors(400, [
        {
          code: 'ERROR',
          message: 'Please provide a valid language',
          path: 'language',
          arguments: ['language', String(b.language)],
        },
      ]);
    }
    if (!isValidEmail(email)) {
      throw fieldErrors(422, [
        {
          code: 'ERROR',
          message: 'Please provide a valid email',
          path: 'email',
          arguments: ['email', maskEmail(email, 1)],
        },
      ]);
    }
    const existing = findUserByEmail(sim, email);
    if (existing) {
      // The email fallback of Wise's partner-KYC guide: Wise emails the customer a link that ends in
      // an authorization code shown on screen. The simulator records the "email" for tests to read.
      if (b.sendAuthorizationCodeAsEmail === true) {
        const redirectUri = sim.config.redirectUris[0] ?? '';
        const issued = issueAuthorizationCode(sim, {
          userId: existing.id,
          clientId: token.clientId,
          redirectUri,
          profileId: sim.state.profiles.find((p) => p.userId === existing.id && p.type === 'PERSONAL')?.id,
          source: 'email',
        });
        sim.state.emailedAuthorizationCodes.push({ email: existing.email, code: issued.code });
        sim.changed();
      }
      throw fieldErrors(409, [
        {
          code: 'NOT_UNIQUE',
          message: "You're already a member. Please login",
          path: 'email',
          arguments: ['email', 'class com.transferwise.fx.api.ApiRegisterCommand', email],
        },
      ]);
    }
    const user = createUser(sim, {
      email,
      registrationCode: code,
      createdByClientId: token.clientId,
      language: typeof b.language === 'string' ? b.language.toUpperCase() : 'EN',
    });
    sendJson(ctx, 200, userView(sim, user));
  });

  router.on('POST', '/v1/users/exists', (ctx) => {
    authenticate(sim, ctx, ['client']);
    const body = parseJson(ctx);
    const email = isRecord(body) ? body.email : undefined;
    if (typeof email !== 'string' || email === '') {
      throw fieldErrors(400, [
        { code: 'NotNull', message: 'must not be null', path: 'email', arguments: [] },
      ]);
    }
    sendJson(ctx, 200, { exists: findUserByEmail(sim, email) !== undefined });
  });

  router.on('GET', '/v1/me', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    sendJson(ctx, 200, userView(sim, tokenUser(sim, token)));
  });

  const ownUser = (ctx: RequestContext) => {
    const token = authenticate(sim, ctx, ['user']);
    const user = tokenUser(sim, token);
    if (String(user.id) !== ctx.params.userId) throw forbidden(ctx.path, sim.clock.now());
    return user;
  };

  router.on('GET', '/v1/users/:userId', (ctx) => {
    sendJson(ctx, 200, userView(sim, ownUser(ctx)));
  });

  router.on('GET', '/v1/users/:userId/contact-email', (ctx) => {
    const user = ownUser(ctx);
    sendJson(ctx, 200, { email: user.contactEmail ?? user.email });
  });

  router.on('PUT', '/v1/users/:userId/contact-email', (ctx) => {
    const user = ownUser(ctx);
    const body = parseJson(ctx);
    const email = isRecord(body) ? body.email : undefined;
    if (email === undefined || email === null)
      throw fieldErrors(400, [
        { code: 'NotNull', message: 'must not be null', path: 'email', arguments: [] },
      ]);
    if (!isValidEmail(email)) {
      throw fieldErrors(422, [
        {
          code: 'ERROR',
          message: 'Please provide a valid email',
          path: 'email',
          arguments: ['email', maskEmail(String(email), 1)],
        },
      ]);
    }
    user.contactEmail = email;
    sim.changed();
    sendJson(ctx, 200, { email });
  });

  router.on('POST', '/v1/user/claim-account', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const user = tokenUser(sim, token);
    const body = parseJson(ctx);
    const code = isRecord(body) ? body.registrationCode : undefined;
    if (typeof code !== 'string' || code === '') {
      throw fieldErrors(400, [
        { code: 'NotNull', message: 'must not be null', path: 'registrationCode', arguments: [] },
      ]);
    }
    if (!user.registrationCode || user.registrationCode !== code || user.claimed) {
      throw fieldErrors(400, [
        { code: 'INVALID', message: 'Invalid registration code', path: 'registrationCode', arguments: [] },
      ]);
    }
    const claimAccountCode = randomUUID();
    sim.state.claimAccountCodes.push({
      code: claimAccountCode,
      userId: user.id,
      expiresAt: sim.clock.now() + CLAIM_ACCOUNT_CODE_TTL_MS,
      used: false,
    });
    sim.changed();
    sendJson(ctx, 200, { claimAccountCode });
  });
}
