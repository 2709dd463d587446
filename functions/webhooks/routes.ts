import { defineRoute } from '../../shared/http/handler-stack';
import { header, rawBody } from '../../shared/http/parse';
import type { StoreDependencies } from '../../shared/runtime/store-dependencies';
import type { RouteTable } from '../../shared/runtime/function';
import { receiveWebhookDelivery, type WebhookDeliveryPorts } from '../../shared/webhooks/webhook-delivery';
import { WebhookEventStore } from '../../shared/webhooks/webhook-event-store';
import { webhookKeyringFor } from '../../shared/webhooks/webhook-signature';
import { WiseStateProjection } from '../../shared/webhooks/wise-state-projection';

/**
 * The webhooks function's routes (see shared/routes.ts). Built once per container, so the
 * verification keys are parsed once. No `body` schema on purpose: the signature must be checked
 * on the raw bytes before anything parses them.
 */
export const routes = (deps: StoreDependencies): RouteTable => {
  const ports: WebhookDeliveryPorts = {
    keyring: webhookKeyringFor(deps.config.wiseEnvironment, deps.config.webhookPublicKeys),
    events: new WebhookEventStore(deps.table, deps.clock),
    projection: new WiseStateProjection(deps.table, deps.clock),
    clock: deps.clock,
    logger: deps.logger,
  };
  if (ports.keyring.keys.length === 0)
    deps.logger.error('webhook keys not configured', { problem: ports.keyring.problem });
  return {
    receiveWebhook: defineRoute({ auth: 'public' }, async ({ event, remainingMs }) =>
      receiveWebhookDelivery(ports, {
        body: rawBody(event),
        header: (name) => header(event, name),
        remainingMs: remainingMs(),
      }),
    ),
  };
};
