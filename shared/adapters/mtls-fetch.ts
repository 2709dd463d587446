import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';

/** TLS material for a client that must present a certificate (Wise's api-mtls hosts, API-NOTES §8.1). */
export interface ClientTls {
  /** PEM client certificate; omitted only to test that a listener refuses a client without one. */
  certificate?: string;
  privateKey?: string;
  /** Trust anchor replacing the public roots; only the local simulator needs one. */
  ca?: string;
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

const toHeaders = (res: IncomingMessage): Headers => {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
    headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  return headers;
};

/**
 * A `fetch` over `node:https` with a client certificate, for the transport's mTLS mode. The
 * request is normalised by the WHATWG `Request` (headers, string / URLSearchParams / FormData
 * bodies with their content type), sent on a keep-alive agent holding the certificate, and the
 * answer is returned as a WHATWG `Response`, body buffered (Wise's answers are small JSON).
 * Redirects are never followed (the transport asks for `redirect: 'manual'`); the signal aborts the
 * whole exchange, body included, and rejects with its reason, as `fetch` does; a network or TLS
 * failure rejects with `TypeError('fetch failed')` and the cause, as `fetch` does.
 */
export const mtlsFetch = (tls: ClientTls) => {
  const agent = new Agent({
    keepAlive: true,
    ...(tls.certificate !== undefined && { cert: tls.certificate }),
    ...(tls.privateKey !== undefined && { key: tls.privateKey }),
    ...(tls.ca !== undefined && { ca: tls.ca }),
  });

  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const request = new Request(url, { ...init, signal: undefined });
    const target = new URL(request.url);
    if (target.protocol !== 'https:')
      throw new TypeError(`mtlsFetch needs an https URL, not ${target.protocol}`);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    if (body) headers['content-length'] = String(body.length);
    signal?.throwIfAborted();

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      const onAbort = () => {
        fail(signal!.reason);
        req.destroy();
      };
      const req = httpsRequest(target, { method: request.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 0;
          const content = NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks);
          try {
            resolve(
              new Response(content, { status, statusText: res.statusMessage ?? '', headers: toHeaders(res) }),
            );
          } catch (err) {
            reject(new TypeError('fetch failed', { cause: err }));
          }
        });
      });
      req.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  };
};
