/**
 * A local, stateful stand-in for Wise's sandbox (api.wise-sandbox.com and wise-sandbox.com):
 * Wise's documented paths, token kinds, validation rules, status codes and error bodies, plus
 * the /_sim/ controls the local stack and the tests drive it with.
 *
 * @example
 * const wise = await startWiseSandbox({ seedDemoUser: true });
 * const res = await fetch(`${wise.url}/oauth/token`, { method: 'POST', headers: {
 *   authorization: 'Basic ' + btoa('local-partner:local-secret'),
 *   'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
 * await wise.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { BodyTooLargeError, listen, localUrl, readBody, stop } from '../http-kit';
import { advanceSettling, createSimClock, type SimClock } from './clock';
import type { Sim, SimConfig, WebhookRetryConfig } from './context';
import { Router, HttpResponseError, newTraceId, sendJson, type RequestContext } from './http';
import { emptyState, loadSnapshot, saveSnapshot } from './state';
import { loadOrCreateSigningKey } from './keys';
import { WebhookDispatcher } from './webhook-delivery';
import { FaultBook } from './faults';
import { RateLimiter } from './rate-limit';
import { springError } from './errors';
import { registerOAuthRoutes } from './oauth';
import { registerAuthorizePages } from './authorize';
import { registerUserRoutes } from './users';
import { registerProfileV2Routes } from './profiles-v2';
import { registerProfileV1Routes } from './profiles-v1';
import { registerVerificationRoutes } from './verification';
import { registerQuoteRoutes } from './quotes';
import { registerKycReviewRoutes } from './kyc-reviews';
import { resumeNewReviews } from './kyc-model';
import { registerKycHostedPage } from './kyc-hosted-page';
import { registerSubscriptionRoutes } from './subscriptions';
import { registerSimulationRoutes } from './simulation';
import { registerControlRoutes } from './controls';
import { seedDemoUser } from './demo-user';
import { ensureMtlsMaterial } from './mtls';

export type { SimClock } from './clock';
export { createSimClock } from './clock';

export interface WiseSandboxOptions {
  port?: number; // 0 or undefined = random free port; host 127.0.0.1
  host?: string;
  clientId?: string;
  clientSecret?: string;
  clientKey?: string;
  redirectUris?: string[];
  clock?: SimClock; // default: real time plus an offset that /_sim/clock can move
  snapshotDir?: string; // persist state + keys here; in memory only when absent
  seedDemoUser?: boolean; // default false
  /** Defaults are Wise's policy: 1 min ×2 for 11 retries, then daily, 26 attempts, 5 s to answer. */
  webhookRetry?: Partial<WebhookRetryConfig>;
  rateLimit?: { perSecond?: number; perMinute?: number };
  /** How long a new KYC review stays NEW, on the simulator's clock (default 3000 ms). */
  kycNewMs?: number;
  /** `link.expiresAt` as Wise's PATCH example prints it (default), or the link's real expiry. */
  kycLinkExpiresAt?: SimConfig['kycLinkExpiresAt'];
  /** Whether the authorize page's error redirect carries `state` (default 'echo'). */
  oauthErrorState?: SimConfig['oauthErrorState'];
  /** Characters in a client-credentials token (JWT/JWE-shaped); default 1200, at most 8192. */
  clientTokenLength?: number;
  /** Status of a refused registration_code grant: 401 (API reference, default) or 400 (guides). */
  registrationCodeRefusalStatus?: 400 | 401;
  mtls?: { port?: number } | false;
  log?: (line: string) => void; // default: silent
}

export interface WiseSandbox {
  readonly url: string; // e.g. http://127.0.0.1:41234 (API and web pages on the same origin)
  readonly port: number;
  readonly clock: SimClock;
  readonly webhookPublicKeyPem: string;
  readonly demoUser?: { email: string; password: string; userId: number; profileId: number };
  /** Present when the mTLS listener is on: its URL and the client material a caller presents. */
  readonly mtls?: {
    url: string;
    port: number;
    dir: string;
    caPem: string;
    clientCertPem: string;
    clientKeyPem: string;
  };
  /**
   * Moves the clock one due task at a time (what is due runs), letting the webhook attempts each
   * one starts settle before time moves on; resolves once all have.
   */
  advance(ms: number): Promise<void>;
  /** Resolves once no webhook delivery attempt is under way. */
  settled(): Promise<void>;
  close(): Promise<void>; // stops timers and pending webhook retries too
}

const BODY_LIMIT_BYTES = 25 * 1024 * 1024;
const SNAPSHOT_DEBOUNCE_MS = 50;

