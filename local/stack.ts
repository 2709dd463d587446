import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { StaticCredentials } from '../shared/adapters/secrets-manager-credentials';
import type { LambdaHandler } from '../shared/http/types';
import { createLogger } from '../shared/logging/logger';
import type { Cipher } from '../shared/ports/cipher';
import type { Clock } from '../shared/ports/clock';
import { functionNames, type FunctionName } from '../shared/routes';
import {
  buildDependencies,
  type Dependencies,
  type DependencyOverrides,
} from '../shared/runtime/dependencies';
import { handlerWith, type RouteTable } from '../shared/runtime/function';
import { ensureApplicationSubscriptions } from '../shared/webhooks/subscriptions';
import { routes as kycRoutes } from '../functions/kyc-reviews/routes';
import { routes as oauthRoutes } from '../functions/oauth/routes';
import { routes as onboardingRoutes } from '../functions/onboarding/routes';
import { routes as webhookRoutes } from '../functions/webhooks/routes';
import { ensureTable } from './dynamodb/create-table';
import { runnerConsumers } from './stream-runner/consumers';
import { startStreamRunner, type StreamRunner, type StreamRunnerOptions } from './stream-runner/runner';
import { DevIssuer } from './gateway/dev-issuer';
import { sendJson, startGateway, type ExtraRoute, type Gateway } from './gateway/server';
import { localPartnerEvents, localReconcile } from './event-sink/local';
import type { LocalEventSink } from './event-sink/sink';
import type { ReconcileReport } from '../functions/reconcile/reconciler';

/** Local defaults shared with the simulator (PARTNER-API.md, "The local stack"). */
export const LOCAL_WISE_CLIENT = {
  clientId: 'local-partner',
  clientSecret: 'local-secret',
  clientKey: 'local-partner',
} as const;

/** The functions behind the gateway (the stream consumers and jobs have no routes: the stream runner invokes them). */
const routeTables: Partial<Record<FunctionName, RouteTable<Dependencies>>> = {
  onboarding: onboardingRoutes,
  oauth: oauthRoutes,
  webhooks: webhookRoutes,
  'kyc-reviews': kycRoutes,
};

export interface LocalStackOptions {
  dynamoEndpoint: string;
  tableName: string;
  wiseApiUrl: string;
  /** The simulator's webhook signing key (PEM), trusted by the webhook function locally. */
  webhookPublicKeyPem: string;
  port?: number;
  host?: string;
  /** Where the gateway is reachable from the browser and the simulator; defaults to http://localhost:{port}. */
  publicUrl?: string;
  allowedReturnUrls?: string[];
  clock?: Clock;
  cipher?: Cipher;
  /** Local key file for the KMS stand-in; an in-memory key when absent and no cipher is given. */
  cipherKeyFile?: string;
  issuerKeyFile?: string;
  /** Extra local routes (the quickstart page adds its own). */
  extraRoutes?: ExtraRoute[];
  fallback?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
  overrides?: DependencyOverrides;
  /** Wrap each function's handler (tests use it to count or fail invocations). */
  wrapHandler?: (fn: FunctionName, handler: LambdaHandler) => LambdaHandler;
  health?: () => Promise<Record<string, boolean>>;
  /**
   * The stream runner (the table's stream consumers, as Lambda's event source mappings run them):
   * on unless `false`. `dataDir` keeps its checkpoints and failure files (npm start: .local).
   */
  streams?: Pick<StreamRunnerOptions, 'dataDir' | 'pollMs' | 'retryDelayMs'> | false;
}

