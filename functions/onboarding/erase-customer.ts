import { actorOf } from '../../shared/http/actor';
import { operationOf } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { customerParams } from './schemas';

/** Route 23. */
export const eraseCustomer = operationOf<OnboardingServices>()({
  route: 'eraseCustomer',
  summary: "Erase a customer's data",
  description:
    'Partner backend only. Deletes every item of the customer: the account, its profiles, Wise grants and registration code, the ' +
    'identity on record, KYC reviews, link states and pending link results, and Idempotency-Key records, in bounded batches within ' +
    "the request; the audit trail keeps one `customer.erased` event with no personal data. Wise's own account is not touched. " +
    '204, also when repeated or for a customer never seen. Afterwards route 2 and route 20 answer 404 and Wise events for its ' +
    "profiles are recorded as unmatched. If the request's time runs out first: 503 with `Retry-After`; repeating it finishes.",
  params: customerParams,
  responses: { 204: { description: 'Erased (or nothing was left to erase).' } },
  problems: ['STORE_UNAVAILABLE'],
  handle: async ({ params, caller, deadline }, { erasure }) => {
    await erasure.erase(params.customerId, actorOf(caller, params.customerId), deadline);
    return { status: 204 };
  },
});
