import type { ItemChange } from './partner-events';
import { KYC_PREFIX, PROFILE_PREFIX } from './partner-events';

/**
 * Which states reconciliation re-reads from Wise, and when. Pure: no AWS, no I/O.
 *
 * A profile whose verification is still `unknown`/`not_verified`, or a KYC review whose status is
 * not final, is on a due list (a sparse gsi2 partition, shared/table.ts): `gsi2pk` names the list,
 * `gsi2sk` starts with the ISO instant it is due to be read again. It enters 24 h after the state
 * was first seen unresolved; after a read that resolves nothing it is due again 24 h later, so a
 * customer who never finishes costs one Wise call a day, not one an hour.
 */
export const RECONCILE_AFTER_MS = 24 * 60 * 60 * 1000;

export type DueList = 'VERIFICATION' | 'KYC';
export const dueListKey = (list: DueList) => `RECONCILE#${list}` as const;

/** Only PASSED ends a review: Wise may move any other status on (shared/domain/kyc/review.ts). */
export const FINAL_KYC_STATUSES: ReadonlySet<string> = new Set(['PASSED']);

export const UNRESOLVED_VERIFICATIONS: ReadonlySet<string> = new Set(['unknown', 'not_verified']);

export const dueListOf = (sk: string): DueList | undefined =>
  sk.startsWith(PROFILE_PREFIX) ? 'VERIFICATION' : sk.startsWith(KYC_PREFIX) ? 'KYC' : undefined;

/** Whether an item's state is one reconciliation must check again (missing state: unresolved). */
export const isUnresolved = (list: DueList, item: Readonly<Record<string, unknown>>): boolean => {
  if (list === 'VERIFICATION')
    return UNRESOLVED_VERIFICATIONS.has(
      typeof item.verification === 'string' ? item.verification : 'unknown',
    );
  return !FINAL_KYC_STATUSES.has(typeof item.status === 'string' ? item.status : 'NEW');
};

/** The due list's sort key: the instant it is due, then the item's keys (unique, ordered by time). */
export const dueSortKey = (dueAt: number, pk: string, sk: string): string =>
  `${new Date(dueAt).toISOString()}#${pk}#${sk}`;

/** Upper bound of a due-list query for everything due at `now`. */
export const dueBy = (now: number): string => `${new Date(now).toISOString()}#~`;

/**
 * What the due list needs after an item change: put it on (with its keys), take it off, or
 * nothing. The condition `state` is the value the decision was made on, so a write never
 * outruns a later change (that change's own record decides again).
 */
export type DueListWrite =
  | {
      kind: 'enter';
      list: DueList;
      gsi2pk: string;
      gsi2sk: string;
      state: { name: 'verification' | 'status'; value: string };
    }
  | { kind: 'leave'; list: DueList; state: { name: 'verification' | 'status'; value: string } };

/** `now`: epoch ms by the product's clock, when the unresolved state is first seen. */
export const dueListWriteOf = (change: ItemChange, now: number): DueListWrite | undefined => {
  const list = dueListOf(change.sk);
  const item = change.newImage;
  if (!list || !item || !change.pk.startsWith('CUSTOMER#')) return undefined;
  const name = list === 'VERIFICATION' ? 'verification' : 'status';
  const value =
    typeof item[name] === 'string' ? (item[name] as string) : list === 'VERIFICATION' ? 'unknown' : 'NEW';
  const listed = item.gsi2pk === dueListKey(list);
  const unresolved = isUnresolved(list, item);
  if (unresolved && !listed) {
    return {
      kind: 'enter',
      list,
      gsi2pk: dueListKey(list),
      gsi2sk: dueSortKey(now + RECONCILE_AFTER_MS, change.pk, change.sk),
      state: { name, value },
    };
  }
  if (!unresolved && listed) return { kind: 'leave', list, state: { name, value } };
  return undefined;
};

/**
 * A profile's verification from Wise's bank-transfer verification check (API-NOTES §4): verified
 * when every route asked about is; otherwise not yet.
 */
export const verificationFromRoutes = (
  routes: readonly { current_status: string }[],
): 'verified' | 'not_verified' =>
  routes.length > 0 && routes.every((r) => r.current_status === 'verified') ? 'verified' : 'not_verified';
