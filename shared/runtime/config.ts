import * as z from '../zod';

export type WiseEnvironment = 'sandbox' | 'production' | 'local';

/** Wise's hosts per environment (API-NOTES §8.1). `local` is the simulator, configured by URL. */
export const wiseHosts = {
  sandbox: {
    api: 'https://api.wise-sandbox.com',
    apiMtls: 'https://api-mtls.wise-sandbox.com',
    web: 'https://wise-sandbox.com',
  },
  production: {
    api: 'https://api.wise.com',
    apiMtls: 'https://api-mtls.transferwise.com',
    web: 'https://wise.com',
  },
} as const;

export interface AppConfig {
  readonly wiseEnvironment: WiseEnvironment;
  readonly wiseApiBaseUrl: string;
  /** Used instead of wiseApiBaseUrl when mTLS credentials are configured. */
  readonly wiseApiMtlsBaseUrl?: string;
  readonly wiseWebBaseUrl: string;
  readonly tableName: string;
  readonly dynamoEndpoint?: string;
  readonly appKeyId?: string;
  readonly credentialsSecretArn?: string;
  /** The secret holding the HMAC key of the identity digests (shared/ports/identity.ts); AWS only. */
  readonly identityKeySecretArn?: string;
  readonly allowedReturnUrls: readonly string[];
  readonly oauthCallbackUrl: string;
  readonly webhookPublicKeys?: string;
  /** Local/test only: a CA to trust for the mTLS host (the simulator's own CA). */
  readonly mtlsCaPem?: string;
  /** How long audit events are kept (the table's TTL): CDK context `auditRetentionDays`. */
  readonly auditRetentionDays: number;
}

const url = z.string().check(z.url());
const nonEmpty = () => z.string().check(z.minLength(1));

const envSchema = z.object({
  WISE_ENVIRONMENT: z._default(z.enum(['sandbox', 'production', 'local']), 'sandbox'),
  WISE_API_BASE_URL: z.optional(url),
  WISE_WEB_BASE_URL: z.optional(url),
  TABLE_NAME: nonEmpty(),
  DYNAMODB_ENDPOINT: z.optional(url),
  APP_KEY_ID: z.optional(nonEmpty()),
  WISE_CREDENTIALS_SECRET_ARN: z.optional(nonEmpty()),
  IDENTITY_KEY_SECRET_ARN: z.optional(nonEmpty()),
  ALLOWED_RETURN_URLS: z._default(z.string(), ''),
  OAUTH_CALLBACK_URL: url,
  WISE_WEBHOOK_PUBLIC_KEYS: z.optional(z.string()),
  WISE_API_MTLS_BASE_URL: z.optional(url),
  WISE_MTLS_CA_PEM: z.optional(z.string()),
  AUDIT_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(36500)), 2555),
});

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a URL the service sends customers to (a return URL prefix, the OAuth callback) is not
 * acceptable in `environment`, or undefined. Production answers customers over https only: an
 * http:// target would carry the one-time link result and codes in clear over the network.
 * `http://localhost` is for development (the local stack, or a sandbox reached from a
 * developer's machine, as infra/config.ts allows it), never production.
 */
export const unsafeUrlProblem = (value: string, environment: WiseEnvironment): string | undefined => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname) && environment !== 'production')
    return undefined;
  return environment === 'production'
    ? 'must use https in production'
    : 'must use https (or http://localhost)';
};

/** Reads the function's configuration from its environment; fails fast naming the bad variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): AppConfig => {
  // Parsed once per container; zod/mini's objects have no compiled fast path to generate.
  const parsed = z.safeParse(envSchema, env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid configuration: ${names}`);
  }
  const e = parsed.data;
  const hosts = e.WISE_ENVIRONMENT === 'local' ? undefined : wiseHosts[e.WISE_ENVIRONMENT];
  const api = e.WISE_API_BASE_URL ?? hosts?.api;
  const web = e.WISE_WEB_BASE_URL ?? hosts?.web ?? api;
  if (!api || !web)
    throw new Error('Invalid configuration: WISE_API_BASE_URL is required for the local environment');
  const allowedReturnUrls = e.ALLOWED_RETURN_URLS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Named, never quoted: the message reaches the function's log.
  const unsafe = [
    ...allowedReturnUrls.map(
      (u) => ['ALLOWED_RETURN_URLS', unsafeUrlProblem(u, e.WISE_ENVIRONMENT)] as const,
    ),
    ['OAUTH_CALLBACK_URL', unsafeUrlProblem(e.OAUTH_CALLBACK_URL, e.WISE_ENVIRONMENT)] as const,
  ].filter(([, problem]) => problem !== undefined);
  if (unsafe.length > 0)
    throw new Error(
      `Invalid configuration: ${unsafe.map(([name, problem]) => `${name} ${problem}`).join(', ')}`,
    );
  return {
    wiseEnvironment: e.WISE_ENVIRONMENT,
    wiseApiBaseUrl: api.replace(/\/$/, ''),
    wiseApiMtlsBaseUrl: e.WISE_API_MTLS_BASE_URL ?? hosts?.apiMtls,
    wiseWebBaseUrl: web.replace(/\/$/, ''),
    tableName: e.TABLE_NAME,
    dynamoEndpoint: e.DYNAMODB_ENDPOINT,
    appKeyId: e.APP_KEY_ID,
    credentialsSecretArn: e.WISE_CREDENTIALS_SECRET_ARN,
    identityKeySecretArn: e.IDENTITY_KEY_SECRET_ARN,
    allowedReturnUrls,
    oauthCallbackUrl: e.OAUTH_CALLBACK_URL,
    webhookPublicKeys: e.WISE_WEBHOOK_PUBLIC_KEYS,
    mtlsCaPem: e.WISE_MTLS_CA_PEM,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
  };
};
