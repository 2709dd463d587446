import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/** Which Wise API the deployment talks to. */
export type WiseEnvironment = 'sandbox' | 'production';

/**
 * The deployment's settings, validated. Built by {@link parseStackConfig} from CDK context
 * (`cdk.json` or `cdk synth -c key=value`) or from stack props in tests.
 */
export interface StackConfig {
  readonly wiseEnvironment: WiseEnvironment;
  /** https URL prefixes that a customer may be sent back to after linking or KYC. */
  readonly allowedReturnUrls: readonly string[];
  /** The partner identity provider's issuer URL, trusted by the API's JWT authorizer. */
  readonly jwtIssuer: string;
  /** Accepted `aud` values of partner JWTs. */
  readonly jwtAudience: readonly string[];
  /** Public base URL (custom domain) in front of the API; the OAuth callback is built from it. */
  readonly publicBaseUrl?: string;
  /** Address that alarm notifications go to; no topic is created without it. */
  readonly alarmEmail?: string;
  readonly logRetention: RetentionDays;
  /** Steady-state requests per second allowed per route on the stage. */
  readonly throttleRateLimit: number;
  /** Burst allowance per route on the stage. */
  readonly throttleBurstLimit: number;
  /** Browser origins allowed by CORS; empty means no CORS (partners call from their backends). */
  readonly corsOrigins: readonly string[];
  /** PEM public keys that override Wise's published webhook keys (e.g. for a simulator). */
  readonly wiseWebhookPublicKeys?: string;
  /**
   * IAM roles that administer the stack's KMS keys (never use them). Empty: the account root, that
   * is whichever IAM principals the account's own policies allow. Must include the role
   * CloudFormation deploys with, or it cannot update the key policies.
   */
  readonly keyAdminRoleArns: readonly string[];
  /** The CLOUDFRONT-scope WAF web ACL (from the us-east-1 edge stack) attached to the distribution. */
  readonly edgeWebAclArn?: string;
  /** us-east-1 ACM certificate for {@link publicBaseUrl}'s host, served by CloudFront. */
  readonly edgeCertificateArn?: string;
  /**
   * A custom domain on the API itself, used as CloudFront's origin; with it the default
   * execute-api endpoint is disabled, so the API is reachable only through that domain.
   */
  readonly apiOrigin?: { readonly domainName: string; readonly certificateArn: string };
  /** Concurrency reserved for (and capping) the webhook receiver. */
  readonly webhookReservedConcurrency: number;
  /** How often reconciliation runs (EventBridge Scheduler), in minutes: context `reconcileEvery`. */
  readonly reconcileEveryMinutes: number;
  /** How long audit events are kept (route 21), through the table's TTL; functions get it as AUDIT_RETENTION_DAYS. */
  readonly auditRetentionDays: number;
}

/**
 * The raw settings as they arrive from context or props: strings from the command line,
 * strings, numbers or arrays from `cdk.json`.
 */
export type StackConfigInput = Partial<Record<ConfigKey, unknown>>;

/** The context keys read by the stack. */
export const configKeys = [
  'wiseEnvironment',
  'allowedReturnUrls',
  'jwtIssuer',
  'jwtAudience',
  'publicBaseUrl',
  'alarmEmail',
  'logRetentionDays',
  'throttleRateLimit',
  'throttleBurstLimit',
  'corsOrigins',
  'wiseWebhookPublicKeys',
  'keyAdminRoleArns',
  'edgeWebAclArn',
  'edgeCertificateArn',
  'apiOriginDomainName',
  'apiOriginCertificateArn',
  'webhookReservedConcurrency',
  'auditRetentionDays',
  'reconcileEvery',
] as const;

export type ConfigKey = (typeof configKeys)[number];

/** A setting is missing or invalid; the message names the key and what is expected. */
export class StackConfigError extends Error {
  constructor(
    readonly key: ConfigKey,
    message: string,
  ) {
    super(`Invalid stack configuration "${key}": ${message}`);
    this.name = 'StackConfigError';
  }
}

