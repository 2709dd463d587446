import type { SimClock } from './clock';
import type { SimState } from './state';

export interface WebhookRetryConfig {
  /** The first retry's delay (Wise: 1 minute). */
  baseDelayMs: number;
  factor: number;
  /** Attempts in all, the first included (Wise: 1 + 25 retries). */
  maxAttempts: number;
  /** Retries that back off exponentially; the rest come once every `maxDelayMs` (Wise: 11, then daily). */
  backoffRetries: number;
  /** The longest wait between two attempts (Wise: 24 h). */
  maxDelayMs: number;
  /** How long a receiver has to answer (Wise: 5 s), on the simulator's clock. */
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
  /** How long a new KYC review stays NEW before it waits for the customer (Wise: "at most few seconds"). */
  kycNewMs: number;
  /** How `link.expiresAt` is printed: as in Wise's PATCH example, or the link's real expiry. */
  kycLinkExpiresAt: 'as-in-wise-example' | 'link-expiry';
  /** Whether an error redirect of the authorize page carries `state` (see README, decisions). */
  oauthErrorState: 'echo' | 'omit';
  /** Length of a client-credentials access token (JWT/JWE-shaped, Wise's 2026 format). */
  clientTokenLength: number;
  /** Status of a refused registration_code grant (wrong code, reclaimed account): 401 or 400. */
  registrationCodeRefusalStatus: 400 | 401;
}

/**
 * An event's `data`: the same for every subscription, or built per schema version (undefined: the
 * subscription's version has no event for this change, e.g. a requirement change before 5.0.0).
 */
export type EventData =
  Record<string, unknown> | ((schemaVersion: string) => Record<string, unknown> | undefined);

/** Fires a webhook event to every matching subscription. Implemented by webhook-delivery. */
export interface EventPublisher {
  /** Resolves once every matching subscription's first delivery attempt has settled. */
  publish(eventType: string, data: EventData, profileId?: number): Promise<void>;
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
  /** Runs `task` when the simulator's clock reaches `at`; cancelled when the simulator closes. */
  schedule(at: number, task: () => void): () => void;
  log(line: string): void;
}

export const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;
export const ACCESS_TOKEN_EXPIRES_IN = 43_199;
export const REFRESH_TOKEN_EXPIRES_IN = 628_639_555;
export const AUTHORIZATION_CODE_TTL_MS = 30 * 60 * 1000;
export const CLAIM_ACCOUNT_CODE_TTL_MS = 5 * 60 * 1000;
export const KYC_LINK_TTL_MS = 5 * 60 * 1000;
