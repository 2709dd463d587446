import type { CustomerAccount } from '../../shared/domain/account';
import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';

/** Route 2 (and the start of route 7): the account as stored, kept current by Wise's webhooks. */
export const storedAccount = async (
  accounts: Pick<AccountStore, 'get'>,
  customerId: string,
): Promise<CustomerAccount> => {
  const account = await accounts.get(customerId);
  if (!account) throw new DomainError('CUSTOMER_NOT_FOUND');
  return account;
};
