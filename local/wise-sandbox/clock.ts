/**
 * The simulator's notion of "now". Every expiry (tokens, codes, hosted links) reads this clock,
 * so tests can jump past an expiry with `advance` instead of waiting.
 */
export interface SimClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * Without `startMs`: real time plus an offset that `advance` (and `POST /_sim/clock`) moves.
 * With `startMs`: a manual clock frozen at that instant that moves only when advanced — the
 * deterministic choice for expiry tests.
 */
export function createSimClock(startMs?: number): SimClock {
  if (startMs === undefined) {
    let offset = 0;
    return {
      now: () => Date.now() + offset,
      advance: (ms) => {
        offset += ms;
      },
    };
  }
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** Wise prints many timestamps as local date-times without a zone (e.g. profile createdAt). */
export function localIsoAt(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '');
}

/** Webhook envelopes (schema 2.0.0) use second precision: "2020-01-01T12:34:56Z". */
export function isoSecondsAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
