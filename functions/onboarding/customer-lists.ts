import type { AccountStatus } from '../../shared/domain/account';
import type { CustomerDirectory, CustomerInStatus } from '../../shared/ports/customer-directory';
import { decodeCursor, encodeCursor, STATUS_POSITION } from './cursor';

export interface CustomerListPage {
  items: CustomerInStatus[];
  nextCursor?: string;
}

/** A cursor of route 22 belongs to one status's list. */
const bindingOf = (status: AccountStatus) => `customers:${status}`;

/** Route 22: the customers in one status, newest status change first, from the status index. */
export class CustomerLists {
  constructor(private readonly directory: CustomerDirectory) {}

  async inStatus(status: AccountStatus, limit: number, cursor?: string): Promise<CustomerListPage> {
    const binding = bindingOf(status);
    const after = cursor === undefined ? undefined : decodeCursor(binding, cursor, STATUS_POSITION);
    const page = await this.directory.inStatus(status, { limit, ...(after !== undefined ? { after } : {}) });
    return {
      items: [...page.items],
      ...(page.next !== undefined ? { nextCursor: encodeCursor(binding, page.next) } : {}),
    };
  }
}
