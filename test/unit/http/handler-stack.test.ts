import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Context } from 'aws-lambda';
import { createFunctionHandler, defineRoute } from '../../../shared/http/handler-stack';
import { ProblemError } from '../../../shared/http/problem';
import type { GatewayEvent } from '../../../shared/http/types';
import { createLogger } from '../../../shared/logging/logger';
import { WiseUnavailableError } from '../../../shared/wise/errors';

const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'req', functionName: 'f' } as unknown as Context;

const event = (routeKey: string, init: Partial<GatewayEvent> = {}, claims?: Record<string, string>): GatewayEvent =>
  ({
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    requestContext: { requestId: 'r-1', http: { method: 'POST' }, ...(claims ? { authorizer: { jwt: { claims } } } : {}) },
    ...init,
  }) as unknown as GatewayEvent;

const logger = createLogger('test');

/** An authenticated caller acting on its own customer, as the JWT authorizer would pass it. */
const own: Partial<GatewayEvent> = {
  pathParameters: { customerId: 'alice' },
  requestContext: { requestId: 'r-1', http: { method: 'POST' }, authorizer: { jwt: { claims: { sub: 'alice' } } } } as never,
};

describe('the shared handler stack', () => {
  const handler = createFunctionHandler({
    fn: 'onboarding',
    logger,
    routes: {
      createAccount: defineRoute(
        {
          auth: 'customer',
          params: z.object({ customerId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }),
          body: z.object({ email: z.string().email(), firstName: z.string().min(1) }),
        },
        async ({ body }) => ({ status: 201, body: { ok: body.email } }),
      ),
      getAccount: defineRoute({ auth: 'public' }, async () => {
        throw new Error('secret-token-value in a message that must never be shown');
      }),
      createBusinessProfile: defineRoute({ auth: 'public' }, async () => {
        throw new WiseUnavailableError('/v1/x', 7);
      }),
      updateProfile: defineRoute({ auth: 'public' }, async () => {
        throw new ProblemError(409, 'PERSONAL_PROFILE_REQUIRED', 'Create the personal profile first.');
      }),
    },
  });
  const key = 'POST /v1/customers/{customerId}/wise-account';

  it('names every bad field in one 400 problem', async () => {
    // Act
    const res = await handler(
      event(key, { pathParameters: { customerId: 'alice' }, body: JSON.stringify({ email: 'nope', firstName: '' }) }, { sub: 'alice' }),
      context,
    );
    // Assess
    expect(res.statusCode).toBe(400);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    const body = JSON.parse(res.body as string);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'firstName']);
  });

  it('turns an unknown error into a bare 500 with no message or stack', async () => {
    // Act
    const res = await handler(event('GET /v1/customers/{customerId}/wise-account', own), context);
    // Assess
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret-token-value');
    expect(res.body).not.toContain('at ');
    expect(JSON.parse(res.body as string).code).toBe('INTERNAL_ERROR');
  });

  it('maps a Wise outage to 503 WISE_UNAVAILABLE with Retry-After', async () => {
    // Act
    const res = await handler(event('POST /v1/customers/{customerId}/wise-account/business-profiles', own), context);
    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('7');
    expect(JSON.parse(res.body as string).code).toBe('WISE_UNAVAILABLE');
  });

  it('guards every partner route, built or not: no token 401, another customer 403', async () => {
    // Act
    const anonymous = await handler(event('POST /v1/customers/{customerId}/wise-account/claim', { pathParameters: { customerId: 'alice' } }), context);
    const other = await handler(
      event('POST /v1/customers/{customerId}/wise-account/claim', { pathParameters: { customerId: 'bob' } }, { sub: 'alice' }),
      context,
    );
    // Assess
    expect(anonymous.statusCode).toBe(401);
    expect(other.statusCode).toBe(403);
  });

  it('answers 501 NOT_IMPLEMENTED for a route of the function without an implementation', async () => {
    // Act
    const res = await handler(event('POST /v1/customers/{customerId}/wise-account/claim', own), context);
    // Assess
    expect(res.statusCode).toBe(501);
    expect(JSON.parse(res.body as string).code).toBe('NOT_IMPLEMENTED');
  });

  it('adds security headers and no-store to success and error answers alike', async () => {
    // Act
    const ok = await handler(
      event(key, { pathParameters: { customerId: 'alice' }, body: JSON.stringify({ email: 'a@b.co', firstName: 'A' }) }, { sub: 'alice' }),
      context,
    );
    const problem = await handler(event('PUT /v1/customers/{customerId}/wise-account/profiles/{profileId}', own), context);
    // Assess
    for (const res of [ok, problem]) {
      expect(res.headers['Cache-Control']).toBe('no-store');
      expect(res.headers['X-Content-Type-Options'] ?? res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(ok.statusCode).toBe(201);
    expect(problem.statusCode).toBe(409);
  });

  it('refuses a body over the limit with 413 and a non-JSON media type with 415', async () => {
    // Act
    const big = await handler(
      event(key, { pathParameters: { customerId: 'alice' }, body: 'x'.repeat(70_000) }, { sub: 'alice' }),
      context,
    );
    const wrongType = await handler(
      event(key, { pathParameters: { customerId: 'alice' }, body: 'a=b', headers: { 'content-type': 'text/plain' } }, { sub: 'alice' }),
      context,
    );
    // Assess
    expect(big.statusCode).toBe(413);
    expect(wrongType.statusCode).toBe(415);
  });
});
