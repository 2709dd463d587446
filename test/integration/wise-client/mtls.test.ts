import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mtlsFetch } from '../../../shared/adapters/mtls-fetch';
import { StaticCredentials } from '../../../shared/adapters/secrets-manager-credentials';
import { WiseClient } from '../../../shared/wise/client';
import { WiseUnavailableError } from '../../../shared/wise/errors';
import { WiseTransport } from '../../../shared/wise/transport';
import { startWiseSandbox, type WiseSandbox } from '../../../local/wise-sandbox/index';

const credentials = new StaticCredentials({
  clientId: 'local-partner',
  clientSecret: 'local-secret',
  clientKey: 'local-partner',
});

describe('the Wise client over mTLS (the api-mtls hosts)', () => {
  let sim: WiseSandbox;
  beforeAll(async () => {
    sim = await startWiseSandbox({
      port: 0,
      mtls: { port: 0 },
      snapshotDir: mkdtempSync(join(tmpdir(), 'sim-mtls-')),
    });
  });
  afterAll(async () => sim.close());

  it('presents the client certificate from the credentials and reaches the mTLS listener', async () => {
    // Prepare
    const mtls = sim.mtls!;
    const transport = new WiseTransport({
      baseUrl: sim.url,
      mtls: async () => ({
        baseUrl: mtls.url,
        certificate: mtls.clientCertPem,
        privateKey: mtls.clientKeyPem,
        ca: mtls.caPem,
      }),
    });
    // Act
    const token = await new WiseClient(transport, credentials).clientCredentialsToken();
    // Assess
    expect(token.access_token).toBeTruthy();
    expect(transport.baseUrl).toBe(mtls.url);
  });

  it('is refused by the mTLS listener without a client certificate, even when the server is trusted', async () => {
    // Prepare: trust the listener's CA, but present no client certificate.
    const mtls = sim.mtls!;
    const transport = new WiseTransport({
      baseUrl: mtls.url,
      retry: { maxAttempts: 1 },
      fetch: mtlsFetch({ ca: mtls.caPem }),
    });
    // Act
    const attempt = new WiseClient(transport, credentials).clientCredentialsToken({
      deadline: Date.now() + 3000,
    });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(WiseUnavailableError);
  });
});
