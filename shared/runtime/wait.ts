export interface WaitOptions {
  /** Milliseconds between two probes. */
  every: number;
  /** Epoch ms after which no further probe starts. */
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Probes until it yields a value or the deadline passes: the one poll-and-wait of the product
 * (a concurrent signup's outcome, a review another request is creating, a token another container
 * is refreshing). The first probe runs at once; undefined means "not yet".
 *
 * @example const review = await waitUntil(() => reviews.byTrigger(pid, trigger), { every: 250, deadline });
 */
export const waitUntil = async <T>(
  probe: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T | undefined> => {
  const pause = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() + options.every > options.deadline) return undefined;
    await pause(options.every);
  }
};
