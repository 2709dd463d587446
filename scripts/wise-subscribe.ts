/**
 * `npm run wise:subscribe` — creates the application webhook subscriptions this product needs
 * (shared/webhooks/subscriptions.ts) at the configured Wise environment, pointing at the deployed
 * webhook route, each at the schema version the product reads for its event. Safe to run again:
 * subscriptions that already point there at that version are left alone; one at an outdated
 * version is migrated (the new one is created, then the old one deleted).
 *
 *   WISE_ENVIRONMENT=sandbox WISE_CREDENTIALS_SECRET_ARN=arn:... npm run wise:subscribe -- --url https://api.example.com/v1/webhooks/wise
 *
 * Environment (flags win): WISE_ENVIRONMENT (--environment), WISE_API_BASE_URL (--api-base-url),
 * WEBHOOK_URL (--url), and either WISE_CLIENT_ID + WISE_CLIENT_SECRET (+ WISE_CLIENT_KEY) or
 * WISE_CREDENTIALS_SECRET_ARN (--secret-arn). The client secret is never printed.
 */
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { SecretsManagerCredentials, StaticCredentials } from '../shared/adapters/secrets-manager-credentials';
import { systemClock } from '../shared/ports/clock';
import type { WiseCredentialsProvider } from '../shared/ports/secrets';
import { wiseHosts } from '../shared/runtime/config';
import { ClientTokenCache } from '../shared/tokens/client-token';
import { ensureApplicationSubscriptions, type SubscriptionOutcome } from '../shared/webhooks/subscriptions';
import { WiseClient } from '../shared/wise/client';
import { WiseApiError, WiseUnavailableError } from '../shared/wise/errors';
import { WiseTransport, type FetchLike } from '../shared/wise/transport';

const USAGE = `Usage: npm run wise:subscribe -- --url <webhook URL> [--environment sandbox|production|local] [--api-base-url <url>] [--secret-arn <arn>]`;

const FLAGS = {
  '--url': 'WEBHOOK_URL',
  '--environment': 'WISE_ENVIRONMENT',
  '--api-base-url': 'WISE_API_BASE_URL',
  '--secret-arn': 'WISE_CREDENTIALS_SECRET_ARN',
} as const;

const isIpHost = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');

const inputSchema = z
  .object({
    WISE_ENVIRONMENT: z.enum(['sandbox', 'production', 'local']).default('sandbox'),
    WISE_API_BASE_URL: z.string().url().optional(),
    WISE_API_MTLS_BASE_URL: z.string().url().optional(),
    WEBHOOK_URL: z.string({ error: 'is required (--url or WEBHOOK_URL)' }).url().max(2048),
    WISE_CLIENT_ID: z.string().min(1).optional(),
    WISE_CLIENT_SECRET: z.string().min(1).optional(),
    WISE_CLIENT_KEY: z.string().min(1).optional(),
    WISE_CREDENTIALS_SECRET_ARN: z.string().min(1).optional(),
  })
  .superRefine((v, ctx) => {
    const url = new URL(v.WEBHOOK_URL);
    // Wise's rules for delivery URLs (API-NOTES §6.1); the simulator takes plain local URLs.
    if (v.WISE_ENVIRONMENT !== 'local') {
      if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443') || isIpHost(url.hostname)) {
        ctx.addIssue({
          code: 'custom',
          path: ['WEBHOOK_URL'],
          message: 'must be https on port 443 with a domain name (Wise refuses others)',
        });
      }
    }
    if (url.search !== '' || url.hash !== '')
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'must have no query string' });
    if (v.WISE_ENVIRONMENT === 'local' && !v.WISE_API_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WISE_API_BASE_URL'],
        message: 'is required for the local environment',
      });
    }
    if (!v.WISE_CREDENTIALS_SECRET_ARN && !(v.WISE_CLIENT_ID && v.WISE_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['WISE_CLIENT_ID'],
        message: 'give WISE_CLIENT_ID and WISE_CLIENT_SECRET, or WISE_CREDENTIALS_SECRET_ARN',
      });
    }
  });

