import { createHash, randomBytes } from 'node:crypto';
import type { AccountStatus } from '../account';

/** How long a customer has to finish Wise's authorization page; Wise's own codes live 30 minutes too. */
export const LINK_STATE_TTL_MS = 30 * 60 * 1000;

/** Wise's claim-account codes live five minutes (API-NOTES §2.3): a claim link is good that long. */
export const CLAIM_CODE_TTL_MS = 5 * 60 * 1000;

/** 32 random bytes: twice the 128 bits an OAuth state needs to be unguessable. */
const STATE_BYTES = 32;

/**
 * A pending link: what the OAuth `state` stands for. Only its hash is stored, so a table read
 * (a backup, an operator) cannot replay a customer's link. It carries no identity: what the
 * granted profile is compared with is the identity on record (route 18), read when the link is
 * completed (route 17), never something the caller who started the link supplied.
 */
export interface LinkState {
  readonly customerId: string;
  /** Allowlisted and normalised before it was stored; the callback redirects nowhere else. */
  readonly returnUrl: string;
  /** Started with Wise's claim-account code (a user this service created takes over its account). */
  readonly claimAccount?: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** A fresh OAuth state value: base64url of 256 random bits. */
export const newStateValue = (random: (size: number) => Buffer = randomBytes): string =>
  random(STATE_BYTES).toString('base64url');

/** The store key of a state: sha256, hex. The state itself never rests anywhere. */
export const stateHash = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

export const newLinkState = (
  input: { customerId: string; returnUrl: string; claimAccount?: boolean },
  now: number,
): LinkState => ({
  customerId: input.customerId,
  returnUrl: input.returnUrl,
  ...(input.claimAccount ? { claimAccount: true } : {}),
  createdAt: now,
  expiresAt: now + LINK_STATE_TTL_MS,
});

/**
 * Until when the link answered to the partner is good: the state's expiry, or for a claim the
 * claim code's five minutes (after them Wise's claim page refuses the code).
 */
export const linkExpiresAt = (state: LinkState): number =>
  state.claimAccount ? Math.min(state.expiresAt, state.createdAt + CLAIM_CODE_TTL_MS) : state.expiresAt;

/** A consumed state is usable only before its expiry; the instant of expiry already counts as late. */
export const isExpired = (state: Pick<LinkState, 'expiresAt'>, now: number): boolean =>
  now >= state.expiresAt;

/** The statuses from which starting a link moves the account to LINK_PENDING. */
export const statusesMovingToLinkPending: readonly AccountStatus[] = [
  'NONE',
  'EXISTING_ACCOUNT',
  'LINK_PENDING',
  'RELINK_REQUIRED',
  'LINK_REJECTED',
  'DISCONNECTED',
];

/** Whether starting a link moves an account in this status to LINK_PENDING (ACTIVE, LINKED, CREATING and
 * DEACTIVATED keep theirs: the customer already has access, or another flow is in charge). */
export const startMovesToLinkPending = (current: AccountStatus | undefined): boolean =>
  current === undefined || statusesMovingToLinkPending.includes(current);
