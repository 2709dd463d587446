import type { DueList } from '../../../shared/domain/reconciliation';
import type { DueItem, DueItems } from '../../../functions/reconcile/due-items';

/** Reconciliation's due lists in memory, with the DynamoDB adapter's ordering (oldest due first). */
export class InMemoryDueItems implements DueItems {
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
    const due = [...this.entries.values()].filter((e) => e.item.list === list && e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const e of due.slice(0, limit)) yield e.item;
  }

  async postpone(item: DueItem, dueAt: number): Promise<void> {
    const entry = this.entries.get(`${item.pk}\u0000${item.sk}`);
    if (entry) entry.dueAt = dueAt;
  }
}
