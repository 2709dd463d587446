import type { FunctionName } from '../routes';

/** How a function is sized: what the CDK stack deploys and what the local gateway gives each invocation. */
export interface FunctionProfile {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/** API Gateway HTTP APIs give an integration at most 30 seconds, whatever the function's own timeout. */
export const API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS = 30;

/** Wise abandons a webhook delivery that is not answered within 5 seconds, and retries it later. */
export const WISE_WEBHOOK_DEADLINE_SECONDS = 5;

/**
 * Functions that call Wise (with retries inside their budget) stop at 25 s: inside the API's 30 s,
 * with room for a cold start and the gateway's own overhead, so they answer 503 themselves rather
 * than leave the gateway's bare 504.
 */
const API_FUNCTION_TIMEOUT_SECONDS = 25;

/** The memory a function has unless its profile says otherwise. */
export const DEFAULT_MEMORY_MB = 1024;

/**
 * Each function's memory and timeout, defined once: infra/constructs/functions.ts deploys them and
 * the local gateway runs each invocation with them. A new function (a stream consumer, a scheduled
 * job) gets its name in `FunctionName` and the compiler then asks for its line here.
 */
export const functionProfiles: Record<FunctionName, FunctionProfile> = {
  onboarding: { memoryMb: DEFAULT_MEMORY_MB, timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS },
  oauth: { memoryMb: DEFAULT_MEMORY_MB, timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS },
  'kyc-reviews': { memoryMb: DEFAULT_MEMORY_MB, timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS },
  // A slower answer than Wise waits for is wasted work: Wise has already given up and will retry.
  webhooks: { memoryMb: DEFAULT_MEMORY_MB, timeoutSeconds: WISE_WEBHOOK_DEADLINE_SECONDS },
  // A batch of 25 recorded events, three bounded DynamoDB calls each, several at once: seconds at
  // most; 60 s leaves room for a slow table without a timeout (a timeout is what bisection splits).
  'webhook-projection': { memoryMb: 512, timeoutSeconds: 60 },
  // A batch of 50 changes, one bus call and at most three DynamoDB calls each, one at a time (order).
  'partner-events': { memoryMb: 512, timeoutSeconds: 60 },
  // Wise is read at <= 10 calls/s: a run stops taking work well before this (RECONCILE_RUN_BUDGET_MS)
  // and leaves the rest to the next run.
  reconcile: { memoryMb: 512, timeoutSeconds: 300 },
};
