import type { RequestContext, Router } from './http';
import { HttpResponseError, parseJson, sendEmpty, sendJson, isRecord } from './http';
import type { Sim } from './context';
import { AuthorizeError, checkClient, checkPassword, decide } from './authorize';
import { completeReview } from './kyc-model';
import { revokeUserTokens } from './tokens';
import { FaultBook, validateFault } from './faults';
import { createExistingBusinessProfile, createExistingUser } from './demo-user';
import { findUserByEmail } from './users';
import { isValidDate, isValidEmail } from './profile-model';
import { advanceSettling, isoAt, isoSecondsAt } from './clock';
import { sampleEventData } from './webhook-events';

/** The simulator's own controls under /_sim/ (PARTNER-API.md, "The local stack"). Local only. */

export interface ControlDeps {
  faults: FaultBook;
  /** Wise API requests being served right now, the ones a fault holds back included. */
  apiRequestsInProgress(): number;
  publicKeyPem: string;
  /** Webhook attempts under way, so a clock move can wait for the ones it starts. */
  deliveries: { mark(): number; settledAfter(mark: number): Promise<void> };
  reset(): void;
}

function bad(message: string, status = 400): HttpResponseError {
  return new HttpResponseError(status, { error: 'invalid_request', error_description: message });
}

function body(ctx: RequestContext): Record<string, unknown> {
  const b = parseJson(ctx);
  if (b === undefined) return {};
  if (!isRecord(b)) throw bad('body must be a JSON object');
  return b;
}

