import type { SimClock } from './clock';
import type { SimState } from './state';

export interface WebhookRetryConfig {
  baseDelayMs: number;
  factor: number;
  maxAttempts: number;
  timeoutMs: number;
}

export interface SimConfig {
  clientId: string;
  clientSecret: string;
  clientKey: string;
  redirectUris: string[];
  rateLimit: { perSecond: number; perMinute: number };
  webhookRetry: WebhookRetryConfig;
  seedDemoUser: boolean;
}

/** Fires a webhook event to every matching subscription. Implemented by webhook-delivery. */
export interface EventPublisher {
  /** Resolves once every matching subscription's first delivery attempt has settled. */
  publish(eventType: string, data: Record<string, unknown>, profileId?: number): Promise<void>;
}

/** The shared simulator: state, time, config and side effects, handed to every domain module. */
export interface Sim {
  state: SimState;
  readonly clock: SimClock;
  readonly config: SimConfig;
  readonly events: EventPublisher;
  /** The origin pages and hosted links live on, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  /** Marks state as changed so the snapshot gets written soon. */
  changed(): void;
  log(line: string): void;
}

export const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;
export const ACCESS_TOKEN_EXPIRES_IN = 43_199;
export const REFRESH_TOKEN_EXPIRES_IN = 628_639_555;
export const AUTHORIZATION_CODE_TTL_MS = 30 * 60 * 1000;
export const CLAIM_ACCOUNT_CODE_TTL_MS = 5 * 60 * 1000;
export const KYC_LINK_TTL_MS = 5 * 60 * 1000;
