/** What a request keeps back from its Lambda's remaining time to record the outcome of its Wise calls. */
export const DEADLINE_MARGIN_MS = 1500;

/** The deadline for calls to Wise: the Lambda's remaining time less a margin to record the outcome. */
export const deadlineFrom = (remainingMs: number, marginMs = DEADLINE_MARGIN_MS): number =>
  Date.now() + Math.max(0, remainingMs - marginMs);
