/**
 * The simulator's notion of "now". Every expiry (tokens, codes, hosted links) reads this clock,
 * and everything the simulator does later — webhook retries, a delivery's timeout, a KYC review
 * leaving NEW — is scheduled on it, so tests move time with `advance` instead of waiting.
 */
export interface SimClock {
  now(): number;
  /** Moves the clock forward; anything scheduled up to the new instant runs, in time order. */
  advance(ms: number): void;
  /** Runs `task` once the clock reaches `at` (epoch ms). Returns a cancel function. */
  schedule(at: number, task: () => void): () => void;
  /** When the earliest scheduled task is due, if any. */
  nextScheduledAt(): number | undefined;
}

interface Timer {
  at: number;
  seq: number;
  task: () => void;
}

/**
 * Timers ordered by instant (then by creation), shared by both clock kinds. `runDue` runs every
 * timer due at `now()`, including ones a running task schedules for the same instant.
 */
class TimerQueue {
  private timers: Timer[] = [];
  private seq = 0;

  add(at: number, task: () => void): { timer: Timer; cancel: () => void } {
    const timer = { at, seq: this.seq++, task };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return { timer, cancel: () => this.remove(timer) };
  }

  remove(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
  }

  next(): Timer | undefined {
    return this.timers[0];
  }

  /** Takes the earliest timer due at or before `at`. */
  takeDue(at: number): Timer | undefined {
    const first = this.timers[0];
    if (!first || first.at > at) return undefined;
    this.timers.shift();
    return first;
  }
}

const runSafely = (task: () => void) => {
  try {
    task();
  } catch {
    // A scheduled task reports its own failures; one must not stop the clock for the others.
  }
};

/**
 * Moves `clock` by `ms` one due task at a time, waiting for the I/O each step started (webhook
 * attempts) to settle before time moves on: a receiver's answer takes no simulated time, so a long
 * move does not time out an attempt it started itself. Attempts already under way are not waited
 * for — one may hang until the clock reaches its timeout.
 */
export async function advanceSettling(
  clock: SimClock,
  ms: number,
  work: { mark(): number; settledAfter(mark: number): Promise<void> },
): Promise<void> {
  const target = clock.now() + ms;
  const step = async (to: number) => {
    const mark = work.mark();
    clock.advance(Math.max(0, to - clock.now()));
    await work.settledAfter(mark);
  };
  for (
    let next = clock.nextScheduledAt();
    next !== undefined && next <= target;
    next = clock.nextScheduledAt()
  )
    await step(next);
  await step(target);
}

/**
 * Without `startMs`: real time plus an offset that `advance` (and `POST /_sim/clock`) moves; a
 * scheduled task runs when real time reaches it or an advance passes it.
 * With `startMs`: a manual clock frozen at that instant that moves only when advanced — the
 * deterministic choice for tests: nothing scheduled runs until the test moves the clock.
 */
export function createSimClock(startMs?: number): SimClock {
  const queue = new TimerQueue();
  if (startMs === undefined) {
    let offset = 0;
    let wake: NodeJS.Timeout | undefined;
    const now = () => Date.now() + offset;
    const pump = () => {
      if (wake) clearTimeout(wake);
      wake = undefined;
      for (let due = queue.takeDue(now()); due; due = queue.takeDue(now())) runSafely(due.task);
      const next = queue.next();
      if (next) {
        // Real time moves the clock here, so a real timer wakes the queue; unref'd, it never keeps a process alive.
        wake = setTimeout(pump, Math.max(0, next.at - now()));
        wake.unref();
      }
    };
    return {
      now,
      advance: (ms) => {
        offset += ms;
        pump();
      },
      schedule: (at, task) => {
        const { cancel } = queue.add(at, task);
        pump();
        return () => {
          cancel();
          pump();
        };
      },
      nextScheduledAt: () => queue.next()?.at,
    };
  }
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      const target = current + ms;
      // Step through each due timer at its own instant, so what it records carries its time.
      for (let due = queue.takeDue(target); due; due = queue.takeDue(target)) {
        current = Math.max(current, due.at);
        runSafely(due.task);
      }
      current = target;
    },
    schedule: (at, task) => queue.add(at, task).cancel,
    nextScheduledAt: () => queue.next()?.at,
  };
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** Wise prints many timestamps as local date-times without a zone (e.g. profile createdAt). */
export function localIsoAt(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '');
}

/**
 * Zone-less with nine fraction digits, as Wise prints `link.expiresAt` in its KYC PATCH example
 * (`2024-09-03T16:29:41.203225146`).
 */
export function localIsoNanosAt(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000000');
}

/** Webhook envelopes (schema 2.0.0) use second precision: "2020-01-01T12:34:56Z". */
export function isoSecondsAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
