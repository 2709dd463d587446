/**
 * Which knowledge of a review's status is newer. Two sources write it: kyc-reviews#state-change
 * webhooks (stamped with Wise's `occurred_at`, whole seconds) and this function's own reads of
 * Wise (the state at the moment of the read). A read must never replace a newer webhook state.
 */

/**
 * The instant a read's status is recorded as. A webhook's `occurred_at` is truncated to the
 * second, so a change at 12:00:05.700 is stamped 12:00:05.000: a read at 12:00:05.500 (which
 * may predate that change) must rank below it. Recording the read as the last millisecond of
 * the previous second does that, and still ranks above every webhook of earlier seconds.
 */
export const readAsOf = (readAt: number): number => Math.floor(readAt / 1000) * 1000 - 1;

/**
 * Whether a read recorded as `asOf` may replace the stored status. Ties go to the read: only
 * another read can produce the same value, and of two reads in one second either is current.
 */
export const readMayReplace = (storedOccurredAt: number | undefined, asOf: number): boolean =>
  storedOccurredAt === undefined || storedOccurredAt <= asOf;
