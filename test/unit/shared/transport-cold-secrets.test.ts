import { describe, expect, it } from 'vitest';
import { WiseTransport } from '../../../shared/wise/transport';

/**
 * Issue 18, item 6: Secrets Manager unavailable when a cold container makes its first Wise call.
 * The mTLS material comes from the secret; a failed read must not be kept, or the container
 * answers errors until it is recycled, long after Secrets Manager is back.
 */
describe('WiseTransport with its mTLS material in Secrets Manager', () => {
  it('asks again after a failed read: the next call goes through once Secrets Manager is back', async () => {
    // Prepare
    let reads = 0;
    const transport = new WiseTransport({
      baseUrl: 'https://wise.test',
      fetch: async () => new Response('{}', { status: 200 }),
      mtls: async () => {
        reads += 1;
        if (reads === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return undefined;
      },
    });
    const request = { method: 'GET' as const, path: '/v1/me', pathTemplate: '/v1/me' };

    // Act
    const first = await transport.send(request).catch((e: unknown) => e);
    const second = await transport.send(request);

    // Assess
    expect((first as Error).name).toBe('ThrottlingException');
    expect(second.status).toBe(200);
    expect(reads).toBe(2);
  });
});
