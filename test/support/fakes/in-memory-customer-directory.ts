import type { AccountStatus } from '../../../shared/domain/account';
import type {
  CustomerDirectory,
  CustomerInStatus,
  CustomerStatusPage,
} from '../../../shared/ports/customer-directory';

/**
 * The {@link CustomerDirectory} port in memory, with DynamoCustomerDirectory's order: newest status
 * write first (position `{updatedAt}#{customerId}`, compared as strings), `after` exclusive.
 *
 * @example const directory = new InMemoryCustomerDirectory().seed({ customerId: 'c1', status: 'RELINK_REQUIRED', updatedAt: iso });
 */
export class InMemoryCustomerDirectory implements CustomerDirectory {
  private readonly customers = new Map<string, CustomerInStatus>();

  /** Test setup: customers as the status index would hold them (a customer is in one status). */
  seed(...customers: CustomerInStatus[]): this {
    for (const c of customers) this.customers.set(c.customerId, { ...c });
    return this;
  }

  async inStatus(
    status: AccountStatus,
    options: { limit: number; after?: string },
  ): Promise<CustomerStatusPage> {
    const position = (c: CustomerInStatus) => `${c.updatedAt}#${c.customerId}`;
    const ordered = [...this.customers.values()]
      .filter((c) => c.status === status)
      .sort((a, b) => (position(a) < position(b) ? 1 : -1))
      .filter((c) => options.after === undefined || position(c) < options.after);
    const items = ordered.slice(0, options.limit);
    const last = items[items.length - 1];
    return ordered.length > options.limit && last ? { items, next: position(last) } : { items };
  }
}
