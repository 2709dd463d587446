import { createHash } from 'node:crypto';
import type { ProfileAccess } from '../ports/grants';
import { partnerEventTypes, type PartnerEvent } from '../ports/partner-events';

/**
 * What changed for a partner, read from one table item's images (a stream record's OLD and NEW
 * images, unmarshalled). Pure: no AWS, no I/O.
 *
 * - `CUSTOMER#{cid}` / `ACCOUNT`: `status` (Account Status Changed; a new account comes from `NONE`)
 *   and `publishedAccess` (Profile Access Changed: the partner-events consumer keeps there the
 *   access it derived from the customer's grants, see {@link accessOfGrants}).
 * - `…/PROFILE#{pid}`: `verification` (a new profile is `unknown` until Wise says otherwise).
 * - `…/KYC#{pid}#{rid}`: `status` (a review seen for the first time comes from null).
 * An item removed (erasure) announces nothing: the partner asked for it.
 *
 * Each event's `eventId` hashes the item's keys, the version of the changed field as the item
 * records it, the field and its new value: a redelivered stream record gives the same id.
 */
export interface ItemChange {
  readonly pk: string;
  readonly sk: string;
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
  /** Epoch ms the change was written (the stream record's ApproximateCreationDateTime): a fallback time. */
  readonly at: number;
}

export const CUSTOMER_PREFIX = 'CUSTOMER#';
export const ACCOUNT_SK = 'ACCOUNT';
export const PROFILE_PREFIX = 'PROFILE#';
export const KYC_PREFIX = 'KYC#';
export const GRANT_PREFIX = 'GRANT#';

/** The attributes of the account item the partner-events consumer writes (and nobody else). */
export const PUBLISHED_ACCESS = 'publishedAccess';
export const PUBLISHED_ACCESS_VERSION = 'publishedAccessVersion';
export const PUBLISHED_ACCESS_AT = 'publishedAccessAt';

/** A stable id for one change: 32 hex characters of SHA-256 over its parts. */
export const eventIdOf = (...parts: readonly unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** ISO instant of a stored time (ISO string or epoch ms), else of the fallback. */
const isoOf = (value: unknown, fallback: number): string => {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value)))
    return new Date(Date.parse(value)).toISOString();
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  return new Date(fallback).toISOString();
};

const customerIdOf = (pk: string): string | undefined =>
  pk.startsWith(CUSTOMER_PREFIX) ? pk.slice(CUSTOMER_PREFIX.length) : undefined;

/** `KYC#{pid}#{rid}` → its profile and review ids. */
const kycIdsOf = (sk: string): { profileId: number; reviewId: string } | undefined => {
  const m = /^KYC#(\d+)#(.+)$/.exec(sk);
  return m ? { profileId: Number(m[1]), reviewId: m[2]! } : undefined;
};

/**
 * A stored access map (profile id → access); NONE is not stored. Kept on the item as JSON text:
 * a map attribute would be an empty map once no profile has access, which DynamoDB Local's stream
 * does not render readably.
 */
export type AccessMap = Readonly<Record<string, ProfileAccess>>;

const accessMapOf = (stored: unknown): AccessMap => {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      return {};
    }
  }
  if (!value || typeof value !== 'object') return {};
  const out: Record<string, ProfileAccess> = {};
  for (const [pid, access] of Object.entries(value as Record<string, unknown>)) {
    if (access === 'GRANTED' || access === 'RELINK_REQUIRED') out[pid] = access;
  }
  return out;
};

const accessIn = (map: AccessMap, profileId: string): ProfileAccess => map[profileId] ?? 'NONE';

