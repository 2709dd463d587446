/** Nearest-rank percentile of a sample (ms); p in [0, 100]. */
export const percentile = (sample: readonly number[], p: number): number => {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
};

export const median = (sample: readonly number[]): number => percentile(sample, 50);

/** Rounds for the report: two decimals keeps sub-millisecond latencies readable. */
export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Silences stdout while measuring: the functions log one JSON line per request (as in Lambda, where
 * the runtime captures it); the serialisation still happens and is measured, only the terminal is spared.
 */
export const withMutedStdout = async <T>(run: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((_chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
};
