import type { DueList, DueListWrite } from '../../../shared/domain/reconciliation';
import type { DueItem, DueLists } from '../../../shared/ports/reconciliation';

/** Reconciliation's due lists in memory, with the DynamoDB adapter's ordering (oldest due first). */
export class InMemoryDueLists implements DueLists {
  /** Item states by `pk/sk` (what `stateOf` answers; unset: unresolved). */
  readonly states = new Map<string, Record<string, unknown>>();

  readonly entries = new Map<string, { item: DueItem; dueAt: number }>();

  add(list: DueList, pk: string, sk: string, dueAt: number): this {
    this.entries.set(`${pk}\u0000${sk}`, { item: { list, pk, sk }, dueAt });
    return this;
  }

  remove(pk: string, sk: string): void {
    this.entries.delete(`${pk}\u0000${sk}`);
  }

  dueAtOf(pk: string, sk: string): number | undefined {
    return this.entries.get(`${pk}\u0000${sk}`)?.dueAt;
  }

  async *due(list: DueList, now: number, limit: number): AsyncIterable<DueItem> {
    const due = [...this.entries.values()]
      .filter((e) => e.item.list === list && e.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt);
    for (const e of due.slice(0, limit)) yield e.item;
  }

  async write(pk: string, sk: string, write: DueListWrite): Promise<boolean> {
    if (write.kind === 'enter') this.add(write.list, pk, sk, Date.parse(write.gsi2sk.slice(0, 24)));
    else this.remove(pk, sk);
    return true;
  }

  async stateOf(item: DueItem): Promise<Record<string, unknown> | undefined> {
    return this.states.get(`${item.pk}/${item.sk}`) ?? { verification: 'not_verified', status: 'PROCESSING' };
  }

  async postpone(item: DueItem, dueAt: number): Promise<void> {
    const entry = this.entries.get(`${item.pk}\u0000${item.sk}`);
    if (entry) entry.dueAt = dueAt;
  }
}
