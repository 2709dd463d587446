import { randomUUID } from 'node:crypto';
import { waitUntil } from '../../shared/runtime/wait';
import { inject } from 'vitest';
import {
  startWiseSandbox,
  createSimClock,
  type WiseSandbox,
  type WiseSandboxOptions,
} from '../../local/wise-sandbox/index';
import { freePort } from '../../local/dynamodb/launcher';
import {
  startLocalStack,
  subscribeWebhooks,
  type LocalStack,
  type LocalStackOptions,
} from '../../local/stack';

export interface TestStack {
  readonly stack: LocalStack;
  readonly sim: WiseSandbox;
  /** One clock for the product and the simulator: `clock.advance(ms)` moves both. */
  readonly clock: ReturnType<typeof createSimClock>;
  readonly tableName: string;
  /** Calls the partner API through the local gateway. */
  call(method: string, path: string, init?: CallInit): Promise<CallResult>;
  /** Calls the simulator (its /_sim/ controls or Wise's own paths). */
  sim_(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  close(): Promise<void>;
}

export interface CallInit {
  /** A customer id to act as, or `{ scope }` for the back office; `null` sends no token. */
  as?: string | { customerId?: string; scope: string } | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

const toResult = async (res: Response): Promise<CallResult> => {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
};

export interface TestStackOptions {
  sim?: WiseSandboxOptions;
  stack?: Partial<LocalStackOptions>;
  /** Create the application webhook subscriptions at the simulator (default true). */
  subscribe?: boolean;
}

/**
 * A whole local stack for one test file: a fresh table in the run's DynamoDB Local, a simulator
 * on a free port sharing one movable clock with the product, and the gateway on a free port.
 */
export const startTestStack = async (options: TestStackOptions = {}): Promise<TestStack> => {
  const clock = createSimClock(Date.now());
  const tableName = `t-${randomUUID()}`;
  // The gateway's port is chosen first: the simulator must know the registered redirect URI. Another
  // test may take that port before the gateway binds it, so a taken port means: choose again.
  let sim: WiseSandbox | undefined;
  let stack: LocalStack | undefined;
  for (let attempt = 1; !stack; attempt++) {
    const gatewayPort = await freePort();
    const publicUrl = `http://localhost:${gatewayPort}`;
    sim = await startWiseSandbox({
      port: 0,
      clock,
      redirectUris: [`${publicUrl}/v1/oauth/callback`],
      webhookRetry: { baseDelayMs: 50, factor: 2, maxAttempts: 5, timeoutMs: 5000 },
      rateLimit: { perSecond: 10_000, perMinute: 100_000 },
      ...options.sim,
    });
    try {
      stack = await startLocalStack({
        dynamoEndpoint: inject('dynamoEndpoint'),
        tableName,
        wiseApiUrl: sim.url,
        webhookPublicKeyPem: sim.webhookPublicKeyPem,
        clock,
        port: gatewayPort,
        publicUrl,
        overrides: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
        // The table's stream consumers run as in AWS (filters, batches, retries, bisection), polled
        // briskly so that a test waiting for the projection waits little.
        streams: { pollMs: 20, retryDelayMs: 20 },
        ...options.stack,
      });
    } catch (err) {
      await sim.close();
      if ((err as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
  if (!sim) throw new Error('the simulator did not start');
  if (options.subscribe !== false) await subscribeWebhooks(stack);

  const call = async (method: string, path: string, init: CallInit = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.as !== null && init.as !== undefined) {
      const token =
        typeof init.as === 'string'
          ? await stack.token(init.as)
          : await stack.token(init.as.customerId, init.as.scope);
      headers.authorization = `Bearer ${token}`;
    }
    let body: string | Buffer | undefined = init.rawBody;
    if (init.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    return toResult(
      await fetch(`${stack.url}${path}`, {
        method,
        headers,
        body: body as BodyInit | undefined,
        redirect: 'manual',
      }),
    );
  };

  const simCall = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const send = () =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
      });
    // A kept-alive socket the simulator closed while idle resets the next request before it is
    // read (ECONNRESET): nothing reached the simulator, so it is sent once more on a new socket.
    const res = await send().catch((err: unknown) => {
      if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
      return send();
    });
    return toResult(res);
  };

  return {
    stack,
    sim,
    clock,
    tableName,
    call,
    sim_: simCall,
    close: async () => {
      await stack.close();
      await sim.close();
    },
  };
};

/** Polls until `check` returns a truthy value or the time is up. */
export const eventually = async <T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
};

/**
 * Resolves once a `delayMs` fault at the simulator holds a request back: the product's call is
 * in flight at Wise. A bounded poll, never a fixed sleep.
 */
export const untilWiseHoldsARequest = async (t: Pick<TestStack, 'sim_'>): Promise<void> => {
  const held = await waitUntil(
    async () => {
      const res = await t.sim_('GET', '/_sim/faults');
      const faults = (Array.isArray(res.body) ? res.body : []) as { held?: number }[];
      return faults.some((f) => (f.held ?? 0) > 0) ? true : undefined;
    },
    { every: 10, deadline: Date.now() + 10_000 },
  );
  if (!held) throw new Error('no request reached the held fault within 10 s');
};
