import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TokenResponse } from '../wise/schemas';

/**
 * How a grant was obtained. A `registration_code` grant belongs to a user this service created and
 * covers every profile the product created for that user (Wise re-mints it from the registration
 * code until the customer claims the account); an `authorization_code` grant covers the one
 * profile the customer chose on Wise's authorize page (API-NOTES §1.3).
 */
export type GrantKind = 'registration_code' | 'authorization_code';

/** Route 2's `access` of one profile: derived from the grants, never stored twice. */
export type ProfileAccess = 'GRANTED' | 'RELINK_REQUIRED' | 'NONE';

/** One kept grant, without its secret. */
export interface GrantSummary {
  /** Random, new for every kept answer (a re-mint or refresh keeps it): never reused, even after `forgetAll`. */
  readonly grantId: string;
  readonly kind: GrantKind;
  /** The Wise profiles this grant's tokens reach; a profile is covered by at most one grant. */
  readonly profileIds: readonly number[];
  /** Wise refused the grant for good (and it could not be re-minted): its profiles must be linked again. */
  readonly relinkRequired: boolean;
  /** The token pair's version: it grows with every refresh, re-mint and replacement. */
  readonly version: number;
}

/**
 * A write that must commit in the same DynamoDB transaction as a grant (the `WISEPROFILE#{pid}` /
 * `OWNER` record, an audit event). Its own condition, when it fails, refuses the whole keep with
 * {@link GrantWriteRefused} naming it.
 */
export type TransactWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface KeepOptions {
  kind: GrantKind;
  /** The profiles Wise's answer covers: the granted `profileId`; [] for a user without a profile yet. */
  profileIds: readonly number[];
  /** Written in the same transaction as the grant; nothing is kept when one of their conditions fails. */
  alsoWrite?: readonly TransactWrite[];
}

export interface AccessTokenOptions {
  /** Epoch ms by which the answer is due (the request's deadline); waits and Wise calls stay inside it. */
  deadline: number;
  /** The token answered is valid for at least this long, refreshed first otherwise (default: one hour). */
  minValidityMs?: number;
}

export interface IssuedAccessToken {
  readonly accessToken: string;
  /** Epoch ms at which Wise stops accepting it. */
  readonly expiresAt: number;
  readonly grantId: string;
  readonly profileIds: readonly number[];
}

/** Which grant a call uses: `{ grantId }`, or the customer's grant of this kind. */
export type GrantRef = { grantId: string } | { kind: GrantKind };

/**
 * The customer's Wise grants, one token pair per grant (Wise authorises one profile per grant):
 * stored KMS-encrypted at `CUSTOMER#{cid}` / `GRANT#{grantId}` under the customer's context naming
 * the grant and the pair's version, decrypted only when needed, refreshed by one caller at a time
 * under a fenced lease. A v1 single pair (`TOKENS`) is moved into a grant on first use.
 *
 * `profileId` undefined means a call that is not profile-scoped (`/v1/me`, claim-account, creating a
 * profile): the registration-code grant when it is usable, else the grant covering the personal
 * profile, else the oldest usable grant.
 *
 * Errors (DomainError): ACCOUNT_NOT_READY when no grant covers the profile (or the customer has
 * none), RELINK_REQUIRED when the covering grant was refused for good, WISE_UNAVAILABLE when another
 * caller's refresh does not finish within the deadline; Wise's own errors as WiseApi throws them.
 *
 * When Wise refuses a refresh (`invalid_grant`): a registration-code grant is re-minted from the
 * registration code; any other grant (or a failed re-mint) becomes RELINK_REQUIRED, for its
 * profiles only. The account's status becomes RELINK_REQUIRED only when no usable grant remains.
 */
export interface Grants {
  /**
   * Keeps a fresh token answer from Wise (signup, linking) as a grant covering `profileIds`. A grant
   * already covering one of them gives those profiles up (and is deleted when it covers nothing
   * more); a `registration_code` answer replaces the customer's registration-code grant (keeping
   * its profiles). Throws {@link GrantWriteRefused} when an `alsoWrite` condition fails.
   */
  keep(customerId: string, tokens: TokenResponse, options: KeepOptions): Promise<GrantSummary>;
  /**
   * A profile the product created with a grant's token joins that grant (Wise extends the grant).
   * The facade does this itself for the profiles it creates. No-op when the grant is gone.
   */
  addProfile(customerId: string, grant: GrantRef, profileId: number): Promise<void>;
  /** The grant covering the profile (`undefined` profile: see above), or undefined. */
  forProfile(customerId: string, profileId?: number): Promise<GrantSummary | undefined>;
  /** Every grant of the customer. */
  list(customerId: string): Promise<GrantSummary[]>;
  /** A usable access token of the grant covering the profile, refreshed first when close to expiry. */
  accessToken(
    customerId: string,
    profileId: number | undefined,
    options: AccessTokenOptions,
  ): Promise<IssuedAccessToken>;
  /**
   * Runs a call with the covering grant's access token; when Wise refuses the token (401) although
   * it should still be valid, refreshes once and retries. `grant` tells the call which grant it used.
   */
  withAccessToken<T>(
    customerId: string,
    profileId: number | undefined,
    call: (accessToken: string, grant: GrantSummary) => Promise<T>,
    options: AccessTokenOptions,
  ): Promise<T>;
  /**
   * Each profile's access: GRANTED (a usable grant covers it), RELINK_REQUIRED (its grant was
   * refused), NONE (no grant covers it). `profileIds` (e.g. the account's) are answered NONE when
   * uncovered; without them only covered profiles are listed.
   */
  accessOf(customerId: string, profileIds?: readonly number[]): Promise<Map<number, ProfileAccess>>;
  /** Disconnect and erasure: every grant (and a v1 pair) is deleted, ciphertexts included. */
  forgetAll(customerId: string): Promise<void>;
}

/** {@link Grants.keep} refused: the `alsoWrite` entries at these indexes failed their condition. */
export class GrantWriteRefused extends Error {
  constructor(readonly refusedWrites: readonly number[]) {
    super(`the grant was not kept: write(s) ${refusedWrites.join(', ')} refused`);
    this.name = 'GrantWriteRefused';
  }
}

/** The grant item's key. */
export const grantKey = (customerId: string, grantId: string) =>
  ({ pk: `CUSTOMER#${customerId}`, sk: `GRANT#${grantId}` }) as const;
