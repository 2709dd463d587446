import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Context } from 'aws-lambda';
import { DomainError } from '../../../shared/errors/domain-error';
import { createFunctionHandler } from '../../../shared/http/handler-stack';
import { named, operationOf, type Operation } from '../../../shared/http/operation';
import type { GatewayEvent } from '../../../shared/http/types';
import { createLogger } from '../../../shared/logging/logger';
import { routesOf } from '../../../shared/routes';
import { WiseUnavailableError } from '../../../shared/wise/errors';

const context = {
  getRemainingTimeInMillis: () => 10_000,
  awsRequestId: 'req',
  functionName: 'f',
} as unknown as Context;

const event = (
  routeKey: string,
  init: Partial<GatewayEvent> = {},
  claims?: Record<string, string>,
): GatewayEvent =>
  ({
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r-1',
      http: { method: 'POST' },
      ...(claims ? { authorizer: { jwt: { claims } } } : {}),
    },
    ...init,
  }) as unknown as GatewayEvent;

const logger = createLogger('test');

/** An authenticated caller acting on its own customer, as the JWT authorizer would pass it. */
const own: Partial<GatewayEvent> = {
  pathParameters: { customerId: 'alice' },
  requestContext: {
    requestId: 'r-1',
    http: { method: 'POST' },
    authorizer: { jwt: { claims: { sub: 'alice' } } },
  } as never,
};

/** The partner backend (routes 1, 3, 4, 6 are partner-only). */
const admin = { sub: 'back-office', scope: 'wise-onboarding/admin' };
const asPartner: Partial<GatewayEvent> = {
  pathParameters: { customerId: 'alice' },
  requestContext: {
    requestId: 'r-1',
    http: { method: 'POST' },
    authorizer: { jwt: { claims: admin } },
  } as never,
};

const operation = operationOf<{ seen: number[] }>();
const failing = (route: Operation['route'], err: () => Error): Operation<{ seen: number[] }> =>
  operation({
    route,
    summary: 's',
    description: 'd',
    responses: { 200: { description: 'ok' } },
    problems: [],
    handle: async () => {
      throw err();
    },
  });

/** Every onboarding route with an operation of the test's own, so the stack alone is under test. */
const operations = {
  createAccount: operation({
    route: 'createAccount',
    summary: 's',
    description: 'd',
    params: z.object({ customerId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }),
    body: named('Body', z.object({ email: z.string().email(), firstName: z.string().min(1) })),
    responses: { 201: { description: 'made', body: named('Ok', z.object({ ok: z.string() })) } },
    problems: [],
    handle: async ({ body, deadline }, services) => {
      services.seen.push(deadline);
      return { status: 201, body: { ok: body.email } };
    },
  }),
  getAccount: failing(
    'getAccount',
    () => new Error('secret-token-value in a message that must never be shown'),
  ),
  createBusinessProfile: failing('createBusinessProfile', () => new WiseUnavailableError('/v1/x', 7)),
  updateProfile: failing(
    'updateProfile',
    () => new DomainError('PERSONAL_PROFILE_REQUIRED', { detail: 'Create the personal profile first.' }),
  ),
  checkVerification: failing(
    'checkVerification',
    () => new DomainError('IN_PROGRESS', { retryAfterSeconds: 0.2 }),
  ),
  submitIdentityDocument: failing('submitIdentityDocument', () => new Error('unused')),
  createClaimLink: failing('createClaimLink', () => new Error('unused')),
  issueAccessToken: failing('issueAccessToken', () => new Error('unused')),
  listAuditEvents: failing('listAuditEvents', () => new Error('unused')),
  listCustomers: failing('listCustomers', () => new Error('unused')),
  eraseCustomer: failing('eraseCustomer', () => new Error('unused')),
};

