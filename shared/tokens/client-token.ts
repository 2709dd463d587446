import type { Clock } from '../ports/clock';
import type { WiseApi, WiseCallOptions as CallOptions } from '../ports/wise';

/** Renew this long before Wise's expiry so a token never dies mid-request. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

/**
 * The client-credentials token, cached per container until shortly before it expires. One
 * fetch at a time: concurrent callers share the same in-flight request.
 */
export class ClientTokenCache {
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;

  constructor(
    private readonly wise: WiseApi,
    private readonly clock: Clock,
  ) {}

  async get(options: CallOptions = {}): Promise<string> {
    if (this.cached && this.cached.expiresAt - RENEW_BEFORE_MS > this.clock.now()) return this.cached.token;
    this.inflight ??= this.wise
      .clientCredentialsToken(options)
      .then((res) => {
        this.cached = { token: res.access_token, expiresAt: this.clock.now() + res.expires_in * 1000 };
        return res.access_token;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Wise refused the cached token (revoked or rotated credentials): fetch a new one next time. */
  invalidate(): void {
    this.cached = undefined;
  }
}
