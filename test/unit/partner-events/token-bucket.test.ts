import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../functions/reconcile/token-bucket';

/** A clock that moves only when the bucket sleeps. */
const virtualTime = () => {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
};

describe('TokenBucket', () => {
  it('lets calls start at no more than the rate after the first burst', async () => {
    // Prepare
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 10, ...time });
    const starts: number[] = [];

    // Act: 50 units of work, one Wise call each
    for (let i = 0; i < 50; i++) {
      await bucket.ready();
      starts.push(time.now());
      bucket.spend();
    }

    // Assess: 10 at once, then 40 more at 10/s
    expect(starts.filter((t) => t === 0)).toHaveLength(10);
    expect(starts.at(-1)).toBeGreaterThanOrEqual(4000);
    for (let t = 0; t <= starts.at(-1)!; t += 100) {
      const inWindow = starts.filter((s) => s > t && s <= t + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
    expect(bucket.spent).toBe(50);
  });

  it('makes work wait for calls it spent beyond a token (retries, token refreshes)', async () => {
    // Prepare
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 1, ...time });

    // Act
    await bucket.ready();
    bucket.spend();
    bucket.spend();
    bucket.spend();
    await bucket.ready();

    // Assess: two calls of debt and one token to wait for, at 100 ms each
    expect(time.now()).toBe(300);
  });

  it('refuses a bucket that could never give a token', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, capacity: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, capacity: 0 })).toThrow(RangeError);
  });
});
