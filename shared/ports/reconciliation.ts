import type { DueList, DueListWrite } from '../domain/reconciliation';

/** One entry of a due list: the item to re-read from Wise. */
export interface DueItem {
  readonly list: DueList;
  readonly pk: string;
  readonly sk: string;
}

/**
 * Reconciliation's due lists (shared/domain/reconciliation.ts): the partner-events consumer keeps
 * them from the stream (`write`), the reconcile job reads and postpones (`due`, `postpone`, `stateOf`).
 */
export interface DueLists {
  /** Puts an item on a list or takes it off, if its state is still the one decided on; false when it moved. */
  write(
    pk: string,
    sk: string,
    write: DueListWrite,
    options?: { abortSignal?: AbortSignal },
  ): Promise<boolean>;
  /** The entries due by `now` (product clock, epoch ms), oldest first, at most `limit`. */
  due(list: DueList, now: number, limit: number): AsyncIterable<DueItem>;
  /** Next read at `dueAt` (no-op when the item left the list meanwhile). */
  postpone(item: DueItem, dueAt: number): Promise<void>;
  /** The item's stored attributes (strongly consistent), or undefined when it is gone. */
  stateOf(item: DueItem): Promise<Record<string, unknown> | undefined>;
}
