import * as z from 'zod';

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
  readonly allowedReturnUrls: readonly string[];
  readonly oauthCallbackUrl: string;
  readonly webhookPublicKeys?: string;
  /** Local/test only: a CA to trust for the mTLS host (the simulator's own CA). */
  readonly mtlsCaPem?: string;
  /** How long audit events are kept (the table's TTL): CDK context `auditRetentionDays`. */
  readonly auditRetentionDays: number;
}

const url = z.string().url();

const envSchema = z.object({
  WISE_ENVIRONMENT: z.enum(['sandbox', 'production', 'local']).default('sandbox'),
  WISE_API_BASE_URL: url.optional(),
  WISE_WEB_BASE_URL: url.optional(),
  TABLE_NAME: z.string().min(1),
  DYNAMODB_ENDPOINT: url.optional(),
  APP_KEY_ID: z.string().min(1).optional(),
  WISE_CREDENTIALS_SECRET_ARN: z.string().min(1).optional(),
  ALLOWED_RETURN_URLS: z.string().default(''),
  OAUTH_CALLBACK_URL: url,
  WISE_WEBHOOK_PUBLIC_KEYS: z.string().optional(),
  WISE_API_MTLS_BASE_URL: url.optional(),
  WISE_MTLS_CA_PEM: z.string().optional(),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(2555),
});

/** Reads the function's configuration from its environment; fails fast naming the bad variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): AppConfig => {
  // Parsed once per container: zod's compiled fast path would cost more to generate than it saves.
  const parsed = envSchema.safeParse(env, { jitless: true });
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
  return {
    wiseEnvironment: e.WISE_ENVIRONMENT,
    wiseApiBaseUrl: api.replace(/\/$/, ''),
    wiseApiMtlsBaseUrl: e.WISE_API_MTLS_BASE_URL ?? hosts?.apiMtls,
    wiseWebBaseUrl: web.replace(/\/$/, ''),
    tableName: e.TABLE_NAME,
    dynamoEndpoint: e.DYNAMODB_ENDPOINT,
    appKeyId: e.APP_KEY_ID,
    credentialsSecretArn: e.WISE_CREDENTIALS_SECRET_ARN,
    allowedReturnUrls: e.ALLOWED_RETURN_URLS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    oauthCallbackUrl: e.OAUTH_CALLBACK_URL,
    webhookPublicKeys: e.WISE_WEBHOOK_PUBLIC_KEYS,
    mtlsCaPem: e.WISE_MTLS_CA_PEM,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
  };
};
