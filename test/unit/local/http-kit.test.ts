import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, listen, localUrl, readBody, Router, stop } from '../../../local/http-kit';

/** A stream of `count` chunks of `size` bytes that counts how many chunks were pulled from it. */
const countingBody = (count: number, size: number) => {
  const pulled = { chunks: 0 };
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < count; i++) {
        pulled.chunks++;
        yield Buffer.alloc(size, 'a');
      }
    })(),
    { objectMode: false },
  );
  return { stream, pulled };
};

const servers: Server[] = [];
const serve = async (handler: (req: IncomingMessage, res: ServerResponse) => unknown) => {
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  const port = await listen(server, { port: 0 });
  return { server, port, url: localUrl(undefined, port) };
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => (s.listening ? stop(s) : Promise.resolve())));
});

describe('http-kit Router', () => {
  it('matches {param} and :param placeholders and hands back the route and its captures', () => {
    // Prepare
    const router = new Router<string>()
      .on('GET', '/v1/customers/{customerId}/profiles/{profileId}', 'braces')
      .on('POST', '/v1/profiles/:profileId/quotes', 'colon');

    // Act
    const braces = router.match('GET', '/v1/customers/alice/profiles/7');
    const colon = router.match('POST', '/v1/profiles/42/quotes');

    // Assess
    expect(braces).toEqual({ handler: 'braces', params: { customerId: 'alice', profileId: '7' } });
    expect(colon).toEqual({ handler: 'colon', params: { profileId: '42' } });
  });

  it('decodes percent-encoded captures, an encoded slash included', () => {
    // Prepare
    const router = new Router<string>().on('GET', '/reviews/{reviewId}', 'review');

    // Act
    const slash = router.match('GET', '/reviews/a%2Fb');
    const accented = router.match('GET', '/reviews/r%20%C3%A9');

    // Assess
    expect(slash).toEqual({ handler: 'review', params: { reviewId: 'a/b' } });
    expect(accented).toEqual({ handler: 'review', params: { reviewId: 'r é' } });
  });

  it('round-trips any non-empty segment value through encodeURIComponent', () => {
    // Prepare
    const router = new Router<string>().on('GET', '/x/{id}/y', 'x');
    // Any Unicode scalar value: a lone surrogate is not a string encodeURIComponent accepts.
    const scalar = fc
      .integer({ min: 0, max: 0x10ffff })
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCodePoint(c));

    // Act
    const roundTrips = fc.check(
      fc.property(fc.string({ minLength: 1, unit: scalar }), (value) => {
        const match = router.match('GET', `/x/${encodeURIComponent(value)}/y`);
        return typeof match === 'object' && match.params.id === value;
      }),
    );

    // Assess
    expect(roundTrips.counterexample).toBeNull();
    expect(roundTrips.failed).toBe(false);
  });

  it('passes an undecodable capture on raw by default, and matches nothing with undecodable: no-match', () => {
    // Prepare
    const keepRaw = new Router<string>().on('GET', '/c/{id}', 'c');
    const noMatch = new Router<string>({ undecodable: 'no-match' }).on('GET', '/c/{id}', 'c');

    // Act
    const raw = keepRaw.match('GET', '/c/%E0%A4%A');
    const none = noMatch.match('GET', '/c/%E0%A4%A');

    // Assess
    expect(raw).toEqual({ handler: 'c', params: { id: '%E0%A4%A' } });
    expect(none).toBeUndefined();
  });

  it("answers 'method-not-allowed' when only the method differs and undefined when no path matches", () => {
    // Prepare
    const router = new Router<string>().on('GET', '/a/{id}', 'get').on('PUT', '/a/{id}', 'put');

    // Act
    const wrongMethod = router.match('DELETE', '/a/1');
    const noPath = router.match('GET', '/b/1');
    const tooDeep = router.match('GET', '/a/1/2');

    // Assess
    expect(wrongMethod).toBe('method-not-allowed');
    expect(noPath).toBeUndefined();
    expect(tooDeep).toBeUndefined();
  });

  it('tries routes in the order they were added, and compares methods case-insensitively', () => {
    // Prepare
    const router = new Router<string>().on('GET', '/users/me', 'me').on('get', '/users/{id}', 'byId');

    // Act
    const me = router.match('get', '/users/me');
    const other = router.match('GET', '/users/7');

    // Assess
    expect(me).toEqual({ handler: 'me', params: {} });
    expect(other).toEqual({ handler: 'byId', params: { id: '7' } });
  });

  it('treats a trailing slash, a double slash and an empty capture as other paths by default', () => {
    // Prepare
    const router = new Router<string>().on('GET', '/v1/customers/{id}/account', 'account');

    // Act
    const outcomes = ['/v1/customers/a/account/', '//v1/customers/a/account', '/v1/customers//account'].map(
      (p) => router.match('GET', p),
    );

    // Assess
    expect(outcomes).toEqual([undefined, undefined, undefined]);
  });

  it('ignores empty segments with emptySegments: ignore', () => {
    // Prepare
    const router = new Router<string>({ emptySegments: 'ignore' }).on('PUT', '/v1/profiles', 'profiles');

    // Act
    const trailing = router.match('PUT', '/v1/profiles/');
    const doubled = router.match('PUT', '/v1//profiles');

    // Assess
    expect(trailing).toEqual({ handler: 'profiles', params: {} });
    expect(doubled).toEqual({ handler: 'profiles', params: {} });
  });
});