export interface LocalStack {
  readonly url: string;
  readonly gateway: Gateway;
  readonly issuer: DevIssuer;
  readonly deps: Record<FunctionName, Dependencies>;
  /** The table's stream consumers (undefined with `streams: false`). */
  readonly streams: StreamRunner | undefined;
  /** The partner events published so far (what AWS would put on the bus; `GET /local/events`). */
  readonly events: LocalEventSink;
  /** One reconciliation run (`POST /local/reconcile`, `npm run reconcile`). */
  reconcile(): Promise<ReconcileReport>;
  /** A dev token for a customer, or for the back office with `scope`. */
  token(customerId?: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

/** The function environment of the local stack, exactly the variables the CDK stack sets. */
export const localFunctionEnv = (options: LocalStackOptions, publicUrl: string): NodeJS.ProcessEnv => ({
  WISE_ENVIRONMENT: 'local',
  WISE_API_BASE_URL: options.wiseApiUrl,
  WISE_WEB_BASE_URL: options.wiseApiUrl,
  TABLE_NAME: options.tableName,
  DYNAMODB_ENDPOINT: options.dynamoEndpoint,
  ALLOWED_RETURN_URLS: (options.allowedReturnUrls ?? [`${publicUrl}/`]).join(','),
  OAUTH_CALLBACK_URL: `${publicUrl}/v1/oauth/callback`,
  WISE_WEBHOOK_PUBLIC_KEYS: process.env.WISE_WEBHOOK_PUBLIC_KEYS ?? options.webhookPublicKeyPem,
  WISE_CLIENT_ID: LOCAL_WISE_CLIENT.clientId,
  WISE_CLIENT_SECRET: LOCAL_WISE_CLIENT.clientSecret,
  WISE_CLIENT_KEY: LOCAL_WISE_CLIENT.clientKey,
  ...(options.cipherKeyFile ? { LOCAL_CIPHER_KEY_FILE: options.cipherKeyFile } : {}),
  // The identity digests' key lives beside the cipher's, so digests survive restarts like ciphertexts.
  ...(options.cipherKeyFile
    ? { LOCAL_IDENTITY_KEY_FILE: join(dirname(options.cipherKeyFile), 'local-identity.key') }
    : {}),
});

/**
 * The four functions behind the local gateway, against a DynamoDB endpoint and a Wise API URL.
 * `npm start` runs it against DynamoDB Local and the simulator; integration tests do the same
 * with a fresh table and a simulator per test file.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  await ensureTable(options.dynamoEndpoint, options.tableName);
  const issuer = await DevIssuer.create(options.issuerKeyFile);
  const port = options.port ?? 0;
  // The callback URL must be known before the gateway binds a random port: bind first, then build.
  let handlers = {} as Record<FunctionName, LambdaHandler>;
  const deps = {} as Record<FunctionName, Dependencies>;
  const lazyHandlers = Object.fromEntries(
    functionNames.map((fn) => [fn, ((event, context) => handlers[fn](event, context)) as LambdaHandler]),
  ) as Record<FunctionName, LambdaHandler>;

  const health: ExtraRoute = {
    method: 'GET',
    path: '/local/health',
    handle: async (_req, res) => {
      const checks = {
        gateway: true,
        ...(options.health ? await options.health().catch(() => ({ dependencies: false })) : {}),
      };
      const ok = Object.values(checks).every(Boolean);
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', checks });
    },
  };
  const tokenRoute: ExtraRoute = {
    method: 'POST',
    path: '/local/token',
    handle: async (_req, res, body) => {
      let input: { customerId?: unknown; scope?: unknown };
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendJson(
          res,
          400,
          {
            code: 'VALIDATION_FAILED',
            status: 400,
            title: 'Bad Request',
            detail: 'Body must be JSON.',
            type: 'about:blank',
          },
          'application/problem+json',
        );
      }
      const customerId = typeof input.customerId === 'string' ? input.customerId : undefined;
      const scope = typeof input.scope === 'string' ? input.scope : undefined;
      if (
        (customerId !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(customerId)) ||
        (!customerId && !scope)
      ) {
        return sendJson(
          res,
          400,
          {
            type: 'about:blank',
            title: 'Bad Request',
            status: 400,
            code: 'VALIDATION_FAILED',
            detail: 'Give a valid customerId, a scope, or both.',
            errors: [{ path: 'customerId', message: 'must match ^[A-Za-z0-9_.-]{1,64}$' }],
          },
          'application/problem+json',
        );
      }
      sendJson(res, 200, { token: await issuer.issue({ customerId, scope }) });
    },
  };

  // Kept beside the stream runner's checkpoints when the stack keeps its data (npm start).
  const partnerEvents = localPartnerEvents(
    options.streams && options.streams.dataDir
      ? join(options.streams.dataDir, 'partner-events.jsonl')
      : undefined,
  );
  const gateway = await startGateway({
    port,
    host: options.host,
    handlers: lazyHandlers,
    issuer,
    extraRoutes: [health, tokenRoute, ...partnerEvents.routes, ...(options.extraRoutes ?? [])],
    fallback: options.fallback,
  });
  const publicUrl = options.publicUrl ?? `http://localhost:${gateway.port}`;
  const env = localFunctionEnv(options, publicUrl);
  const overrides: DependencyOverrides = {
    clock: options.clock,
    cipher: options.cipher,
    credentials: new StaticCredentials(LOCAL_WISE_CLIENT),
    ...options.overrides,
  };
  if (!overrides.cipher && !options.cipherKeyFile) {
    const { LocalCipher } = await import('../shared/adapters/local-cipher');
    const { randomBytes } = await import('node:crypto');
    overrides.cipher = new LocalCipher(randomBytes(32));
  }
  // One table client for all functions, as the functions would each have one in their container.
  const first = buildDependencies(createLogger('local'), env, overrides);
  for (const fn of functionNames) {
    deps[fn] = buildDependencies(createLogger(fn), env, {
      ...overrides,
      cipher: first.cipher,
      identityKey: first.identityKey,
      table: first.table,
    });
  }
  // The reconcile job's transport spends from its token bucket, as in AWS (functions/reconcile/handler.ts).
  const reconcile = localReconcile(
    env,
    { ...overrides, cipher: first.cipher, identityKey: first.identityKey, table: first.table },
    // The URL `subscribeWebhooks` points the subscriptions at.
    `${gateway.url}/v1/webhooks/wise`,
  );
  deps.reconcile = reconcile.deps;
  partnerEvents.attach(reconcile.run);
  handlers = Object.fromEntries(
    functionNames.flatMap((fn) => {
      const table = routeTables[fn];
      if (!table) return [];
      const h = handlerWith(fn, deps[fn], table);
      return [[fn, options.wrapHandler ? options.wrapHandler(fn, h) : h]];
    }),
  ) as Record<FunctionName, LambdaHandler>;

  const streams =
    options.streams === false
      ? undefined
      : await startStreamRunner({
          endpoint: options.dynamoEndpoint,
          tableName: options.tableName,
          consumers: runnerConsumers((fn) => deps[fn], { eventBus: partnerEvents.sink }),
          logger: createLogger('stream-runner'),
          ...options.streams,
        });

  return {
    url: gateway.url,
    gateway,
    issuer,
    deps,
    streams,
    events: partnerEvents.sink,
    reconcile: partnerEvents.reconcile,
    token: (customerId, scope) => issuer.issue({ customerId, scope }),
    close: async () => {
      await streams?.stop();
      await gateway.close();
    },
  };
};

/** Points the simulator's application subscriptions at this stack's webhook route. */
export const subscribeWebhooks = async (stack: LocalStack, webhookUrl = `${stack.url}/v1/webhooks/wise`) => {
  const d = stack.deps.webhooks;
  return ensureApplicationSubscriptions(d.wise, d.clientToken, LOCAL_WISE_CLIENT.clientKey, webhookUrl);
};

export const localDataDir = (root = process.cwd()) => join(root, '.local');
