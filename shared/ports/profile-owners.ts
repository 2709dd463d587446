import type { TransactWrite } from './grants';

/**
 * Which customer a Wise profile is linked to (`WISEPROFILE#{pid}` / `OWNER`): a profile belongs to
 * one of the partner's customers only (webhooks find their customer by profile id, and a grant in
 * two customers' records would let one act as the other). The owner is written in the same
 * transaction as the grant, on the condition that no other customer owns it, so two customers
 * completing a link to one profile at once cannot both keep it.
 */
export interface ProfileOwners {
  ownerOf(profileId: number): Promise<string | undefined>;
  /** The write making `customerId` the owner, for the grant's transaction; refused when another customer owns it. */
  claimWrite(profileId: number, customerId: string): TransactWrite;
  /** Erasure: the customer's ownerships end (a disconnected customer keeps them, so a relink finds them). */
  release(customerId: string, profileIds: readonly number[]): Promise<void>;
}

export const profileOwnerKey = (profileId: number) =>
  ({ pk: `WISEPROFILE#${profileId}`, sk: 'OWNER' }) as const;
