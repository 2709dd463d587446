import type { RouteId } from './routes';

/**
 * Request limits per route, beside the route table (shared/routes.ts): the CDK stack reads them for
 * the API stage's per-route throttles and the edge firewall's per-IP rules.
 */

/** API Gateway's token bucket for one route: steady requests per second and burst. */
export interface RouteThrottle {
  readonly rate: number;
  readonly burst: number;
}

/**
 * Routes with their own throttle; every other route gets the stage default (context
 * `throttleRateLimit` / `throttleBurstLimit`). A throttled request answers 429 before any function runs.
 */
export const routeThrottles: Partial<Record<RouteId, RouteThrottle>> = {
  // One browser redirect per link attempt: a flood here must not take the other routes' budget.
  oauthCallback: { rate: 20, burst: 40 },
  // Wise retries a refused delivery for about two weeks, so a 429 delays an event, never loses it;
  // the bucket matches what the webhook function's reserved concurrency absorbs.
  receiveWebhook: { rate: 100, burst: 200 },
  // Each signup creates a Wise user and profile: a burst beyond this is a client bug, not customers.
  createAccount: { rate: 10, burst: 20 },
  // Document uploads (up to a few MB each) are the costliest requests to carry and forward.
  submitIdentityDocument: { rate: 5, burst: 10 },
  submitKycRequirement: { rate: 5, burst: 10 },
};

/** A per-client-IP limit at the edge (AWS WAF rate-based rule), for routes callable without a token. */
export interface EdgeRateLimit {
  /** Requests per client IP within {@link EDGE_RATE_WINDOW_SECONDS} before WAF answers 429. */
  readonly requestsPerWindow: number;
}

/** The window of the per-IP rules (WAF accepts 60, 120, 300 or 600 s). */
export const EDGE_RATE_WINDOW_SECONDS = 300;

/**
 * The public routes' per-IP limits. The callback's is generous for carrier-grade NAT (many customers
 * behind one address) yet far below a flood; Wise delivers webhooks from a handful of addresses, so
 * the webhook limit sits well above a busy partner's delivery rate (about 10 per second per address).
 */
export const edgeRateLimits: Partial<Record<RouteId, EdgeRateLimit>> = {
  oauthCallback: { requestsPerWindow: 300 },
  receiveWebhook: { requestsPerWindow: 3000 },
};
