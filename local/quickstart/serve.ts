import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sendJson, type ExtraRoute } from '../gateway/server';
import { paymentServiceQuoteRoute } from './payment-service';

export interface QuickstartOptions {
  /** The simulator's base URL as this process reaches it (for the local-only verify-profile route). */
  wiseSandboxUrl: string | (() => string);
  /** The simulator's seeded Wise user, shown on the page so a person can log in on the authorize page. */
  demoUser?: { email: string; password: string };
  /** The simulator's client credentials; the local defaults shared by the simulator and the stack. */
  wiseClient?: { clientId: string; clientSecret: string };
}

/** Tests learn the simulator's address only after it has bound a free port, hence the getter form. */
const sandboxUrl = (options: QuickstartOptions): string =>
  typeof options.wiseSandboxUrl === 'function' ? options.wiseSandboxUrl() : options.wiseSandboxUrl;

const pageDir = fileURLToPath(new URL('./page/', import.meta.url));

/**
 * Strict on purpose: the page is the partner's app in miniature, and a partner's page that holds
 * a bearer token should run only its own script. No inline script or style, no third party.
 */
export const QUICKSTART_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = {
  'Content-Security-Policy': QUICKSTART_CSP,
  'X-Content-Type-Options': 'nosniff',
  // The page's URL carries the linking outcome after a redirect; it has no business in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** Compiled once per process, on first request: `npm start` stays fast and edits show after a restart. */
let bundle: Promise<string> | undefined;
const compileApp = (): Promise<string> => {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('./page/main.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    sourcemap: 'inline',
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  // A failed build is not cached: the next request tries again after the file is fixed.
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
};

const sendText = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { 'Content-Type': type, ...securityHeaders });
  res.end(body);
};

const fail = (res: ServerResponse, status: number, code: string, detail: string) =>
  sendJson(
    res,
    status,
    { type: 'about:blank', title: 'Local demo error', status, code, detail },
    'application/problem+json',
  );

/** Asks the simulator for a client-credentials token, as Wise's sandbox would issue one to the partner. */
const clientToken = async (options: QuickstartOptions): Promise<string> => {
  const client = options.wiseClient ?? { clientId: 'local-partner', clientSecret: 'local-secret' };
  const res = await fetch(`${sandboxUrl(options)}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown };
  if (!res.ok || typeof body.access_token !== 'string')
    throw new Error(`the simulator refused a client token (${res.status})`);
  return body.access_token;
};

/**
 * `POST /local/demo/verify-profile` `{ profileId }`: what Wise's back office does when it has
 * verified someone. The page holds no Wise token, so this local route calls the simulator's
 * sandbox-only endpoint; the simulator then sends its webhook, and the page sees the result
 * through route 2 like any partner would.
 */
const verifyProfileRoute = (options: QuickstartOptions): ExtraRoute => ({
  method: 'POST',
  path: '/local/demo/verify-profile',
  handle: async (_req, res, body) => {
    let profileId: unknown;
    try {
      profileId = (JSON.parse(body.toString('utf8')) as { profileId?: unknown }).profileId;
    } catch {
      return fail(res, 400, 'VALIDATION_FAILED', 'Body must be JSON: { "profileId": 123 }.');
    }
    const id = typeof profileId === 'string' ? Number(profileId) : profileId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      return fail(res, 400, 'VALIDATION_FAILED', 'profileId must be a positive integer.');
    }
    try {
      const token = await clientToken(options);
      const sim = await fetch(`${sandboxUrl(options)}/v1/simulation/profiles/${id}/verifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (!sim.ok)
        return fail(res, 502, 'SIMULATOR_REFUSED', `The simulator answered ${sim.status} for profile ${id}.`);
      sendJson(res, 202, {
        profileId: id,
        simulated: 'verification',
        note: 'Wise will send profiles#verification-state-change.',
      });
    } catch (err) {
      fail(res, 502, 'SIMULATOR_UNAVAILABLE', (err as Error).message);
    }
  },
});

const get = (path: string, handle: ExtraRoute['handle']): ExtraRoute => ({ method: 'GET', path, handle });

/** The quickstart page's routes on the local gateway (local only; never deployed). */
export const quickstartRoutes = (
  options: QuickstartOptions,
): {
  routes: ExtraRoute[];
  fallback: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
} => {
  const html = readFile(`${pageDir}index.html`, 'utf8').then((template) =>
    template
      .replaceAll('{{demoEmail}}', escapeHtml(options.demoUser?.email ?? ''))
      .replaceAll('{{demoPassword}}', escapeHtml(options.demoUser?.password ?? ''))
      .replaceAll('{{demoUserClass}}', options.demoUser ? '' : 'hidden'),
  );
  const page = async (_req: IncomingMessage, res: ServerResponse) =>
    sendText(res, 200, 'text/html; charset=utf-8', await html);
  return {
    routes: [
      get('/', page),
      get('/quickstart/app.js', async (_req, res) => {
        try {
          sendText(res, 200, 'text/javascript; charset=utf-8', await compileApp());
        } catch (err) {
          fail(res, 500, 'QUICKSTART_BUILD_FAILED', (err as Error).message);
        }
      }),
      get('/quickstart/app.css', async (_req, res) =>
        sendText(res, 200, 'text/css; charset=utf-8', await readFile(`${pageDir}styles.css`, 'utf8')),
      ),
      get('/quickstart/favicon.svg', async (_req, res) =>
        sendText(res, 200, 'image/svg+xml', await readFile(`${pageDir}favicon.svg`, 'utf8')),
      ),
      verifyProfileRoute(options),
      paymentServiceQuoteRoute(() => sandboxUrl(options)),
    ],
    // Browsers ask for /favicon.ico whatever the page says; answer it rather than log a 404.
    fallback: async (_req, res, url) => {
      if (url.pathname !== '/favicon.ico') return false;
      sendText(res, 200, 'image/svg+xml', await readFile(`${pageDir}favicon.svg`, 'utf8'));
      return true;
    },
  };
};