describe('http-kit readBody', () => {
  it('returns the whole body when it is at most the limit', async () => {
    // Prepare
    const { stream } = countingBody(4, 256);

    // Act
    const body = await readBody(stream, { limitBytes: 1024 });

    // Assess
    expect(body.length).toBe(1024);
  });

  it('stops reading at the limit and fails with BodyTooLargeError', async () => {
    // Prepare
    const { stream, pulled } = countingBody(100, 256);

    // Act
    const error = await readBody(stream, { limitBytes: 1024 }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).limitBytes).toBe(1024);
    expect(pulled.chunks).toBeLessThan(100);
  });

  it('with drain, reads an oversized body to its end before failing', async () => {
    // Prepare
    const { stream, pulled } = countingBody(100, 256);

    // Act
    const error = await readBody(stream, { limitBytes: 1024, drain: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(pulled.chunks).toBe(100);
    expect(stream.readableEnded).toBe(true);
  });

  it('lets a server answer 413 to a body over the limit and 200 to one at the limit', async () => {
    // Prepare
    const { url } = await serve(async (req, res) => {
      try {
        const body = await readBody(req, { limitBytes: 1000, drain: true });
        res.writeHead(200).end(String(body.length));
      } catch (e) {
        if (!(e instanceof BodyTooLargeError)) throw e;
        res.writeHead(413).end('too large');
      }
    });

    // Act
    const atLimit = await fetch(url, { method: 'POST', body: 'a'.repeat(1000) });
    const over = await fetch(url, { method: 'POST', body: 'a'.repeat(1001) });

    // Assess
    expect([atLimit.status, await atLimit.text()]).toEqual([200, '1000']);
    expect([over.status, await over.text()]).toEqual([413, 'too large']);
  });
});

describe('http-kit listen and stop', () => {
  it('binds port 0 to a free port and serves on it', async () => {
    // Prepare
    const { port, url } = await serve((_req, res) => res.writeHead(204).end());

    // Act
    const res = await fetch(`${url}/anything`);

    // Assess
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(res.status).toBe(204);
  });

  it('rejects when the port is already taken', async () => {
    // Prepare
    const { port } = await serve((_req, res) => res.end());
    const second = createServer();

    // Act
    const error = await listen(second, { port }).catch((e: unknown) => e);

    // Assess
    expect((error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(second.listening).toBe(false);
  });

  it('stops while a request is still waiting for its answer, and refuses connections afterwards', async () => {
    // Prepare: a handler that never answers keeps its connection busy.
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, port, url } = await serve(() => arrived());
    const pending = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/' }, () => resolve('answered'));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      req.end();
    });
    await requestArrived;

    // Act
    await stop(server);

    // Assess
    expect(await pending).toBe('ECONNRESET');
    expect(server.listening).toBe(false);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('gives the address a local client reaches, wildcard binds included', () => {
    // Act
    const urls = [undefined, '0.0.0.0', '::', 'localhost'].map((host) => localUrl(host, 8080));

    // Assess
    expect(urls).toEqual([
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8080',
      'http://localhost:8080',
    ]);
  });
});