/** Flags override the environment; unknown flags are an error rather than silently ignored. */
export const readInput = (argv: readonly string[], env: NodeJS.ProcessEnv) => {
  const merged: Record<string, string | undefined> = {};
  for (const name of Object.keys(inputSchema.shape)) merged[name] = env[name] || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!(flag in FLAGS)) throw new Error(`Unknown argument ${flag}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    merged[FLAGS[flag as keyof typeof FLAGS]] = value;
  }
  const parsed = inputSchema.safeParse(merged);
  if (!parsed.success) {
    // Names and messages only: a value (the client secret) never reaches the terminal.
    throw new Error(
      `${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`,
    );
  }
  return parsed.data;
};

export interface SubscribeOptions {
  fetch?: FetchLike;
  print?: (line: string) => void;
}

export const subscribe = async (
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: SubscribeOptions = {},
): Promise<SubscriptionOutcome[]> => {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const input = readInput(argv, env);
  const hosts = input.WISE_ENVIRONMENT === 'local' ? undefined : wiseHosts[input.WISE_ENVIRONMENT];
  const baseUrl = (input.WISE_API_BASE_URL ?? hosts!.api).replace(/\/$/, '');
  const credentials: WiseCredentialsProvider = input.WISE_CREDENTIALS_SECRET_ARN
    ? new SecretsManagerCredentials(input.WISE_CREDENTIALS_SECRET_ARN)
    : new StaticCredentials({
        clientId: input.WISE_CLIENT_ID!,
        clientSecret: input.WISE_CLIENT_SECRET!,
        clientKey: input.WISE_CLIENT_KEY ?? input.WISE_CLIENT_ID!,
      });
  const mtlsBaseUrl = input.WISE_API_MTLS_BASE_URL ?? hosts?.apiMtls;
  const transport = new WiseTransport({
    baseUrl,
    fetch: options.fetch,
    // As the functions do: once a partner is on mTLS, Wise answers only on the api-mtls host.
    mtls: async () => {
      const creds = await credentials.get();
      if (!creds.mtlsCertificate || !creds.mtlsPrivateKey || !mtlsBaseUrl) return undefined;
      return { baseUrl: mtlsBaseUrl, certificate: creds.mtlsCertificate, privateKey: creds.mtlsPrivateKey };
    },
  });
  const wise = new WiseClient(transport, credentials);
  const { clientKey } = await credentials.get();

  print(`Wise ${input.WISE_ENVIRONMENT} at ${transport.baseUrl}, application ${clientKey}`);
  print(`Webhook URL: ${input.WEBHOOK_URL}`);
  const outcomes = await ensureApplicationSubscriptions(
    wise,
    new ClientTokenCache(wise, systemClock),
    clientKey,
    input.WEBHOOK_URL,
  );
  for (const o of outcomes) {
    const state = o.replaced.length > 0 ? 'migrated' : o.created ? 'created ' : 'existing';
    const from =
      o.replaced.length > 0
        ? ` (replaced ${o.replaced.map((r) => `${r.id} at ${r.version}`).join(', ')})`
        : '';
    print(`  ${state}  ${o.event.padEnd(36)} ${o.version}  ${o.id}${from}`);
  }
  const migrated = outcomes.filter((o) => o.replaced.length > 0).length;
  const created = outcomes.filter((o) => o.created && o.replaced.length === 0).length;
  const kept = outcomes.length - created - migrated;
  print(
    migrated > 0
      ? `${created} created, ${migrated} migrated to a newer schema version, ${kept} already in place.`
      : `${created} created, ${kept} already in place.`,
  );
  return outcomes;
};

const describeFailure = (err: unknown): string => {
  if (err instanceof WiseApiError)
    return `Wise refused the request: HTTP ${err.status} on ${err.pathTemplate}${err.oauthError ? ` (${err.oauthError})` : ''}`;
  if (err instanceof WiseUnavailableError)
    return `Wise did not answer (${err.pathTemplate}); try again later.`;
  return (err as Error).message ?? String(err);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  subscribe(process.argv.slice(2), process.env).catch((err: unknown) => {
    process.stderr.write(`wise:subscribe failed: ${describeFailure(err)}\n`);
    process.exitCode = 1;
  });
}