export const DEFAULT_LOG_RETENTION_DAYS = 90;
export const DEFAULT_THROTTLE_RATE_LIMIT = 50;
export const DEFAULT_THROTTLE_BURST_LIMIT = 100;
export const DEFAULT_WEBHOOK_RESERVED_CONCURRENCY = 50;
/** About seven years, a common retention for a bank's records. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 2555;

const PARTITION = 'aws(?:-[a-z]+)*';
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/[\\w+=,.@/-]+$`);
/** CLOUDFRONT-scope web ACLs live in us-east-1 under `global/`. */
const CLOUDFRONT_WEB_ACL_ARN = new RegExp(
  `^arn:${PARTITION}:wafv2:us-east-1:\\d{12}:global/webacl/[\\w-]+/[\\w-]+$`,
);
const CERTIFICATE_ARN = new RegExp(`^arn:${PARTITION}:acm:([a-z0-9-]+):\\d{12}:certificate/[\\w-]+$`);
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Reads every known key from CDK context. */
export const readContext = (node: Node): StackConfigInput =>
  Object.fromEntries(configKeys.map((key) => [key, node.tryGetContext(key) as unknown]));

/**
 * Validates raw settings and returns the typed configuration.
 *
 * @example
 * const config = parseStackConfig({ ...readContext(app.node), ...props.config });
 * @throws StackConfigError naming the first bad key
 */
