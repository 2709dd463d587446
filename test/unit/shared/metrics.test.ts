import { generateKeyPairSync, sign } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetricsClient } from '@aws-lambda-powertools/metrics';
import { InMemoryMetrics } from '../../../shared/adapters/in-memory-metrics';
import { PowertoolsMetrics } from '../../../shared/adapters/powertools-metrics';
import { createFunctionHandler } from '../../../shared/http/handler-stack';
import type { Operation } from '../../../shared/http/operation';
import type { GatewayEvent } from '../../../shared/http/types';
import { createLogger } from '../../../shared/logging/logger';
import { METRICS_NAMESPACE } from '../../../shared/metrics/names';
import { ADMIN_SCOPE, routesOf } from '../../../shared/routes';
import { WiseApiError, WiseUnavailableError } from '../../../shared/wise/errors';
import { WiseTransport, type FetchLike } from '../../../shared/wise/transport';
import { receiveWebhookDelivery } from '../../../shared/webhooks/webhook-delivery';
import { webhookKeyringFor } from '../../../shared/webhooks/webhook-signature';
import { InMemoryWebhookEventStore, ManualClock } from '../../support/fakes';

/** Issue 18, item 8: the business and health metrics the dashboard and alarms read. */
afterEach(() => {
  vi.restoreAllMocks();
});

const transportWith = (answers: (() => Response)[], metrics: InMemoryMetrics) => {
  let calls = 0;
  let now = 1_000_000;
  const fetch: FetchLike = async () => {
    now += 40;
    return answers[Math.min(calls++, answers.length - 1)]!();
  };
  return new WiseTransport({
    baseUrl: 'https://wise.test',
    fetch,
    metrics,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    random: () => 0.5,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 1000 },
  });
};
const status = (code: number) => () => new Response(code === 204 ? null : '{}', { status: code });

describe('Wise latency, errors and refresh failures (the transport)', () => {
  it('records the latency of every attempt and the failed ones by operation', async () => {
    // Prepare
    const metrics = new InMemoryMetrics();
    const transport = transportWith([status(503), status(502), status(200)], metrics);

    // Act
    await transport.send({ method: 'GET', path: '/v2/profiles/7', pathTemplate: '/v2/profiles/{profileId}' });

    // Assess
    const operation = 'GET /v2/profiles/{profileId}';
    expect(metrics.of('wiseLatency', { operation }).map((o) => o.value)).toEqual([40, 40, 40]);
    expect(metrics.sum('wiseErrors', { operation })).toBe(2);
    expect(metrics.sum('refreshFailures')).toBe(0);
  });

  it('counts a refresh that Wise refused, and one that never got through, once each', async () => {
    // Prepare
    const metrics = new InMemoryMetrics();
    const refresh = {
      method: 'POST' as const,
      path: '/oauth/token',
      pathTemplate: '/oauth/token',
      form: { grant_type: 'refresh_token', refresh_token: 'r' },
    };

    // Act
    const refused = await transportWith([status(401)], metrics)
      .send(refresh)
      .catch((e: unknown) => e);
    const unreachable = await transportWith([status(503)], metrics)
      .send(refresh)
      .catch((e: unknown) => e);
    await transportWith([status(400)], metrics)
      .send({ ...refresh, form: { grant_type: 'authorization_code', code: 'c' } })
      .catch(() => undefined);

    // Assess
    expect(refused).toBeInstanceOf(WiseApiError);
    expect(unreachable).toBeInstanceOf(WiseUnavailableError);
    expect(metrics.sum('refreshFailures')).toBe(2);
    expect(metrics.sum('wiseErrors', { operation: 'POST /oauth/token' })).toBe(3);
  });
});

