import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRoute } from '../gateway/server';

export interface QuickstartOptions {
  wiseSandboxUrl: string;
  demoUser?: { email: string; password: string };
}

/** The quickstart page's routes on the local gateway (local only; never deployed). */
export const quickstartRoutes = (options: QuickstartOptions): {
  routes: ExtraRoute[];
  fallback: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
} => ({
  routes: [],
  fallback: (_req, res, url) => {
    if (url.pathname !== '/') return false;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>wise-onboarding — local stack</title></head>
<body><h1>wise-onboarding — local stack</h1>
<p>The partner API runs here. Get a token with <code>POST /local/token</code>; the Wise sandbox simulator is at
<a href="${options.wiseSandboxUrl}/_sim/state">${options.wiseSandboxUrl}</a>.</p></body></html>`);
    return true;
  },
});
