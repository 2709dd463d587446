import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export const DEFAULT_HOST = '127.0.0.1';

/**
 * Binds `server` and resolves with the port it got (`port` 0 or absent: a free one). A port
 * already taken rejects instead of leaving the start waiting forever.
 *
 * @example
 * const port = await listen(createServer(handle), { port: 0 });
 */
export function listen(
  server: Server | HttpsServer,
  options: { port?: number; host?: string } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting and closes every open connection, idle or busy, so a test or a restart is not held up. */
export function stop(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The http URL a local client reaches a server on: a wildcard bind is reached on 127.0.0.1. */
export function localUrl(host: string | undefined, port: number): string {
  const h = host ?? DEFAULT_HOST;
  return `http://${h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h}:${port}`;
}