export function registerControlRoutes(router: Router, sim: Sim, deps: ControlDeps): void {
  router.on('POST', '/_sim/users', (ctx) => {
    const b = body(ctx);
    if (!isValidEmail(b.email)) throw bad('email must be a valid email');
    if (typeof b.password !== 'string' || b.password === '') throw bad('password is required');
    for (const k of ['firstName', 'lastName'])
      if (typeof b[k] !== 'string' || b[k] === '') throw bad(`${k} is required`);
    const dateOfBirth = b.dateOfBirth ?? '1990-01-01';
    if (!isValidDate(dateOfBirth)) throw bad('dateOfBirth must be yyyy-mm-dd');
    if (findUserByEmail(sim, b.email)) throw bad('a user with this email already exists', 409);
    const created = createExistingUser(sim, {
      email: b.email,
      password: b.password,
      firstName: String(b.firstName),
      lastName: String(b.lastName),
      dateOfBirth,
      phoneNumber: typeof b.phoneNumber === 'string' ? b.phoneNumber : undefined,
      address: isRecord(b.address) ? b.address : undefined,
      nationality: typeof b.nationality === 'string' ? b.nationality : undefined,
      verified: b.verified === true,
    });
    sendJson(ctx, 201, created);
  });

  router.on('POST', '/_sim/users/:userId/business-profiles', (ctx) => {
    const user = sim.state.users.find((u) => String(u.id) === ctx.params.userId);
    if (!user) throw bad('user not found', 404);
    const outcome = createExistingBusinessProfile(sim, user.id, body(ctx));
    switch (outcome.kind) {
      case 'created':
        sendJson(ctx, 201, { profileId: outcome.profileId });
        return;
      case 'invalid':
        throw bad(outcome.errors.map((e) => `${e.path ?? 'body'}: ${e.message}`).join('; '));
      case 'no-personal-profile':
        throw bad('the user needs a personal profile before a business profile', 409);
      case 'duplicate':
        throw bad('the user already has a business profile with this name and registration number', 409);
    }
  });

  router.on('POST', '/_sim/oauth/authorize', (ctx) => {
    const b = body(ctx);
    const decision = b.decision;
    if (decision !== 'allow' && decision !== 'deny') throw bad('decision must be "allow" or "deny"');
    let request;
    try {
      request = {
        ...checkClient(sim, stringOrUndefined(b.client_id), stringOrUndefined(b.redirect_uri)),
        state: stringOrUndefined(b.state),
      };
    } catch (e) {
      throw bad(e instanceof Error ? e.message : 'invalid request');
    }
    const user = checkPassword(sim, String(b.email ?? ''), String(b.password ?? ''));
    if (!user) throw bad('the email or password is not right', 401);
    const profileId = b.profileId === undefined || b.profileId === null ? undefined : Number(b.profileId);
    if (b.errorState !== undefined && b.errorState !== 'echo' && b.errorState !== 'omit')
      throw bad('errorState must be "echo" or "omit"');
    const errorState = (b.errorState as 'echo' | 'omit' | undefined) ?? sim.config.oauthErrorState;
    try {
      sendJson(ctx, 200, { location: decide(sim, request, user, decision, profileId, errorState) });
    } catch (e) {
      if (e instanceof AuthorizeError) throw bad(e.message);
      throw e;
    }
  });

  router.on('POST', '/_sim/kyc-reviews/:reviewId/complete', async (ctx) => {
    const b = body(ctx);
    const outcome = b.outcome ?? 'success';
    if (outcome !== 'success' && outcome !== 'error') throw bad('outcome must be "success" or "error"');
    const review = sim.state.kycReviews.find((r) => r.id === ctx.params.reviewId);
    if (!review) throw bad('KYC review not found', 404);
    sendJson(ctx, 200, { location: await completeReview(sim, review, outcome) });
  });

  router.on('POST', '/_sim/faults', (ctx) => {
    const input = validateFault(parseJson(ctx));
    if (typeof input === 'string') throw bad(input);
    sendJson(ctx, 201, deps.faults.add(input));
  });
  router.on('GET', '/_sim/faults', (ctx) => sendJson(ctx, 200, deps.faults.list()));
  router.on('GET', '/_sim/requests', (ctx) =>
    sendJson(ctx, 200, { inProgress: deps.apiRequestsInProgress() }),
  );
  router.on('DELETE', '/_sim/faults', (ctx) => {
    deps.faults.clear();
    sendEmpty(ctx, 204);
  });

  router.on('POST', '/_sim/users/:userId/revoke-tokens', (ctx) => {
    const user = sim.state.users.find((u) => String(u.id) === ctx.params.userId);
    if (!user) throw bad('user not found', 404);
    sendJson(ctx, 200, { userId: user.id, revoked: revokeUserTokens(sim, user.id) });
  });

  /**
   * The user changed their email at Wise: every token is revoked and token generation fails from
   * now on (refresh and registration_code), with `refusalStatus` 400 (default) or 403 — Wise's
   * guides give both (API-NOTES §1.2).
   */
  router.on('POST', '/_sim/users/:userId/change-email', (ctx) => {
    const user = sim.state.users.find((u) => String(u.id) === ctx.params.userId);
    if (!user) throw bad('user not found', 404);
    const b = body(ctx);
    if (!isValidEmail(b.email)) throw bad('email must be a valid email');
    const refusalStatus = b.refusalStatus ?? 400;
    if (refusalStatus !== 400 && refusalStatus !== 403) throw bad('refusalStatus must be 400 or 403');
    user.signupEmail ??= user.email;
    user.email = b.email;
    user.emailChangeRefusal = refusalStatus;
    const revoked = revokeUserTokens(sim, user.id);
    sim.changed();
    sendJson(ctx, 200, { userId: user.id, email: user.email, revoked, refusalStatus });
  });

  router.on('POST', '/_sim/users/:userId/deactivate', async (ctx) => {
    const user = sim.state.users.find((u) => String(u.id) === ctx.params.userId);
    if (!user) throw bad('user not found', 404);
    const b = body(ctx);
    const previous = user.state;
    user.state = 'DEACTIVATED';
    revokeUserTokens(sim, user.id);
    if (previous !== 'DEACTIVATED') {
      await sim.events.publish('users#state-change', {
        resource: { id: user.id, type: 'user' },
        previous_state: previous,
        current_state: 'DEACTIVATED',
        deactivation_type: typeof b.deactivationType === 'string' ? b.deactivationType : 'ACCOUNT_CLOSURE',
        deactivation_reason:
          typeof b.deactivationReason === 'string' ? b.deactivationReason : 'Closed in the simulator',
        occurred_at: isoSecondsAt(sim.clock.now()),
      });
    }
    sendJson(ctx, 200, { userId: user.id, state: user.state });
  });

  /** Fires any event through the real delivery pipeline; without `data`, a sample payload. */
  router.on('POST', '/_sim/events', async (ctx) => {
    const b = body(ctx);
    if (typeof b.event_type !== 'string' || b.event_type === '') throw bad('event_type is required');
    const profileId = typeof b.profileId === 'number' ? b.profileId : undefined;
    const eventType = b.event_type;
    const now = sim.clock.now();
    const data = isRecord(b.data)
      ? b.data
      : (version: string) =>
          sampleEventData(eventType, version === '2.0.0' ? isoSecondsAt(now) : isoAt(now), version);
    await sim.events.publish(eventType, data, profileId);
    sendJson(ctx, 202, { event_type: b.event_type });
  });

  router.on('GET', '/_sim/state', (ctx) => sendJson(ctx, 200, stateView(sim)));

  router.on('GET', '/_sim/webhook-public-key', (ctx) => {
    ctx.res.writeHead(200, { 'content-type': 'application/x-pem-file' });
    ctx.res.end(deps.publicKeyPem);
  });

  // Moves the clock; what falls due runs, and the answer waits for the webhook attempts it started.
  router.on('POST', '/_sim/clock', async (ctx) => {
    const b = body(ctx);
    if (typeof b.advanceMs !== 'number' || !Number.isFinite(b.advanceMs) || b.advanceMs < 0)
      throw bad('advanceMs must be a non-negative number');
    await advanceSettling(sim.clock, b.advanceMs, deps.deliveries);
    sendJson(ctx, 200, { now: new Date(sim.clock.now()).toISOString() });
  });
  router.on('GET', '/_sim/clock', (ctx) =>
    sendJson(ctx, 200, { now: new Date(sim.clock.now()).toISOString() }),
  );

  router.on('POST', '/_sim/reset', (ctx) => {
    deps.faults.clear();
    deps.reset();
    sendEmpty(ctx, 204);
  });
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** GET /_sim/state in the shape PARTNER-API.md fixes (extra fields allowed). */
export function stateView(sim: Sim): Record<string, unknown> {
  const s = sim.state;
  return {
    now: new Date(sim.clock.now()).toISOString(),
    users: s.users.map((u) => ({
      id: u.id,
      email: u.email,
      ...(u.registrationCode ? { registrationCode: u.registrationCode } : {}),
      active: u.state === 'ACTIVE',
      state: u.state,
      claimed: u.claimed,
      contactEmail: u.contactEmail ?? null,
    })),
    profiles: s.profiles.map((p) => ({
      id: p.id,
      userId: p.userId,
      type: p.type,
      ...(p.firstName !== undefined ? { firstName: p.firstName } : {}),
      ...(p.lastName !== undefined ? { lastName: p.lastName } : {}),
      ...(p.dateOfBirth !== undefined ? { dateOfBirth: p.dateOfBirth } : {}),
      ...(p.businessName !== undefined ? { businessName: p.businessName } : {}),
      ...(typeof p.registrationNumber === 'string' ? { registrationNumber: p.registrationNumber } : {}),
      createdByClientId: p.createdByClientId ?? null,
      verification: p.verification,
      updateWindowOpen: p.updateWindowOpen,
      directors: p.directors.length,
      ubos: p.ubos.length,
    })),
    tokens: s.tokens.map((t) => ({
      kind: t.kind,
      ...(t.userId !== undefined ? { userId: t.userId } : {}),
      ...(t.kind === 'user' ? { profileIds: [...(t.profileIds ?? [])], grantType: t.grantType ?? null } : {}),
      access_token: t.access_token,
      ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
      revoked: t.revoked || t.accessExpiresAt <= sim.clock.now(),
      refreshRevoked: t.kind === 'user' ? t.refreshRevoked : undefined,
    })),
    authorizationCodes: s.authorizationCodes.map((c) => ({
      code: c.code,
      userId: c.userId,
      used: c.used,
      profileId: c.profileId ?? null,
      source: c.source,
    })),
    emailedAuthorizationCodes: s.emailedAuthorizationCodes,
    claimAccountCodes: s.claimAccountCodes.map((c) => ({ code: c.code, userId: c.userId, used: c.used })),
    quotes: s.quotes.map((q) => ({ id: q.id, profileId: q.profileId })),
    kycReviews: s.kycReviews.map((r) => ({
      id: r.id,
      profileId: r.profileId,
      status: r.status,
      redirectUrl: r.redirectUrl,
      requirements: r.requirements.flat().map((q) => ({ key: q.key, state: q.state })),
    })),
    subscriptions: s.subscriptions.map((x) => ({
      id: x.id,
      trigger_on: x.trigger_on,
      delivery: { url: x.delivery.url, version: x.delivery.version },
      scope: x.scope,
    })),
    deliveries: s.deliveries.map((d) => ({
      id: d.id,
      subscriptionId: d.subscriptionId,
      event_type: d.event_type,
      responseStatus: d.responseStatus,
      attempts: d.attempts,
      status: d.status,
      test: d.test,
      deliveryIds: d.attemptDeliveryIds,
      // The simulator's clock: when each attempt started and when the next one is due.
      attemptedAt: (d.attemptedAt ?? []).map((t) => new Date(t).toISOString()),
      nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(),
    })),
  };
}
