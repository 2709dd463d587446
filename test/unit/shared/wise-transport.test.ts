import { describe, expect, it } from 'vitest';
import { WiseApiError, WiseUnavailableError } from '../../../shared/wise/errors';
import { WiseTransport, type FetchLike, type TransportOptions } from '../../../shared/wise/transport';

interface Harness {
  transport: WiseTransport;
  calls: { url: string; init: RequestInit }[];
  sleeps: number[];
  logs: unknown[];
}

/** A transport over scripted answers, with a clock that only moves when the transport sleeps. */
const harness = (
  answers: (() => Response | Promise<Response>)[],
  options: Partial<TransportOptions> = {},
): Harness => {
  let now = 1_000_000;
  const calls: Harness['calls'] = [];
  const sleeps: number[] = [];
  const logs: unknown[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const next = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return next();
  };
  const transport = new WiseTransport({
    baseUrl: 'https://wise.test',
    fetch,
    random: () => 0.5,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    logger: { info: (...args: unknown[]) => logs.push(args) } as never,
    retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 4000, timeoutMs: 1000 },
    ...options,
  });
  return { transport, calls, sleeps, logs };
};

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

const request = {
  method: 'GET' as const,
  path: '/v2/profiles?x=secret-query',
  pathTemplate: '/v2/profiles',
  bearer: 'tok-123',
};