describe('the shared handler stack', () => {
  const services = { seen: [] as number[] };
  const handler = createFunctionHandler({ fn: 'onboarding', logger, services, operations });
  const key = 'POST /v1/customers/{customerId}/wise-account';

  it('names every bad field in one 400 problem', async () => {
    // Act
    const res = await handler(
      event(
        key,
        { pathParameters: { customerId: 'alice' }, body: JSON.stringify({ email: 'nope', firstName: '' }) },
        admin,
      ),
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
    const res = await handler(
      event('POST /v1/customers/{customerId}/wise-account/business-profiles', asPartner),
      context,
    );
    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('7');
    expect(JSON.parse(res.body as string).code).toBe('WISE_UNAVAILABLE');
  });

  it('guards every route with callers: no token 401, another customer 403', async () => {
    // Act
    const anonymous = await handler(
      event('POST /v1/customers/{customerId}/wise-account/claim', {
        pathParameters: { customerId: 'alice' },
      }),
      context,
    );
    const other = await handler(
      event(
        'POST /v1/customers/{customerId}/wise-account/claim',
        { pathParameters: { customerId: 'bob' } },
        { sub: 'alice' },
      ),
      context,
    );
    // Assess
    expect(anonymous.statusCode).toBe(401);
    expect(other.statusCode).toBe(403);
  });

  it('refuses to build a function whose route has no operation, or the wrong one', () => {
    // Prepare
    const { createClaimLink: _missing, ...incomplete } = operations;
    // Act
    const build = (ops: Record<string, Operation<{ seen: number[] }>>) => () =>
      createFunctionHandler({ fn: 'onboarding', logger, services, operations: ops });
    // Assess
    expect(build(incomplete)).toThrow(/createClaimLink/);
    expect(build({ ...operations, createClaimLink: operations.getAccount })).toThrow(/createClaimLink/);
    expect(routesOf('onboarding').every((r) => r.id in operations)).toBe(true);
  });

  it('answers a domain error from the catalogue: its status, code, detail and whole-second Retry-After', async () => {
    // Act
    const res = await handler(
      event('POST /v1/customers/{customerId}/wise-account/profiles/{profileId}/verification-check', own),
      context,
    );
    // Assess
    expect(res.statusCode).toBe(409);
    expect(res.headers['Retry-After']).toBe('1');
    expect(JSON.parse(res.body as string)).toMatchObject({
      code: 'IN_PROGRESS',
      type: 'https://wise-onboarding.dev/problems/in-progress',
      title: 'Conflict',
      status: 409,
    });
  });

  it('computes the request deadline once from the Lambda remaining time, less a margin', async () => {
    // Prepare
    const before = Date.now();
    // Act
    await handler(
      event(
        key,
        {
          pathParameters: { customerId: 'alice' },
          body: JSON.stringify({ email: 'a@b.co', firstName: 'A' }),
        },
        admin,
      ),
      context,
    );
    // Assess
    const deadline = services.seen.at(-1) as number;
    expect(deadline).toBeGreaterThanOrEqual(before + 10_000 - 1_500);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 10_000 - 1_500);
  });

  it('adds security headers and no-store to success and error answers alike', async () => {
    // Act
    const ok = await handler(
      event(
        key,
        {
          pathParameters: { customerId: 'alice' },
          body: JSON.stringify({ email: 'a@b.co', firstName: 'A' }),
        },
        admin,
      ),
      context,
    );
    const problem = await handler(
      event('PUT /v1/customers/{customerId}/wise-account/profiles/{profileId}', asPartner),
      context,
    );
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
      event(key, { pathParameters: { customerId: 'alice' }, body: 'x'.repeat(70_000) }, admin),
      context,
    );
    const wrongType = await handler(
      event(
        key,
        { pathParameters: { customerId: 'alice' }, body: 'a=b', headers: { 'content-type': 'text/plain' } },
        admin,
      ),
      context,
    );
    // Assess
    expect(big.statusCode).toBe(413);
    expect(wrongType.statusCode).toBe(415);
  });
});