export async function startWiseSandbox(options: WiseSandboxOptions = {}): Promise<WiseSandbox> {
  const log = options.log ?? (() => undefined);
  const config: SimConfig = {
    clientId: options.clientId ?? 'local-partner',
    clientSecret: options.clientSecret ?? 'local-secret',
    clientKey: options.clientKey ?? 'local-partner',
    redirectUris: options.redirectUris ?? ['http://localhost:3000/v1/oauth/callback'],
    rateLimit: {
      perSecond: options.rateLimit?.perSecond ?? 100,
      perMinute: options.rateLimit?.perMinute ?? 1000,
    },
    webhookRetry: {
      baseDelayMs: options.webhookRetry?.baseDelayMs ?? 60_000,
      factor: options.webhookRetry?.factor ?? 2,
      maxAttempts: options.webhookRetry?.maxAttempts ?? 26,
      backoffRetries: options.webhookRetry?.backoffRetries ?? 11,
      maxDelayMs: options.webhookRetry?.maxDelayMs ?? 24 * 60 * 60 * 1000,
      timeoutMs: options.webhookRetry?.timeoutMs ?? 5000,
    },
    seedDemoUser: options.seedDemoUser ?? false,
    kycNewMs: options.kycNewMs ?? 3000,
    kycLinkExpiresAt: options.kycLinkExpiresAt ?? 'as-in-wise-example',
    oauthErrorState: options.oauthErrorState ?? 'echo',
    clientTokenLength: Math.min(8192, Math.max(200, options.clientTokenLength ?? 1200)),
    registrationCodeRefusalStatus: options.registrationCodeRefusalStatus ?? 401,
  };
  const snapshotDir = options.snapshotDir;
  const signingKey = await loadOrCreateSigningKey(snapshotDir);

  let saveTimer: NodeJS.Timeout | undefined;
  let dirty = false;
  const flush = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (snapshotDir && dirty) {
      dirty = false;
      saveSnapshot(snapshotDir, sim.state);
    }
  };

  // eslint-disable-next-line prefer-const -- assigned once `sim` exists, which the dispatcher reads lazily
  let dispatcher!: WebhookDispatcher;
  const clock = options.clock ?? createSimClock();
  // What the simulator scheduled on the (possibly shared) clock, cancelled on close.
  const scheduled = new Set<() => void>();
  const sim: Sim = {
    state: (snapshotDir ? loadSnapshot(snapshotDir) : undefined) ?? emptyState(),
    clock,
    schedule: (at, task) => {
      const cancel = clock.schedule(at, () => {
        scheduled.delete(cancel);
        task();
      });
      scheduled.add(cancel);
      return cancel;
    },
    config,
    events: { publish: (type, data, profileId) => dispatcher.publish(type, data, profileId) },
    baseUrl: '',
    changed: () => {
      if (!snapshotDir) return;
      dirty = true;
      if (!saveTimer) {
        saveTimer = setTimeout(flush, SNAPSHOT_DEBOUNCE_MS);
        saveTimer.unref();
      }
    },
    log,
  };
  dispatcher = new WebhookDispatcher(() => sim, signingKey.privateKey, config.webhookRetry);
  // Deliveries a restart cut short go on at their recorded next attempt, as Wise's queue would.
  for (const d of sim.state.deliveries) if (d.status === 'pending') dispatcher.resume(d);
  // Reviews a restart caught in NEW move on when their time comes.
  resumeNewReviews(sim);

  const faults = new FaultBook();
  // Delayed answers still waiting; cleared on close so no timer outlives the simulator.
  const faultTimers = new Set<NodeJS.Timeout>();
  let closed = false;
  const limiter = new RateLimiter(config.rateLimit);
  let demoUser = config.seedDemoUser ? seedDemoUser(sim) : undefined;

  const api = new Router();
  registerOAuthRoutes(api, sim);
  registerAuthorizePages(api, sim);
  registerUserRoutes(api, sim);
  registerProfileV2Routes(api, sim);
  registerProfileV1Routes(api, sim);
  registerVerificationRoutes(api, sim);
  registerQuoteRoutes(api, sim);
  registerKycReviewRoutes(api, sim);
  registerKycHostedPage(api, sim);
  registerSubscriptionRoutes(api, sim, () => dispatcher);
  registerSimulationRoutes(api, sim);

  // API requests being served right now (a held fault's included): a test waits for a slow Wise to
  // finish what it was asked, instead of sleeping.
  let apiRequestsInProgress = 0;
  const controls = new Router();
  registerControlRoutes(controls, sim, {
    faults,
    apiRequestsInProgress: () => apiRequestsInProgress,
    publicKeyPem: signingKey.publicKeyPem,
    deliveries: dispatcher,
    reset: () => {
      // What was scheduled belongs to the state being dropped.
      for (const cancel of scheduled) cancel();
      scheduled.clear();
      dispatcher.forget();
      sim.state = emptyState();
      demoUser = config.seedDemoUser ? seedDemoUser(sim) : undefined;
      sim.changed();
    },
  });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res).catch((err: unknown) => {
      log(`internal error: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            timestamp: new Date().toISOString(),
            status: 500,
            error: 'Internal Server Error',
            message: 'Unexpected simulator error',
          }),
        );
      } else res.end();
    });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const traceId = newTraceId();
    res.setHeader('x-trace-id', traceId);
    const correlationId = req.headers['x-external-correlation-id'];
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    res.on('finish', () => log(`${method} ${path} → ${res.statusCode}`));
    // Wise: "Maximum 36 characters", echoed back. A longer one is refused rather than cut, so a
    // client that sends one learns it here and not from a support ticket Wise cannot match.
    if (typeof correlationId === 'string' && correlationId !== '') {
      if (correlationId.length > 36) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [
              {
                code: 'Size',
                message: 'size must be between 0 and 36',
                path: 'X-External-Correlation-Id',
                arguments: ['36', '0'],
              },
            ],
          }),
        );
        return;
      }
      res.setHeader('X-External-Correlation-Id', correlationId);
    }

    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, { limitBytes: BODY_LIMIT_BYTES });
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(
          JSON.stringify({
            timestamp: new Date(sim.clock.now()).toISOString(),
            status: 413,
            error: 'Payload Too Large',
            message: 'Request body too large',
            path,
          }),
        );
        return;
      }
      throw e;
    }
    const ctx: RequestContext = {
      req,
      res,
      method,
      path,
      query: url.searchParams,
      params: {},
      rawBody,
      traceId,
      header: (name) => {
        const v = req.headers[name.toLowerCase()];
        return Array.isArray(v) ? v[0] : v;
      },
    };

    const isControl = path === '/_sim' || path.startsWith('/_sim/');
    if (!isControl) apiRequestsInProgress++;
    try {
      if (!isControl) {
        const fault = faults.take(method, path);
        if (fault) {
          if (fault.delayMs > 0) {
            // Real time, not the simulator's clock: a slow Wise is slow against the caller's own
            // timeouts. `held` lets a test see an answer being held without measuring it.
            fault.held++;
            await new Promise<void>((resolve) => {
              const t = setTimeout(() => {
                faultTimers.delete(t);
                resolve();
              }, fault.delayMs);
              faultTimers.add(t);
            }).finally(() => fault.held--);
            if (closed) return;
          }
          if (fault.status !== undefined) {
            const headers: Record<string, string> = {};
            if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
            if (fault.status === 429) headers['x-rate-limited-by'] = 'wise-public-api';
            const err = springError(
              fault.status,
              'Injected by the simulator (/_sim/faults)',
              path,
              sim.clock.now(),
            );
            sendJson(ctx, fault.status, err.body, headers);
            return;
          }
        }
        const wait = limiter.check();
        if (wait !== undefined) {
          sendJson(
            ctx,
            429,
            { error: 'too_many_requests', error_description: 'Rate limit exceeded' },
            { 'retry-after': String(wait), 'x-rate-limited-by': 'wise-public-api' },
          );
          return;
        }
      }
      const match = (isControl ? controls : api).match(method, path);
      if (match === undefined) throw springError(404, 'No message available', path, sim.clock.now());
      if (match === 'method-not-allowed')
        throw springError(405, `Request method '${method}' is not supported`, path, sim.clock.now());
      (ctx as { params: Record<string, string> }).params = match.params;
      await match.handler(ctx);
    } catch (e) {
      if (!(e instanceof HttpResponseError)) throw e;
      if (!res.headersSent) sendJson(ctx, e.status, e.body, e.headers);
    } finally {
      if (!isControl) apiRequestsInProgress--;
    }
  };

  const server: Server = createServer(handle);
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, { port: options.port, host });
  const url = localUrl(host, port);
  sim.baseUrl = url;

  let mtlsServer: HttpsServer | undefined;
  let mtlsInfo: WiseSandbox['mtls'];
  if (options.mtls) {
    const material = ensureMtlsMaterial(
      join(snapshotDir ?? join(process.cwd(), '.local', 'wise-sandbox'), 'mtls'),
      config.clientId,
    );
    mtlsServer = createHttpsServer(
      {
        key: material.serverKeyPem,
        cert: material.serverCertPem,
        ca: material.caPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      handle,
    );
    const mtlsPort = await listen(mtlsServer, { port: options.mtls.port, host });
    mtlsInfo = {
      url: `https://localhost:${mtlsPort}`,
      port: mtlsPort,
      dir: material.dir,
      caPem: material.caPem,
      clientCertPem: material.clientCertPem,
      clientKeyPem: material.clientKeyPem,
    };
  }
  log(`Wise sandbox simulator listening on ${url}${mtlsInfo ? ` (mTLS ${mtlsInfo.url})` : ''}`);

  return {
    url,
    port,
    clock: sim.clock,
    webhookPublicKeyPem: signingKey.publicKeyPem,
    get demoUser() {
      return demoUser;
    },
    mtls: mtlsInfo,
    advance: (ms: number) => advanceSettling(sim.clock, ms, dispatcher),
    settled: () => dispatcher.settled(),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of faultTimers) clearTimeout(t);
      faultTimers.clear();
      for (const cancel of scheduled) cancel();
      scheduled.clear();
      dispatcher.close();
      flush();
      await Promise.all([stop(server), mtlsServer ? stop(mtlsServer) : Promise.resolve()]);
    },
  };
}
