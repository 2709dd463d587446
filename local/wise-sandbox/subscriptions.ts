import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { RequestContext, Router } from './http';
import { parseJson, sendEmpty, sendJson, isRecord } from './http';
import type { Sim } from './context';
import type { Subscription } from './state';
import { accessibleProfile, authenticate } from './auth';
import { fieldErrors, forbidden, type FieldError } from './errors';
import { APPLICATION_EVENTS, PROFILE_EVENTS, sampleEventData, schemaVersionsFor } from './webhook-events';
import type { WebhookDispatcher } from './webhook-delivery';
import { isoAt, isoSecondsAt } from './clock';

/**
 * Webhook subscriptions (API-NOTES §6.1): application scope with a client-credentials token,
 * profile scope with a user token.
 */
export function registerSubscriptionRoutes(
  router: Router,
  sim: Sim,
  dispatcher: () => WebhookDispatcher,
): void {
  const applicationScope = (ctx: RequestContext) => {
    const token = authenticate(sim, ctx, ['client']);
    if (ctx.params.clientKey !== sim.config.clientKey) throw forbidden(ctx.path, sim.clock.now());
    return token;
  };
  const appSubs = (clientKey: string) =>
    sim.state.subscriptions.filter((s) => s.scope.domain === 'application' && s.scope.id === clientKey);

  router.on('POST', '/v3/applications/:clientKey/subscriptions', (ctx) => {
    const token = applicationScope(ctx);
    const input = validateSubscription(parseJson(ctx), APPLICATION_EVENTS);
    const sub = addSubscription(
      sim,
      input,
      { domain: 'application', id: sim.config.clientKey },
      { type: 'application', id: token.clientId },
    );
    sendJson(ctx, 200, subscriptionView(sub));
  });
  router.on('GET', '/v3/applications/:clientKey/subscriptions', (ctx) => {
    applicationScope(ctx);
    sendJson(ctx, 200, appSubs(sim.config.clientKey).map(subscriptionView));
  });
  router.on('GET', '/v3/applications/:clientKey/subscriptions/:subscriptionId', (ctx) => {
    applicationScope(ctx);
    sendJson(ctx, 200, subscriptionView(findSub(appSubs(sim.config.clientKey), ctx)));
  });
  router.on('DELETE', '/v3/applications/:clientKey/subscriptions/:subscriptionId', (ctx) => {
    applicationScope(ctx);
    removeSub(sim, findSub(appSubs(sim.config.clientKey), ctx));
    sendEmpty(ctx, 204);
  });
  router.on('POST', '/v3/applications/:clientKey/subscriptions/:subscriptionId/test-notifications', (ctx) => {
    applicationScope(ctx);
    const sub = findSub(appSubs(sim.config.clientKey), ctx);
    const now = sim.clock.now();
    const occurredAt = sub.delivery.version === '2.0.0' ? isoSecondsAt(now) : isoAt(now);
    const record = dispatcher().sendTest(
      sub,
      sampleEventData(sub.trigger_on, occurredAt, sub.delivery.version),
    );
    sendJson(ctx, 200, [
      { delivery_id: record.attemptDeliveryIds[0] ?? record.id, created_at: isoSecondsAt(record.createdAt) },
    ]);
  });

  const profileScope = (ctx: RequestContext) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    return {
      token,
      profile,
      subs: sim.state.subscriptions.filter(
        (s) => s.scope.domain === 'profile' && s.scope.id === String(profile.id),
      ),
    };
  };
  router.on('POST', '/v3/profiles/:profileId/subscriptions', (ctx) => {
    const { token, profile } = profileScope(ctx);
    const input = validateSubscription(parseJson(ctx), PROFILE_EVENTS);
    const sub = addSubscription(
      sim,
      input,
      { domain: 'profile', id: String(profile.id) },
      { type: 'user', id: String(token.userId) },
    );
    sendJson(ctx, 200, subscriptionView(sub));
  });
  router.on('GET', '/v3/profiles/:profileId/subscriptions', (ctx) => {
    sendJson(ctx, 200, profileScope(ctx).subs.map(subscriptionView));
  });
  router.on('GET', '/v3/profiles/:profileId/subscriptions/:subscriptionId', (ctx) => {
    sendJson(ctx, 200, subscriptionView(findSub(profileScope(ctx).subs, ctx)));
  });
  router.on('DELETE', '/v3/profiles/:profileId/subscriptions/:subscriptionId', (ctx) => {
    removeSub(sim, findSub(profileScope(ctx).subs, ctx));
    sendEmpty(ctx, 204);
  });
}

