import type { Clock } from '../../../shared/ports/clock';
import { LEASE_OWNER, LEASE_UNTIL, type Lease, type LeaseSpec } from '../../../shared/ports/lease';
import { InMemoryItems } from './in-memory-items';

/**
 * The {@link Lease} port in memory, with DynamoLease's rules: a lease on an item needs the item
 * (build it on the same {@link InMemoryItems} as the fake store that owns the item); a standalone
 * one is an item of its own, deleted on release; `guard` values must match the item; a lease is
 * free once its `until` has passed by the given clock; only the holder releases.
 */
export class InMemoryLease implements Lease {
  constructor(
    private readonly clock: Clock,
    readonly items: InMemoryItems = new InMemoryItems(),
  ) {}

  async take(spec: LeaseSpec, owner: string, ms: number): Promise<boolean> {
    const now = this.clock.now();
    const item = this.items.get(spec.key);
    if (!item && !spec.standalone) return false;
    const until = item?.[LEASE_UNTIL];
    const free = typeof until !== 'number' || until < now || item?.[LEASE_OWNER] === owner;
    const guarded = Object.entries(spec.guard ?? {}).every(([name, value]) => item?.[name] === value);
    if (!free || !guarded) return false;
    this.items.put({
      ...(item ?? {}),
      ...spec.key,
      [LEASE_OWNER]: owner,
      [LEASE_UNTIL]: now + ms,
      ...(spec.standalone ? { expiresAt: Math.ceil((now + ms) / 1000) } : {}),
    });
    return true;
  }

  async release(spec: LeaseSpec, owner: string): Promise<void> {
    const item = this.items.get(spec.key);
    if (!item || item[LEASE_OWNER] !== owner) return;
    if (spec.standalone) {
      this.items.delete(spec.key);
      return;
    }
    const { [LEASE_OWNER]: _owner, [LEASE_UNTIL]: _until, ...rest } = item;
    this.items.put({ ...rest, ...spec.key });
  }

  /** Who holds the lease now (an expired holder still shows until someone takes over), for assertions. */
  holder(spec: LeaseSpec): { owner: string; until: number } | undefined {
    const item = this.items.get(spec.key);
    const owner = item?.[LEASE_OWNER];
    return typeof owner === 'string' ? { owner, until: Number(item?.[LEASE_UNTIL]) } : undefined;
  }
}
