import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mtlsFetch } from '../../../shared/adapters/mtls-fetch';
import { ensureMtlsMaterial, type MtlsMaterial } from '../../../local/wise-sandbox/mtls';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peer?: string;
}

/** An HTTPS listener that demands a client certificate from the test CA, and records what it received. */
describe('mtlsFetch (node:https with a client certificate)', () => {
  let material: MtlsMaterial;
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    material = ensureMtlsMaterial(mkdtempSync(join(tmpdir(), 'mtls-fetch-')), 'test-partner');
    server = createServer(
      {
        key: material.serverKeyPem,
        cert: material.serverCertPem,
        ca: material.caPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const cn = (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN;
          const peer = cn === undefined ? undefined : String(cn);
          seen.push({
            method: req.method!,
            url: req.url!,
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            peer,
          });
          if (req.url === '/json') {
            res.writeHead(201, [
              ['Content-Type', 'application/json'],
              ['Set-Cookie', 'a=1'],
              ['Set-Cookie', 'b=2'],
              ['X-Trace', 't-1'],
            ]);
            res.end(JSON.stringify({ ok: true }));
          } else if (req.url === '/empty') {
            res.writeHead(204).end();
          } else if (req.url === '/busy') {
            res.writeHead(503, { 'Retry-After': '3' }).end('busy');
          } else if (req.url === '/moved') {
            res.writeHead(302, { Location: '/json' }).end();
          } else if (req.url === '/slow') {
            setTimeout(() => res.writeHead(200).end('late'), 2000);
          } else {
            res.writeHead(404).end();
          }
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const withCert = () =>
    mtlsFetch({ certificate: material.clientCertPem, privateKey: material.clientKeyPem, ca: material.caPem });

  it('presents the client certificate, sends method, headers and a form body, and answers a WHATWG Response', async () => {
    // Act
    const res = await withCert()(`${base}/json`, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: 'Basic x',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
      redirect: 'manual',
    });
    // Assess
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-trace')).toBe('t-1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true });
    const req = seen.at(-1)!;
    expect(req).toMatchObject({
      method: 'POST',
      url: '/json',
      body: 'grant_type=client_credentials',
      peer: 'test-partner',
    });
    expect(req.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic x',
      'content-length': String('grant_type=client_credentials'.length),
    });
  });

  it('serialises a multipart body with its boundary, as fetch does', async () => {
    // Prepare
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1'], { type: 'application/pdf' }), 'doc.pdf');
    // Act
    const res = await withCert()(`${base}/json`, { method: 'POST', body: form });
    // Assess
    expect(res.status).toBe(201);
    const req = seen.at(-1)!;
    expect(String(req.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.body).toContain('filename="doc.pdf"');
    expect(req.body).toContain('%PDF-1');
  });

  it('answers 204 with no body, 503 with its Retry-After, and does not follow a redirect', async () => {
    // Act
    const fetch = withCert();
    const empty = await fetch(`${base}/empty`, { method: 'DELETE' });
    const busy = await fetch(`${base}/busy`, { method: 'GET' });
    const moved = await fetch(`${base}/moved`, { method: 'GET', redirect: 'manual' });
    // Assess
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('3');
    expect(await busy.text()).toBe('busy');
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/json');
  });

  it('rejects with the signal’s reason when the signal fires first', async () => {
    // Act
    const attempt = withCert()(`${base}/slow`, { method: 'GET', signal: AbortSignal.timeout(150) });
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects as fetch does (TypeError) when the listener refuses a client without a certificate', async () => {
    // Act
    const attempt = mtlsFetch({ ca: material.caPem })(`${base}/json`, { method: 'GET' });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TypeError);
  });

  it('rejects a server its trust anchor does not cover', async () => {
    // Act: the public roots only, so the test CA's server certificate is not trusted.
    const attempt = mtlsFetch({ certificate: material.clientCertPem, privateKey: material.clientKeyPem })(
      `${base}/json`,
      { method: 'GET' },
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'TypeError',
      cause: { code: expect.stringMatching(/CERT|VERIFY/) },
    });
  });
});
