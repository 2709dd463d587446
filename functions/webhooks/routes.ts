import { functionRoutes } from '../../shared/runtime/function';
import type { StoreDependencies } from '../../shared/runtime/store-dependencies';
import type { WebhookDeliveryPorts } from '../../shared/webhooks/webhook-delivery';
import { WebhookEventStore } from '../../shared/webhooks/webhook-event-store';
import { webhookKeyringFor } from '../../shared/webhooks/webhook-signature';
import { receiveWebhook } from './receive-webhook';

/** Built once per container, so the verification keys are parsed once. Only the event records: no state. */
const webhookServices = (deps: StoreDependencies): WebhookDeliveryPorts => {
  const ports: WebhookDeliveryPorts = {
    keyring: webhookKeyringFor(deps.config.wiseEnvironment, deps.config.webhookPublicKeys),
    events: new WebhookEventStore(deps.table, deps.clock),
    logger: deps.logger,
    metrics: deps.metrics,
  };
  if (ports.keyring.keys.length === 0)
    deps.logger.error('webhook keys not configured', { problem: ports.keyring.problem });
  // Which keys deliveries are checked with, by fingerprint (never the key), once per container.
  else
    deps.logger[ports.keyring.problem ? 'warn' : 'info']('webhook keys', {
      source: ports.keyring.source,
      fingerprints: ports.keyring.fingerprints,
      problem: ports.keyring.problem,
    });
  return ports;
};

/** The webhooks function's operations (route 11), also walked by scripts/openapi-document.ts. */
export const operations = { receiveWebhook };

/** The webhooks function's routes (see shared/routes.ts): route 11. */
export const routes = functionRoutes<'webhooks', StoreDependencies, WebhookDeliveryPorts>(
  webhookServices,
  operations,
);