describe('WiseTransport', () => {
  it('retries 5xx with full-jitter exponential backoff and answers the first success', async () => {
    // Prepare
    const h = harness([json(503, {}), json(502, {}), json(200, { ok: true })]);

    // Act
    const res = await h.transport.send(request);

    // Assess
    expect(res.body).toEqual({ ok: true });
    expect(h.calls).toHaveLength(3);
    expect(h.sleeps).toEqual([0.5 * 200, 0.5 * 400]);
  });

  it('keeps every backoff inside [0, min(maxDelay, base * 2^attempt))', async () => {
    // Prepare
    const h = harness([json(500, {})], {
      random: () => 0.999999,
      retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 2000, timeoutMs: 1000 },
    });

    // Act
    await h.transport.send({ ...request, deadline: 1_000_000 + 60_000 }).catch(() => undefined);

    // Assess
    expect(h.sleeps).toHaveLength(7);
    h.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(Math.min(2000, 500 * 2 ** i));
    });
  });

  it('honours Retry-After in seconds on 429', async () => {
    // Prepare
    const h = harness([json(429, {}, { 'retry-after': '3' }), json(200, {})]);

    // Act
    await h.transport.send(request);

    // Assess
    expect(h.sleeps).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    // Prepare
    const at = new Date(1_000_000 + 2000).toUTCString();
    const h = harness([json(503, {}, { 'retry-after': at }), json(200, {})], { now: () => 1_000_000 });

    // Act
    await h.transport.send(request);

    // Assess
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(h.sleeps[0]).toBeLessThanOrEqual(2000);
  });

  it('gives up with WiseUnavailableError carrying the last status and Retry-After', async () => {
    // Prepare
    const h = harness([json(503, {}, { 'retry-after': '1' })]);

    // Act
    const err = await h.transport.send(request).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(WiseUnavailableError);
    expect((err as WiseUnavailableError).lastStatus).toBe(503);
    expect((err as WiseUnavailableError).retryAfterSeconds).toBe(1);
    expect(h.calls).toHaveLength(4);
  });

  it('stops before a wait that would pass the deadline', async () => {
    // Prepare
    const h = harness([json(503, {}, { 'retry-after': '10' })]);

    // Act
    const err = await h.transport.send({ ...request, deadline: 1_000_000 + 5_000 }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(WiseUnavailableError);
    expect(h.calls).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('makes no attempt once the deadline has passed', async () => {
    // Prepare
    const h = harness([json(200, {})]);

    // Act
    const err = await h.transport.send({ ...request, deadline: 1_000_000 - 1 }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(WiseUnavailableError);
    expect(h.calls).toHaveLength(0);
  });

  it('answers a 4xx at once as WiseApiError with the body kept for mapping', async () => {
    // Prepare
    const h = harness([json(409, { errors: [{ code: 'NOT_UNIQUE' }] })]);

    // Act
    const err = await h.transport.send(request).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(WiseApiError);
    expect((err as WiseApiError).status).toBe(409);
    expect((err as WiseApiError).errorCodes).toEqual(['NOT_UNIQUE']);
    expect(h.calls).toHaveLength(1);
  });

  it('retries network errors, but never a request marked retry: false', async () => {
    // Prepare
    const failing = () => Promise.reject(new TypeError('fetch failed'));
    const retried = harness([failing, json(200, { ok: 1 })]);
    const single = harness([failing, json(200, { ok: 1 })]);

    // Act
    const res = await retried.transport.send(request);
    const err = await single.transport.send({ ...request, retry: false }).catch((e: unknown) => e);

    // Assess
    expect(res.body).toEqual({ ok: 1 });
    expect(retried.calls).toHaveLength(2);
    expect(err).toBeInstanceOf(WiseUnavailableError);
    expect(single.calls).toHaveLength(1);
  });

  it('sends bearer, basic, JSON and form bodies as Wise expects', async () => {
    // Prepare
    const h = harness([json(200, {})]);

    // Act
    await h.transport.send({
      method: 'POST',
      path: '/oauth/token',
      pathTemplate: '/oauth/token',
      basic: { username: 'id', password: 'pw' },
      form: { grant_type: 'client_credentials' },
    });
    await h.transport.send({
      method: 'POST',
      path: '/v2/x',
      pathTemplate: '/v2/x',
      bearer: 'tok',
      json: { a: 1 },
    });

    // Assess
    const [form, body] = h.calls.map((c) => c.init);
    expect((form!.headers as Record<string, string>).Authorization).toBe(
      `Basic ${Buffer.from('id:pw').toString('base64')}`,
    );
    expect((form!.headers as Record<string, string>)['Content-Type']).toBe(
      'application/x-www-form-urlencoded',
    );
    expect(form!.body).toBe('grant_type=client_credentials');
    expect((body!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(body!.body).toBe('{"a":1}');
  });

  it('logs the path template and status only: no token, no query string, no body', async () => {
    // Prepare
    const h = harness([json(200, { access_token: 'secret-token' })]);

    // Act
    await h.transport.send(request);

    // Assess
    const text = JSON.stringify(h.logs);
    expect(text).toContain('/v2/profiles');
    expect(text).not.toContain('tok-123');
    expect(text).not.toContain('secret-query');
    expect(text).not.toContain('secret-token');
  });

  it('sends X-External-Correlation-Id (the request correlation id, at most 36 characters) on every call', async () => {
    // Prepare: the handler stack sets the logger's correlation id to the request id
    const id = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    const h = harness([json(503, {}), json(200, {})], {
      logger: { info: () => undefined, getCorrelationId: () => id } as never,
    });
    const long = harness([json(200, {})], { correlationId: () => `${id}-and-more` });
    const own = harness([json(200, {})], { correlationId: () => 'ignored' });

    // Act
    await h.transport.send(request);
    await long.transport.send(request);
    await own.transport.send({ ...request, correlationId: 'per-call-id' });

    // Assess
    const sent = (c: { init: RequestInit }) =>
      (c.init.headers as Record<string, string>)['X-External-Correlation-Id'];
    expect(h.calls.map(sent)).toEqual([id, id]);
    expect(sent(long.calls[0]!)).toBe(id);
    expect(sent(own.calls[0]!)).toBe('per-call-id');
  });

  it("logs Wise's echo of the correlation id and its x-trace-id, and keeps the trace id on a WiseApiError", async () => {
    // Prepare
    const id = '3f1b2c4d-0000-4000-8000-000000000001';
    const h = harness(
      [
        json(200, {}, { 'x-external-correlation-id': id, 'x-trace-id': 'a'.repeat(32) }),
        json(404, { errors: [] }, { 'x-trace-id': 'b'.repeat(32) }),
      ],
      { correlationId: () => id },
    );

    // Act
    await h.transport.send(request);
    const err = await h.transport.send(request).catch((e: unknown) => e);

    // Assess
    expect(h.logs[0]).toEqual([
      'wise call',
      expect.objectContaining({ correlationId: id, wiseCorrelationId: id, wiseTraceId: 'a'.repeat(32) }),
    ]);
    expect(err).toBeInstanceOf(WiseApiError);
    expect((err as WiseApiError).traceId).toBe('b'.repeat(32));
  });

  it('sends no correlation header when there is no id', async () => {
    // Prepare
    const h = harness([json(200, {})], { logger: undefined });

    // Act
    await h.transport.send(request);

    // Assess
    expect(h.calls[0]!.init.headers).not.toHaveProperty('X-External-Correlation-Id');
  });
});
