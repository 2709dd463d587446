import { sleep as realSleep } from '../../shared/runtime/wait';

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained call rate). */
  ratePerSecond: number;
  /** The most tokens kept (the largest burst). */
  capacity: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A bounded token bucket over every Wise call the reconciliation makes. Each HTTP attempt takes a
 * token as it leaves ({@link spend}, from the transport's per-call hook: retries and token
 * refreshes count too) and may take the bucket below zero; {@link ready} waits, before each unit
 * of work, until the bucket holds a token again. So over any `t` seconds at most
 * `capacity + ratePerSecond * t` calls start, plus the calls of the one unit in flight.
 *
 * @example const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 10 }); await bucket.ready();
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Calls spent so far (for the run's report). */
  spent = 0;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.capacity >= 1))
      throw new RangeError('a token bucket needs a rate > 0 and a capacity >= 1');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = options.capacity;
    this.last = this.now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(
      this.options.capacity,
      this.tokens + ((now - this.last) / 1000) * this.options.ratePerSecond,
    );
    this.last = now;
  }

  /** One call leaves now. */
  spend = (): void => {
    this.refill();
    this.tokens -= 1;
    this.spent += 1;
  };

  /** Resolves once a token is there (not taking it: the calls themselves do). */
  async ready(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) return;
      await this.sleep(Math.ceil(((1 - this.tokens) / this.options.ratePerSecond) * 1000));
    }
  }
}
