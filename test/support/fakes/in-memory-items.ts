import type { LeaseKey } from '../../../shared/ports/lease';

export type Item = Record<string, unknown>;

/**
 * Items by (pk, sk), the part of the table the in-memory fakes share: a lease on an account lives
 * on the account item, as in DynamoDB, so a fake account store and a fake lease built on the same
 * items see each other's writes. Values are copied in and out (no aliasing, like a real store).
 */
export class InMemoryItems {
  private readonly items = new Map<string, Item>();

  private static id(key: LeaseKey): string {
    return `${key.pk}\u0000${key.sk}`;
  }

  get(key: LeaseKey): Item | undefined {
    const item = this.items.get(InMemoryItems.id(key));
    return item ? structuredClone(item) : undefined;
  }

  has(key: LeaseKey): boolean {
    return this.items.has(InMemoryItems.id(key));
  }

  /** Stores the item; attributes whose value is undefined are dropped (the document client's `removeUndefinedValues`). */
  put(item: Item & LeaseKey): void {
    const copy = structuredClone(item);
    for (const [k, v] of Object.entries(copy)) if (v === undefined) delete copy[k];
    this.items.set(InMemoryItems.id(item), copy);
  }

  delete(key: LeaseKey): Item | undefined {
    const old = this.get(key);
    this.items.delete(InMemoryItems.id(key));
    return old;
  }

  /** Items of one partition, in sort-key order. */
  partition(pk: string, skPrefix = ''): Item[] {
    return [...this.items.values()]
      .filter((i) => i.pk === pk && String(i.sk).startsWith(skPrefix))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
      .map((i) => structuredClone(i));
  }

  /** Items whose `gsi1pk` is this value (gsi1 is read without delay here; DynamoDB's is eventually consistent). */
  byGsi1(gsi1pk: string): Item[] {
    return [...this.items.values()].filter((i) => i.gsi1pk === gsi1pk).map((i) => structuredClone(i));
  }

  get size(): number {
    return this.items.size;
  }
}
