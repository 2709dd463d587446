import * as z from '../../shared/zod';
import { auditActions } from '../../shared/ports/audit';
import { named, operationOf } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { customerParams, isoInstant } from './schemas';

/** `limit` and `cursor` of routes 21 and 22. */
export const pageQuery = {
  limit: z
    ._default(
      z.coerce
        .number({ message: 'must be a whole number from 1 to 100' })
        .check(
          z.int('must be a whole number from 1 to 100'),
          z.minimum(1, 'must be a whole number from 1 to 100'),
          z.maximum(100, 'must be a whole number from 1 to 100'),
        ),
      50,
    )
    .check(z.describe('Items per page, 1 to 100 (default 50).')),
  cursor: z
    .optional(z.string().check(z.minLength(1), z.maxLength(1024)))
    .check(z.describe("The previous page's `nextCursor`, as it was: opaque, bound to this query.")),
};

const auditEventSchema = z.object({
  id: z.string(),
  at: isoInstant,
  action: z.enum(auditActions),
  actor: z.object({
    kind: z.enum(['customer', 'partner', 'wise-access', 'wise', 'system']),
    subject: z
      .optional(z.string())
      .check(z.describe("The caller's token subject (`sub`), for callers with a token.")),
  }),
  details: z
    .optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
    .check(
      z.describe('Ids, statuses, profile ids and reason codes only: never a secret, never personal data.'),
    ),
});

const auditEventsSchema = z.object({
  items: z.array(auditEventSchema).check(z.describe('Newest first.')),
  nextCursor: z.optional(z.string()).check(z.describe('Present when older events remain.')),
});

/** Route 21. */
export const listAuditEvents = operationOf<OnboardingServices>()({
  route: 'listAuditEvents',
  summary: "Read a customer's audit trail",
  description:
    'Partner backend only. Every signup, link start, completion and rejection, disconnect, identity change, Wise access token issued, ' +
    'hosted KYC link issued, status change and erasure of the customer, newest first, with the actor (`kind` and the token `subject`). ' +
    'Events are kept for the configured retention (CDK context `auditRetentionDays`, default 2,555 days); after an erasure only its ' +
    '`customer.erased` event remains. A customer never seen has an empty trail. `cursor` is opaque and bound to this customer: ' +
    "another customer's, another query's or an edited cursor is 400.",
  params: customerParams,
  query: z.object(pageQuery),
  responses: {
    200: { description: 'A page of the audit trail.', body: named('AuditEvents', auditEventsSchema) },
  },
  problems: [],
  handle: async ({ params, query }, { auditEvents }) => ({
    status: 200,
    body: await auditEvents.page(params.customerId, query.limit, query.cursor),
  }),
});