interface SubscriptionInput {
  name: string;
  trigger_on: string;
  delivery: Subscription['delivery'];
}

function validateSubscription(body: unknown, allowedEvents: Set<string>): SubscriptionInput {
  const b = isRecord(body) ? body : {};
  const errors: FieldError[] = [];
  if (typeof b.name !== 'string' || b.name.trim() === '')
    errors.push({ code: 'NotBlank', message: 'must not be blank', path: 'name' });
  if (typeof b.trigger_on !== 'string' || b.trigger_on === '')
    errors.push({ code: 'NotBlank', message: 'must not be blank', path: 'trigger_on' });
  else if (!allowedEvents.has(b.trigger_on)) {
    errors.push({
      code: 'INVALID_TRIGGER',
      message: `Event type ${b.trigger_on} is not supported for this subscription scope`,
      path: 'trigger_on',
    });
  }
  const d = isRecord(b.delivery) ? b.delivery : undefined;
  if (!d) errors.push({ code: 'NotNull', message: 'must not be null', path: 'delivery' });
  else {
    const versions = schemaVersionsFor(typeof b.trigger_on === 'string' ? b.trigger_on : '');
    if (typeof d.version !== 'string' || !versions.includes(d.version)) {
      errors.push({
        code: 'INVALID_VERSION',
        message: `delivery.version must be one of ${versions.join(', ')} for this event type`,
        path: 'delivery.version',
      });
    }
    const urlProblem = deliveryUrlProblem(d.url);
    if (urlProblem) errors.push({ code: 'INVALID_URL', message: urlProblem, path: 'delivery.url' });
    if (d.mtls_enabled !== undefined && typeof d.mtls_enabled !== 'boolean') {
      errors.push({
        code: 'INVALID',
        message: 'delivery.mtls_enabled must be a boolean',
        path: 'delivery.mtls_enabled',
      });
    }
  }
  if (errors.length > 0 || !d) throw fieldErrors(400, errors);
  return {
    name: String(b.name),
    trigger_on: String(b.trigger_on),
    delivery: {
      version: String(d.version),
      url: String(d.url),
      ...(typeof d.mtls_enabled === 'boolean' ? { mtls_enabled: d.mtls_enabled } : {}),
    },
  };
}

/**
 * Wise requires HTTPS on 443, a domain name (no IP), and no query string. The simulator also
 * accepts plain http to localhost / 127.0.0.1 on any port, so the local stack can receive.
 */
export function deliveryUrlProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw === '') return 'must not be blank';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a valid URL';
  }
  if (url.search !== '') return 'must not contain a query string';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host === '127.0.0.1' || host === '::1';
  if (local && (url.protocol === 'http:' || url.protocol === 'https:')) return undefined;
  if (url.protocol !== 'https:') return 'must use https';
  if (url.port !== '' && url.port !== '443') return 'must use port 443';
  if (isIP(host) !== 0) return 'must use a domain name, not an IP address';
  return undefined;
}

function addSubscription(
  sim: Sim,
  input: SubscriptionInput,
  scope: Subscription['scope'],
  createdBy: Subscription['created_by'],
): Subscription {
  const sub: Subscription = {
    id: randomUUID(),
    ...input,
    scope,
    created_by: createdBy,
    created_at: sim.clock.now(),
  };
  sim.state.subscriptions.push(sub);
  sim.changed();
  return sub;
}

function findSub(list: Subscription[], ctx: RequestContext): Subscription {
  const sub = list.find((s) => s.id === ctx.params.subscriptionId);
  if (!sub)
    throw fieldErrors(404, [
      { code: 'NOT_FOUND', message: 'Subscription not found', path: 'subscriptionId' },
    ]);
  return sub;
}

function removeSub(sim: Sim, sub: Subscription): void {
  sim.state.subscriptions = sim.state.subscriptions.filter((s) => s !== sub);
  sim.changed();
}

export function subscriptionView(s: Subscription): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    delivery: s.delivery,
    trigger_on: s.trigger_on,
    scope: s.scope,
    created_by: s.created_by,
    created_at: isoSecondsAt(s.created_at),
  };
}
