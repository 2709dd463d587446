import { auditPk, type AuditPosition } from '../../../shared/ports/audit';
import type { CustomerErasure, ErasureOutcome } from '../../../shared/ports/erasure';
import { InMemoryItems } from './in-memory-items';

/**
 * The {@link CustomerErasure} port in memory, on the shared {@link InMemoryItems}: the customer's
 * partition, its gsi1-indexed items elsewhere, ownership records naming it, and audit events older
 * than the tombstone. {@link stopAfter} makes the next call run out of time after that many deletions.
 */
export class InMemoryCustomerErasure implements CustomerErasure {
  private budget?: number;

  constructor(readonly items: InMemoryItems = new InMemoryItems()) {}

  /** The next call deletes at most `n` items and reports itself incomplete when more remain. */
  stopAfter(n: number): void {
    this.budget = n;
  }

  async eraseAllBefore(
    customerId: string,
    tombstone: AuditPosition,
    _options: { deadline: number },
  ): Promise<ErasureOutcome> {
    const partition = this.items.partition(`CUSTOMER#${customerId}`);
    const profileIds = partition.flatMap((i) => /^PROFILE#(\d+)$/.exec(String(i.sk))?.[1] ?? []);
    const owners = profileIds
      .map((id) => this.items.get({ pk: `WISEPROFILE#${id}`, sk: 'OWNER' }))
      .filter((i) => i?.customerId === customerId);
    const indexed = [
      'LINKSTATE_CUSTOMER#',
      'LINKRESULT_CUSTOMER#',
      'IDEMPOTENCY_CUSTOMER#',
      'WEBHOOK_CUSTOMER#',
    ].flatMap((p) => this.items.byGsi1(`${p}${customerId}`));
    const audit = this.items.partition(auditPk(customerId)).filter((i) => String(i.sk) < tombstone);
    const all = [...owners, ...indexed, ...partition, ...audit] as { pk: string; sk: string }[];
    const budget = this.budget;
    this.budget = undefined;
    const now = budget === undefined ? all : all.slice(0, budget);
    for (const key of now) this.items.delete({ pk: key.pk, sk: key.sk });
    return { deleted: now.length, complete: now.length === all.length };
  }
}