export const parseStackConfig = (input: StackConfigInput): StackConfig => {
  const wiseEnvironment = requiredString(input, 'wiseEnvironment');
  if (wiseEnvironment !== 'sandbox' && wiseEnvironment !== 'production') {
    throw new StackConfigError(
      'wiseEnvironment',
      `expected "sandbox" or "production", got "${wiseEnvironment}"`,
    );
  }

  const allowedReturnUrls = list(input, 'allowedReturnUrls');
  if (allowedReturnUrls.length === 0) {
    throw new StackConfigError('allowedReturnUrls', 'at least one URL prefix is required');
  }
  // http://localhost is for developing against a sandbox; production answers customers only over https.
  const production = wiseEnvironment === 'production';
  allowedReturnUrls.forEach((url) =>
    assertSafeUrl('allowedReturnUrls', url, { allowLocalhost: !production }),
  );

  const jwtIssuer = requiredString(input, 'jwtIssuer');
  // API Gateway only accepts https issuers: it fetches the OpenID discovery document from there.
  assertSafeUrl('jwtIssuer', jwtIssuer, { allowLocalhost: false });

  const jwtAudience = list(input, 'jwtAudience');
  if (jwtAudience.length === 0) {
    throw new StackConfigError('jwtAudience', 'at least one audience is required');
  }

  const publicBaseUrl = optionalString(input, 'publicBaseUrl');
  if (publicBaseUrl !== undefined) assertSafeUrl('publicBaseUrl', publicBaseUrl, { allowLocalhost: false });

  const alarmEmail = optionalString(input, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new StackConfigError('alarmEmail', `"${alarmEmail}" is not an email address`);
  }

  const logRetention = retentionOf(input);

  const throttleRateLimit = integer(input, 'throttleRateLimit', DEFAULT_THROTTLE_RATE_LIMIT);
  const throttleBurstLimit = integer(input, 'throttleBurstLimit', DEFAULT_THROTTLE_BURST_LIMIT);
  if (throttleRateLimit < 1) throw new StackConfigError('throttleRateLimit', 'must be at least 1');
  if (throttleBurstLimit < 1) throw new StackConfigError('throttleBurstLimit', 'must be at least 1');

  const corsOrigins = list(input, 'corsOrigins');
  corsOrigins.forEach((origin) => assertSafeUrl('corsOrigins', origin, { allowLocalhost: !production }));

  const wiseWebhookPublicKeys = optionalString(input, 'wiseWebhookPublicKeys');
  if (wiseWebhookPublicKeys !== undefined && !wiseWebhookPublicKeys.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new StackConfigError('wiseWebhookPublicKeys', 'expected one or more PEM "PUBLIC KEY" blocks');
  }

  const keyAdminRoleArns = roleArnsOf(input);

  const edgeWebAclArn = optionalString(input, 'edgeWebAclArn');
  if (edgeWebAclArn !== undefined && !CLOUDFRONT_WEB_ACL_ARN.test(edgeWebAclArn)) {
    throw new StackConfigError(
      'edgeWebAclArn',
      `"${edgeWebAclArn}" is not a CLOUDFRONT-scope web ACL ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)`,
    );
  }
  if (production && edgeWebAclArn === undefined) {
    throw new StackConfigError(
      'edgeWebAclArn',
      'is required in production: deploy the WiseOnboardingEdge stack (us-east-1) and pass its WebAclArn output',
    );
  }

  const edgeCertificateArn = optionalString(input, 'edgeCertificateArn');
  if (edgeCertificateArn !== undefined && CERTIFICATE_ARN.exec(edgeCertificateArn)?.[1] !== 'us-east-1') {
    throw new StackConfigError(
      'edgeCertificateArn',
      'expected an ACM certificate ARN in us-east-1 (CloudFront only uses those)',
    );
  }
  if ((publicBaseUrl === undefined) !== (edgeCertificateArn === undefined)) {
    throw new StackConfigError(
      'edgeCertificateArn',
      'publicBaseUrl and edgeCertificateArn go together: CloudFront serves the public host with that certificate',
    );
  }

  const apiOriginDomainName = optionalString(input, 'apiOriginDomainName')?.toLowerCase();
  const apiOriginCertificateArn = optionalString(input, 'apiOriginCertificateArn');
  if ((apiOriginDomainName === undefined) !== (apiOriginCertificateArn === undefined)) {
    throw new StackConfigError(
      'apiOriginCertificateArn',
      'apiOriginDomainName and apiOriginCertificateArn go together (the API custom domain and its regional certificate)',
    );
  }
  if (apiOriginDomainName !== undefined && !HOSTNAME.test(apiOriginDomainName)) {
    throw new StackConfigError('apiOriginDomainName', `"${apiOriginDomainName}" is not a host name`);
  }
  if (apiOriginCertificateArn !== undefined && !CERTIFICATE_ARN.test(apiOriginCertificateArn)) {
    throw new StackConfigError(
      'apiOriginCertificateArn',
      `"${apiOriginCertificateArn}" is not an ACM certificate ARN`,
    );
  }

  const webhookReservedConcurrency = integer(
    input,
    'webhookReservedConcurrency',
    DEFAULT_WEBHOOK_RESERVED_CONCURRENCY,
  );
  if (webhookReservedConcurrency < 1) {
    throw new StackConfigError('webhookReservedConcurrency', 'must be at least 1');
  }

  const auditRetentionDays = integer(input, 'auditRetentionDays', DEFAULT_AUDIT_RETENTION_DAYS);
  if (auditRetentionDays < 1 || auditRetentionDays > 36_500) {
    throw new StackConfigError('auditRetentionDays', 'must be from 1 to 36500 days');
  }

  const reconcileEveryMinutes = reconcileEveryOf(input);

  return {
    wiseEnvironment,
    allowedReturnUrls,
    jwtIssuer,
    jwtAudience,
    ...(publicBaseUrl !== undefined && { publicBaseUrl: publicBaseUrl.replace(/\/+$/, '') }),
    ...(alarmEmail !== undefined && { alarmEmail }),
    logRetention,
    throttleRateLimit,
    throttleBurstLimit,
    corsOrigins,
    ...(wiseWebhookPublicKeys !== undefined && { wiseWebhookPublicKeys }),
    keyAdminRoleArns,
    ...(edgeWebAclArn !== undefined && { edgeWebAclArn }),
    ...(edgeCertificateArn !== undefined && { edgeCertificateArn }),
    ...(apiOriginDomainName !== undefined &&
      apiOriginCertificateArn !== undefined && {
        apiOrigin: { domainName: apiOriginDomainName, certificateArn: apiOriginCertificateArn },
      }),
    webhookReservedConcurrency,
    reconcileEveryMinutes,
    auditRetentionDays,
  };
};

/** The edge stack's settings (infra/edge-stack.ts): the same context keys, validated the same way. */
export interface EdgeStackConfig {
  readonly keyAdminRoleArns: readonly string[];
  readonly logRetention: RetentionDays;
}

/** Reads {@link EdgeStackConfig} from context; the service stack's other keys are not needed there. */
export const parseEdgeStackConfig = (input: StackConfigInput): EdgeStackConfig => ({
  keyAdminRoleArns: roleArnsOf(input),
  logRetention: retentionOf(input),
});

