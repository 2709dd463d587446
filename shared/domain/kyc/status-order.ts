/**
 * Wise stamps schema-2.0.0 webhooks to the second, so two state changes of one review can share
 * an `occurred_at` (the hosted flow's PROCESSING and an automatic PASSED often do). Any state may
 * follow any other, but within one second the later step of the usual flow is the better guess:
 * NEW → PROCESSING → WAITING_CUSTOMER_INPUT (more needed) → PASSED_WITH_REQUIREMENTS → PASSED.
 */
const rank: Record<string, number> = {
  NEW: 0,
  PROCESSING: 1,
  WAITING_CUSTOMER_INPUT: 2,
  PASSED_WITH_REQUIREMENTS: 3,
  PASSED: 4,
};

/** Tie-break rank of a review status for events with the same `occurred_at`; unknown states rank lowest. */
export const kycStatusRank = (status: string): number => rank[status] ?? -1;
