/**
 * Wise's default limits (100 requests per second, 1000 per minute; API-NOTES §8.2), counted in
 * fixed windows of real time for the whole simulator (it serves one partner).
 */
export class RateLimiter {
  private second = { window: -1, count: 0 };
  private minute = { window: -1, count: 0 };

  constructor(private readonly limits: { perSecond: number; perMinute: number }) {}

  /** undefined when allowed; otherwise seconds to wait (Retry-After). */
  check(nowMs: number = Date.now()): number | undefined {
    const s = Math.floor(nowMs / 1000);
    const m = Math.floor(nowMs / 60_000);
    if (this.second.window !== s) this.second = { window: s, count: 0 };
    if (this.minute.window !== m) this.minute = { window: m, count: 0 };
    if (this.minute.count >= this.limits.perMinute)
      return Math.max(1, Math.ceil(((m + 1) * 60_000 - nowMs) / 1000));
    if (this.second.count >= this.limits.perSecond) return 1;
    this.second.count++;
    this.minute.count++;
    return undefined;
  }
}
