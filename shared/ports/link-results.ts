import { customerContext, type EncryptionContext } from './cipher';
import type { LeaseSpec } from './lease';

/**
 * What route 9 keeps for route 17 (PARTNER-API.md "Linking, step by step"): the authorization
 * code Wise gave, encrypted under the state's customer, by the sha256 of the one-time `result`
 * the browser carries back (the result itself is never stored).
 */
export interface KeptLinkResult {
  /** The customer whose state the callback consumed: only they (or the partner) may complete it. */
  readonly customerId: string;
  /** The authorization code, encrypted under {@link linkResultContext}. */
  readonly codeCiphertext: string;
  /** The profile the customer chose on Wise's page (the callback's `profileId`), when Wise named one. */
  readonly profileId?: number;
  /** The link was a claim of an account this service created (routes 7, 8 with `claimAccount`). */
  readonly claimAccount?: boolean;
  /**
   * Wise's token answer, encrypted like the code, once the code was exchanged: a completion that
   * Wise then failed (an outage reading the profile) resumes from here instead of losing the grant.
   */
  readonly tokensCiphertext?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms: 10 minutes after the callback. */
  readonly expiresAt: number;
}

/**
 * The kept results (`LINKRESULT#{sha256(result)}` / `LINKRESULT`, TTL, gsi1pk
 * `LINKRESULT_CUSTOMER#{cid}`). A completion holds the result's lease ({@link linkResultLease})
 * while it works, so two completions of one result never both exchange its code.
 */
export interface LinkResults {
  /** Stores a new result; a second keep under the same hash fails. */
  keep(resultHash: string, result: KeptLinkResult): Promise<void>;
  /** The result, or undefined when it is unknown or gone (expired ones may still be returned: check). */
  find(resultHash: string): Promise<KeptLinkResult | undefined>;
  /** Records the exchanged tokens' ciphertext on the result. */
  exchanged(resultHash: string, tokensCiphertext: string): Promise<void>;
  /** The result is used up (completed, or failed for good). */
  forget(resultHash: string): Promise<void>;
  /** Disconnect and erasure: every result kept for the customer is deleted. */
  forgetAllOf(customerId: string): Promise<void>;
}

/** The result item's key. */
export const linkResultKey = (resultHash: string) =>
  ({ pk: `LINKRESULT#${resultHash}`, sk: 'LINKRESULT' }) as const;

/** The lease a completion holds on the result while it exchanges and checks. */
export const linkResultLease = (resultHash: string): LeaseSpec => ({ key: linkResultKey(resultHash) });

/** The encryption context of a result's code and tokens: the customer, and this one result. */
export const linkResultContext = (
  customerId: string,
  resultHash: string,
  purpose: 'code' | 'tokens',
): EncryptionContext => ({
  ...customerContext(customerId, `link-result-${purpose}`),
  linkResult: resultHash,
});
