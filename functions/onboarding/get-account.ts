import { publicAccount } from '../../shared/domain/account';
import { operationOf } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { account, customerParams } from './schemas';
import { storedAccount } from './stored-account';

/** Route 2. */
export const getAccount = operationOf<OnboardingServices>()({
  route: 'getAccount',
  summary: 'Read the stored account',
  description:
    "The account as stored, kept current by Wise's webhooks, with each profile's `access` derived from the customer's Wise grants " +
    '(one per linked profile). Served from the store: no Wise call.',
  params: customerParams,
  responses: { 200: { description: 'The stored account.', body: account } },
  problems: ['CUSTOMER_NOT_FOUND'],
  handle: async ({ params }, { accounts, grants }) => {
    const stored = await storedAccount(accounts, params.customerId);
    // Each profile's access is derived from the grants (one per linked profile), never stored twice.
    const access = await grants.accessOf(
      params.customerId,
      stored.profiles.map((p) => p.id),
    );
    return { status: 200, body: publicAccount(stored, access) };
  },
});
