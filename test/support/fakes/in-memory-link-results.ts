import { linkResultKey, type KeptLinkResult, type LinkResults } from '../../../shared/ports/link-results';
import { conditionalCheckFailed } from './in-memory-link-state-store';
import { InMemoryItems } from './in-memory-items';

/**
 * The {@link LinkResults} port in memory, with DynamoLinkResults' rules: a result is kept once
 * (a second keep throws, as the conditional put does), an expired one stays until forgotten (the
 * use case tells it is expired), `exchanged` needs the result. Build it on the same
 * {@link InMemoryItems} as an InMemoryLease to lease results as route 17 does.
 */
export class InMemoryLinkResults implements LinkResults {
  constructor(readonly items: InMemoryItems = new InMemoryItems()) {}

  async keep(resultHash: string, result: KeptLinkResult): Promise<void> {
    const key = linkResultKey(resultHash);
    if (this.items.has(key)) throw conditionalCheckFailed();
    this.items.put({ ...key, ...result });
    this.hashes.add(resultHash);
  }

  async find(resultHash: string): Promise<KeptLinkResult | undefined> {
    const item = this.items.get(linkResultKey(resultHash));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, leaseOwner: _o, leaseUntil: _u, ...result } = item;
    return result as unknown as KeptLinkResult;
  }

  async exchanged(resultHash: string, tokensCiphertext: string): Promise<void> {
    const key = linkResultKey(resultHash);
    const item = this.items.get(key);
    if (!item) throw conditionalCheckFailed();
    this.items.put({ ...item, ...key, tokensCiphertext });
  }

  async forget(resultHash: string): Promise<void> {
    this.items.delete(linkResultKey(resultHash));
  }

  async forgetAllOf(customerId: string): Promise<void> {
    for (const hash of this.hashesOf(customerId)) this.items.delete(linkResultKey(hash));
  }

  /** The hashes of the results still kept for a customer (test assertions). */
  hashesOf(customerId: string): string[] {
    return [...this.hashes].filter((hash) => this.items.get(linkResultKey(hash))?.customerId === customerId);
  }

  // InMemoryItems has no index: the fake remembers every hash it kept (gsi1 in DynamoDB).
  private readonly hashes = new Set<string>();
}
