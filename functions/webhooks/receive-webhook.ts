import * as z from '../../shared/zod';
import { named, operationOf } from '../../shared/http/operation';
import { rawBody } from '../../shared/http/parse';
import {
  DELIVERY_RESULTS,
  MAX_WEBHOOK_BODY_BYTES,
  receiveWebhookDelivery,
  type WebhookDeliveryPorts,
} from '../../shared/webhooks/webhook-delivery';
import { envelopeSchema } from '../../shared/webhooks/webhook-event';

const webhookAck = z.object({
  result: z
    .enum(DELIVERY_RESULTS)
    .check(
      z.describe(
        "What the delivery did: recorded (a new event, applied from the table's stream), ignored (a new event of a type the " +
          'product does not use), test (a test notification), duplicate (already recorded). Wise ignores the body; operators read it.',
      ),
    ),
});

/**
 * Route 11. No `body` schema on purpose: the signature must be checked on the raw bytes before
 * anything parses them, so the envelope is documented (`documentedBodies`) and parsed by the use case.
 */
export const receiveWebhook = operationOf<WebhookDeliveryPorts>()({
  route: 'receiveWebhook',
  summary: 'Wise webhook deliveries',
  description:
    "Public: Wise's deliveries. The signature is checked over the raw body bytes before anything is parsed (RSA-SHA256, the " +
    'configured Wise public keys). 200 once the event is durably recorded, also for duplicates, test notifications and unknown event ' +
    'types; 5xx only when it could not be recorded, so that Wise retries. Events are de-duplicated for at least 16 days.',
  documentedBodies: [named('WiseWebhookEnvelope', envelopeSchema)],
  maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
  requestHeaders: [
    {
      name: 'X-Signature-SHA256',
      in: 'header',
      required: true,
      description:
        'Base64 RSASSA-PKCS1-v1_5 SHA-256 signature of the exact body bytes. Missing or wrong: 401, nothing stored.',
      schema: { type: 'string' },
    },
    {
      name: 'X-Test-Notification',
      in: 'header',
      required: false,
      description: "`true` on Wise's test notifications: recorded, not applied.",
      schema: { type: 'string' },
    },
    {
      name: 'X-Delivery-Id',
      in: 'header',
      required: false,
      description: "Wise's delivery id, kept with the event record.",
      schema: { type: 'string' },
    },
  ],
  responses: { 200: { description: 'Durably recorded.', body: named('WebhookAck', webhookAck) } },
  problems: [
    'VALIDATION_FAILED',
    'INVALID_SIGNATURE',
    'PAYLOAD_TOO_LARGE',
    'INTERNAL_ERROR',
    'WEBHOOK_NOT_RECORDED',
    'WEBHOOK_KEYS_NOT_CONFIGURED',
  ],
  handle: async ({ event, header, deadline }, ports) => {
    const result = await receiveWebhookDelivery(ports, {
      body: rawBody(event),
      header,
      remainingMs: deadline - Date.now(),
    });
    return { status: 200 as const, body: { result } };
  },
});