/** The partner events one item change announces, in the order a partner should see them. */
export const partnerEventsOf = (change: ItemChange): PartnerEvent[] => {
  const customerId = customerIdOf(change.pk);
  const next = change.newImage;
  if (customerId === undefined || next === undefined) return [];
  const before = change.oldImage;
  const { pk, sk } = change;

  if (sk === ACCOUNT_SK) {
    const events: PartnerEvent[] = [];
    const status = str(next.status);
    const previousStatus = before ? (str(before.status) ?? 'NONE') : 'NONE';
    if (status !== undefined && status !== previousStatus) {
      const version = str(next.updatedAt) ?? change.at;
      events.push({
        detailType: partnerEventTypes.accountStatus,
        detail: {
          eventId: eventIdOf(pk, sk, version, 'status', previousStatus, status),
          customerId,
          occurredAt: isoOf(next.updatedAt, change.at),
          status,
          previousStatus,
        },
      });
    }
    const was = accessMapOf(before?.[PUBLISHED_ACCESS]);
    const is = accessMapOf(next[PUBLISHED_ACCESS]);
    const version = num(next[PUBLISHED_ACCESS_VERSION]) ?? 0;
    const profiles = [...new Set([...Object.keys(was), ...Object.keys(is)])].sort(
      (a, b) => Number(a) - Number(b),
    );
    for (const pid of profiles) {
      const access = accessIn(is, pid);
      const previousAccess = accessIn(was, pid);
      if (access === previousAccess) continue;
      events.push({
        detailType: partnerEventTypes.profileAccess,
        detail: {
          eventId: eventIdOf(pk, sk, version, `access#${pid}`, access),
          customerId,
          occurredAt: isoOf(next[PUBLISHED_ACCESS_AT], change.at),
          profileId: Number(pid),
          access,
          previousAccess,
        },
      });
    }
    return events;
  }

  if (sk.startsWith(PROFILE_PREFIX)) {
    const verification = str(next.verification);
    const previousVerification = before ? (str(before.verification) ?? 'unknown') : 'unknown';
    if (verification === undefined || verification === previousVerification) return [];
    const version = num(next.verificationOccurredAt) ?? str(next.verificationUpdatedAt) ?? change.at;
    return [
      {
        detailType: partnerEventTypes.profileVerification,
        detail: {
          eventId: eventIdOf(pk, sk, version, 'verification', verification),
          customerId,
          occurredAt: isoOf(next.verificationUpdatedAt ?? next.verificationOccurredAt, change.at),
          profileId: Number(sk.slice(PROFILE_PREFIX.length)),
          verification,
          previousVerification,
        },
      },
    ];
  }

  if (sk.startsWith(KYC_PREFIX)) {
    const ids = kycIdsOf(sk);
    const status = str(next.status);
    const previousStatus = before ? (str(before.status) ?? null) : null;
    if (!ids || status === undefined || status === previousStatus) return [];
    const version = num(next.statusOccurredAt) ?? str(next.updatedAt) ?? change.at;
    return [
      {
        detailType: partnerEventTypes.kycReviewStatus,
        detail: {
          eventId: eventIdOf(pk, sk, version, 'status', status),
          customerId,
          occurredAt: isoOf(next.statusOccurredAt ?? next.updatedAt, change.at),
          profileId: ids.profileId,
          reviewId: ids.reviewId,
          status,
          previousStatus,
        },
      },
    ];
  }
  return [];
};

/** What of a grant item decides its profiles' access. */
export interface GrantCoverage {
  readonly profileIds: readonly number[];
  /** Tokens kept and not refused for good (`ciphertext` present, no `relinkRequired`). */
  readonly usable: boolean;
}

/** A grant item's coverage, from its stored attributes. */
export const coverageOf = (item: Readonly<Record<string, unknown>>): GrantCoverage => ({
  profileIds: Array.isArray(item.profileIds)
    ? item.profileIds.filter((p): p is number => typeof p === 'number')
    : item.profileIds instanceof Set
      ? [...(item.profileIds as Set<unknown>)].filter((p): p is number => typeof p === 'number')
      : [],
  usable: item.relinkRequired !== true && typeof item.ciphertext === 'string',
});

const sorted = (ids: readonly number[]) => [...ids].sort((x, y) => x - y);
const sameCoverage = (a: GrantCoverage, b: GrantCoverage): boolean => {
  const [x, y] = [sorted(a.profileIds), sorted(b.profileIds)];
  return a.usable === b.usable && x.length === y.length && x.every((p, i) => p === y[i]);
};

/**
 * Whether a change of a `GRANT#` item may change some profile's access (a grant kept, given up,
 * refused for good, its coverage changed): a token refresh does not, and costs no read.
 */
export const affectsAccess = (change: ItemChange): boolean => {
  if (!change.sk.startsWith(GRANT_PREFIX) || customerIdOf(change.pk) === undefined) return false;
  const before = change.oldImage ? coverageOf(change.oldImage) : undefined;
  const after = change.newImage ? coverageOf(change.newImage) : undefined;
  if (!before || !after) return ((before ?? after)?.profileIds.length ?? 0) > 0;
  return !sameCoverage(before, after);
};

/**
 * Each profile's access from all the customer's grants, as route 2 derives it (shared/ports/grants.ts):
 * GRANTED when a usable grant covers it, RELINK_REQUIRED when only a refused one does; NONE is left out.
 */
export const accessOfGrants = (grants: readonly GrantCoverage[]): AccessMap => {
  const out: Record<string, ProfileAccess> = {};
  for (const grant of grants) {
    for (const pid of grant.profileIds) {
      const key = String(pid);
      if (grant.usable) out[key] = 'GRANTED';
      else if (out[key] !== 'GRANTED') out[key] = 'RELINK_REQUIRED';
    }
  }
  return out;
};

/** Whether two access maps say the same for every profile (NONE and absent are the same). */
export const sameAccess = (a: AccessMap, b: AccessMap): boolean => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => accessIn(a, k) === accessIn(b, k));
};

/** The stored map read back from an item attribute (for the consumer's compare-and-set). */
export const storedAccessMap = accessMapOf;
