import * as z from '../../shared/zod';
import { accountStatuses, listedAccountStatuses as listedStatuses } from '../../shared/domain/account';
import { named, operationOf } from '../../shared/http/operation';
import { pageQuery } from './list-audit-events';
import type { OnboardingServices } from './routes';
import { isoInstant } from './schemas';

const customerListSchema = z.object({
  items: z
    .array(
      z.object({
        customerId: z.string(),
        status: z.enum(accountStatuses),
        updatedAt: isoInstant.check(z.describe('When the customer entered this status.')),
      }),
    )
    .check(z.describe('Newest status change first.')),
  nextCursor: z.optional(z.string()).check(z.describe('Present when more customers remain.')),
});

/** Route 22. */
export const listCustomers = operationOf<OnboardingServices>()({
  route: 'listCustomers',
  summary: 'List customers by status',
  description:
    'Partner backend only: the customers in one status (e.g. every `RELINK_REQUIRED` customer, who must link again, or every ' +
    '`EXISTING_ACCOUNT` one, who should link instead of signing up), newest status change first, from an index on the status ' +
    '(never a table scan). `CREATING` (a signup under way, resumed by repeating route 1) is not listed: 400. A customer whose ' +
    'status changes while the list is paged moves to the head of its new status. `cursor` is opaque and bound to the status: ' +
    "another status's, another query's or an edited cursor is 400.",
  query: z.object({
    status: z.enum(listedStatuses, { message: `must be one of ${listedStatuses.join(', ')}` }),
    ...pageQuery,
  }),
  responses: {
    200: {
      description: 'A page of customers in the status.',
      body: named('CustomerList', customerListSchema),
    },
  },
  problems: [],
  handle: async ({ query }, { customerLists }) => ({
    status: 200,
    body: await customerLists.inStatus(query.status, query.limit, query.cursor),
  }),
});