const roleArnsOf = (input: StackConfigInput): string[] => {
  const arns = list(input, 'keyAdminRoleArns');
  for (const arn of arns) {
    if (!ROLE_ARN.test(arn))
      throw new StackConfigError('keyAdminRoleArns', `"${arn}" is not an IAM role ARN`);
  }
  return arns;
};

const retentionOf = (input: StackConfigInput): RetentionDays => {
  const retentionDays = integer(input, 'logRetentionDays', DEFAULT_LOG_RETENTION_DAYS);
  const allowedRetention = Object.values(RetentionDays).filter(
    (v): v is RetentionDays => typeof v === 'number',
  );
  if (!allowedRetention.includes(retentionDays)) {
    throw new StackConfigError(
      'logRetentionDays',
      `CloudWatch Logs accepts only ${allowedRetention.filter((d) => d !== RetentionDays.INFINITE).join(', ')} (got ${retentionDays})`,
    );
  }
  return retentionDays as RetentionDays;
};

export const DEFAULT_RECONCILE_EVERY_MINUTES = 60;

/**
 * `reconcileEvery`: minutes as a number, or `30m`, `2h`, `1d`, `90 minutes`, `1 hour`. At least
 * every 5 minutes (a run reads Wise at 10 calls/s and may take minutes), at most daily (the due
 * lists are 24 h windows: a slower schedule would leave states unrepaired for days).
 */
const reconcileEveryOf = (input: StackConfigInput): number => {
  const raw = input.reconcileEvery;
  if (raw === undefined || raw === null || raw === '') return DEFAULT_RECONCILE_EVERY_MINUTES;
  const unit: Record<string, number> = {
    m: 1,
    minute: 1,
    minutes: 1,
    h: 60,
    hour: 60,
    hours: 60,
    d: 1440,
    day: 1440,
    days: 1440,
  };
  const m =
    typeof raw === 'number'
      ? [String(raw), String(raw)]
      : typeof raw === 'string'
        ? /^\s*(\d+)\s*([a-z]+)?\s*$/i.exec(raw)
        : null;
  const factor = m?.[2] === undefined ? 1 : unit[m[2].toLowerCase()];
  const minutes = m && factor !== undefined ? Number(m[1]) * factor : Number.NaN;
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
    throw new StackConfigError(
      'reconcileEvery',
      `expected minutes (5..1440) or e.g. "30m", "1h", "1d", got "${String(raw)}"`,
    );
  }
  return minutes;
};

const optionalString = (input: StackConfigInput, key: ConfigKey): string | undefined => {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new StackConfigError(key, `expected a string, got ${typeof value}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

const requiredString = (input: StackConfigInput, key: ConfigKey): string => {
  const value = optionalString(input, key);
  if (value === undefined) throw new StackConfigError(key, 'is required (set it in cdk.json or with -c)');
  return value;
};

/** A comma-separated string (command line) or an array of strings (cdk.json). */
const list = (input: StackConfigInput, key: ConfigKey): string[] => {
  const value = input[key];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (items === undefined || items.some((item) => typeof item !== 'string')) {
    throw new StackConfigError(key, 'expected a comma-separated string or an array of strings');
  }
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
};

const integer = (input: StackConfigInput, key: ConfigKey, fallback: number): number => {
  const value = input[key];
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed))
    throw new StackConfigError(key, `expected a whole number, got "${String(value)}"`);
  return parsed;
};

const isLocalhost = (url: URL): boolean => url.hostname === 'localhost' || url.hostname === '127.0.0.1';

/** https only, except http://localhost for local development; no credentials, query or fragment. */
const assertSafeUrl = (
  key: ConfigKey,
  raw: string,
  { allowLocalhost }: { allowLocalhost: boolean },
): void => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StackConfigError(key, `"${raw}" is not an absolute URL`);
  }
  const plainHttpAllowed = allowLocalhost && url.protocol === 'http:' && isLocalhost(url);
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new StackConfigError(
      key,
      `"${raw}" must use https${allowLocalhost ? ' (http is accepted only for localhost)' : ''}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new StackConfigError(key, `"${raw}" must not contain credentials`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new StackConfigError(key, `"${raw}" must not contain a query string or fragment`);
  }
};
