/**
 * Which customer owns a Wise profile or user, remembered per container: a bounded LRU of gsi1
 * lookups (`PROFILE#{id}` / `WISEUSER#{id}` → customerId), so that a warm container skips the gsi1
 * query for owners it has already seen.
 *
 * Only answers that found a customer are kept — never a miss: a profile that nobody owns yet may be
 * linked a second later, and its next event must find the new owner.
 *
 * Safe to keep because an owner does not change once recorded: a profile item (`PROFILE#{id}`, one
 * per customer that holds it) is never moved, and the oauth function refuses a profile another
 * customer already holds. The one mapping that can move — a customer who links a different Wise
 * user rewrites the account's `gsi1pk` — is checked at the write itself: the users#state-change
 * update is conditional on the account still carrying `WISEUSER#{id}`, and a refusal for that
 * reason drops the entry (see WiseStateProjection). An entry that somehow outlived its item is
 * dropped the same way when the write finds the item gone.
 */
export class OwnerCache {
  private readonly entries = new Map<string, string>();

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error('OwnerCache capacity must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The remembered owner, refreshed as most recently used. */
  get(key: string): string | undefined {
    const owner = this.entries.get(key);
    if (owner !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, owner);
    }
    return owner;
  }

  /** Remembers a found owner; the least recently used entry goes when the cache is full. */
  remember(key: string, owner: string): void {
    this.entries.delete(key);
    this.entries.set(key, owner);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
