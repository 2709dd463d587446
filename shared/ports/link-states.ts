import type { LinkState } from '../domain/linking/link-state';

export type { LinkState } from '../domain/linking/link-state';

/**
 * Pending OAuth states, keyed by the state's sha256 (the state itself is never stored). A state is
 * consumed once: of two callbacks racing with the same state, exactly one gets it.
 */
export interface LinkStateStore {
  /** Stores a new state; a second save under the same hash fails. */
  save(stateHash: string, state: LinkState): Promise<void>;
  /** Removes the state and returns what it was; undefined when it is unknown or already used. */
  consume(stateHash: string): Promise<LinkState | undefined>;
  /** The customer's most recently started link that is still stored (used or expired ones may be gone). */
  latestFor(customerId: string): Promise<LinkState | undefined>;
}
