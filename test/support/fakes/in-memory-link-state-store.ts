import type { LinkState, LinkStateStore } from '../../../shared/ports/link-states';

/** DynamoDB's refusal of a conditional write, as the adapters let it through. */
export const conditionalCheckFailed = (): Error =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/**
 * The {@link LinkStateStore} port in memory: a hash is saved once (a second save throws, as the
 * DynamoDB store's conditional put does), consumed once, and an expired state stays until consumed
 * (DynamoDB's TTL removes it only a day after expiry), so the callback can tell it is expired.
 */
export class InMemoryLinkStateStore implements LinkStateStore {
  readonly states = new Map<string, LinkState>();

  async save(stateHash: string, state: LinkState): Promise<void> {
    if (this.states.has(stateHash)) throw conditionalCheckFailed();
    this.states.set(stateHash, copy(state));
  }

  async consume(stateHash: string): Promise<LinkState | undefined> {
    const state = this.states.get(stateHash);
    this.states.delete(stateHash);
    return state ? copy(state) : undefined;
  }

  async latestFor(customerId: string): Promise<LinkState | undefined> {
    let latest: LinkState | undefined;
    for (const state of this.states.values()) {
      if (state.customerId === customerId && (!latest || state.createdAt > latest.createdAt)) latest = state;
    }
    return latest ? copy(latest) : undefined;
  }
}

/** As stored and read back: optional fields only when set. */
const copy = (state: LinkState): LinkState => ({
  customerId: state.customerId,
  returnUrl: state.returnUrl,
  ...(state.claimAccount ? { claimAccount: true } : {}),
  createdAt: state.createdAt,
  expiresAt: state.expiresAt,
});