describe('PowertoolsMetrics', () => {
  it("writes one EMF document per observation in the WiseOnboarding namespace, with only the metric's own dimensions", () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l.includes('_aws')),
      );
      return true;
    }) as typeof process.stdout.write);
    const client = new PowertoolsMetricsClient({
      namespace: METRICS_NAMESPACE,
      serviceName: 'wise-onboarding-oauth',
    });
    const metrics = new PowertoolsMetrics(client);

    // Act
    metrics.emit('wiseLatency', 182, {
      operation: 'GET /v2/profiles/{profileId}',
      result: 'not-a-dimension-of-this-metric',
    });
    metrics.emit('signups', 1);

    // Assess
    const docs = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(docs).toHaveLength(2);
    expect(docs[0]!._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'WiseOnboarding',
      Dimensions: [['service', 'operation']],
      Metrics: [{ Name: 'WiseLatency', Unit: 'Milliseconds' }],
    });
    expect(docs[0]).toMatchObject({
      service: 'wise-onboarding-oauth',
      operation: 'GET /v2/profiles/{profileId}',
      WiseLatency: 182,
    });
    expect(docs[0]).not.toHaveProperty('result');
    expect(docs[1]).toMatchObject({ Signups: 1 });
    expect(docs[1]!._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'Signups', Unit: 'Count' }]);
  });

  it('never throws into the work it measures', () => {
    // Prepare
    const broken = {
      singleMetric: () => {
        throw new Error('stdout closed');
      },
    } as unknown as PowertoolsMetricsClient;

    // Act + Assess
    expect(() => new PowertoolsMetrics(broken).emit('signups', 1)).not.toThrow();
  });
});

describe('signups (the handler stack, from route 1 answering 201)', () => {
  const context = {
    getRemainingTimeInMillis: () => 10_000,
    awsRequestId: 'r',
    functionName: 'f',
  } as unknown as Context;
  const answering = (status: number) =>
    Object.fromEntries(
      routesOf('onboarding').map((r) => [
        r.id,
        {
          route: r.id,
          summary: 's',
          description: 'd',
          responses: {},
          problems: [],
          handle: async () => ({ status }),
        } as Operation,
      ]),
    );
  const event = {
    version: '2.0',
    routeKey: 'POST /v1/customers/{customerId}/wise-account',
    rawPath: '/v1/customers/alice/wise-account',
    headers: {},
    pathParameters: { customerId: 'alice' },
    requestContext: {
      requestId: 'r-1',
      http: { method: 'POST' },
      authorizer: { jwt: { claims: { sub: 'svc', scope: ADMIN_SCOPE } } },
    },
  } as unknown as GatewayEvent;

  it('counts a signup when route 1 answers 201, not when it answers 200 (a repeat)', async () => {
    // Prepare
    const metrics = new InMemoryMetrics();
    const logger = createLogger('test');
    const created = createFunctionHandler({
      fn: 'onboarding',
      logger,
      services: {},
      operations: answering(201),
      metrics,
    });
    const repeated = createFunctionHandler({
      fn: 'onboarding',
      logger,
      services: {},
      operations: answering(200),
      metrics,
    });

    // Act
    await created(event, context);
    await repeated(event, context);

    // Assess
    expect(metrics.sum('signups')).toBe(1);
  });
});

describe('webhook results, refused signatures and lag (the receiver, route 11)', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyring = webhookKeyringFor(
    'local',
    pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  );
  const occurred = new Date(Date.now() - 4_000).toISOString();
  const body = JSON.stringify({
    data: { resource: { type: 'profile', id: 7 }, current_state: 'verified', occurred_at: occurred },
    subscription_id: 's',
    event_type: 'profiles#verification-state-change',
    schema_version: '2.0.0',
    sent_at: occurred,
  });
  const delivery = (
    signature = sign('RSA-SHA256', Buffer.from(body), pair.privateKey).toString('base64'),
  ) => ({
    body: Buffer.from(body),
    header: (name: string) => (name === 'x-signature-sha256' ? signature : undefined),
    remainingMs: 5_000,
  });

  it('counts a stored delivery, its duplicate, a forged one, and the lag since Wise saw the event', async () => {
    // Prepare
    const metrics = new InMemoryMetrics();
    const ports = {
      keyring,
      events: new InMemoryWebhookEventStore(new ManualClock(Date.now())),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics,
    };

    // Act
    const first = await receiveWebhookDelivery(ports, delivery());
    const copy = await receiveWebhookDelivery(ports, delivery());
    const forged = await receiveWebhookDelivery(ports, delivery('Zm9yZ2Vk')).catch((err: unknown) => err);

    // Assess
    expect([first, copy]).toEqual(['recorded', 'duplicate']);
    expect(forged).toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect(metrics.sum('webhookResults', { result: 'STORED' })).toBe(1);
    expect(metrics.sum('webhookResults', { result: 'DUPLICATE' })).toBe(1);
    expect(metrics.sum('webhookSignatureRejected')).toBe(1);
    const lag = metrics.of('webhookLag').map((o) => o.value);
    expect(lag).toHaveLength(1);
    expect(lag[0]).toBeGreaterThanOrEqual(4_000);
    expect(lag[0]).toBeLessThan(60_000);
  });
});
