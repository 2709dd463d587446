import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { operations } from '../../../functions/operations';
import { routes as kycRoutes } from '../../../functions/kyc-reviews/routes';
import { routes as oauthRoutes } from '../../../functions/oauth/routes';
import { routes as onboardingRoutes } from '../../../functions/onboarding/routes';
import { problemCatalogue, problemCodes, type ProblemCode } from '../../../shared/errors/catalogue';
import { DomainError } from '../../../shared/errors/domain-error';
import { linkFailureReasons } from '../../../shared/domain/linking/callback-outcome';
import { businessProfileSchema } from '../../../shared/domain/onboarding/business-profile';
import { identityDocumentSchema } from '../../../shared/domain/onboarding/identity-document';
import {
  newCustomerSchema,
  personalProfileUpdateSchema,
} from '../../../shared/domain/onboarding/personal-profile';
import { customerIdSchema } from '../../../shared/http/handler-stack';
import { problemAnswer, problemBody } from '../../../shared/http/problem';
import type { GatewayEvent } from '../../../shared/http/types';
import { createLogger } from '../../../shared/logging/logger';
import { systemClock } from '../../../shared/ports/clock';
import { routes, type Route, type RouteId } from '../../../shared/routes';
import { handlerWith, type RouteTable } from '../../../shared/runtime/function';
import type { Dependencies } from '../../../shared/runtime/dependencies';
import { envelopeSchema } from '../../../shared/webhooks/webhook-event';
import { OPENAPI_FILE, renderOpenApi } from '../../../scripts/openapi';
import {
  buildOpenApiDocument,
  jsonSchemaOf,
  problemSchema,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
} from '../../../scripts/openapi-document';

/**
 * Codes answered outside any route of the table, so that no route documents them: a route key the
 * function does not serve (the handler stack; API Gateway never sends one), and the local gateway's
 * own answers for an unknown method or a function that does not answer in time (API Gateway
 * answers those itself in AWS).
 */
const outsideAnyRoute: readonly ProblemCode[] = ['ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED', 'GATEWAY_TIMEOUT'];

/**
 * The statuses PARTNER-API.md names for each route (routes 7 and 15 name none; route 16 is not
 * in that table). The conventions add 400/401/403 to every partner route, 422 to every POST that
 * replays Idempotency-Key, and 503 WISE_UNAVAILABLE to every route that calls Wise.
 */
const contractStatuses: Record<RouteId, readonly number[]> = {
  createAccount: [201, 200, 409, 400],
  getAccount: [200, 404],
  createBusinessProfile: [201, 409],
  updateProfile: [200],
  checkVerification: [200],
  submitIdentityDocument: [201],
  createClaimLink: [],
  startLink: [201, 400, 409],
  oauthCallback: [302, 400],
  linkWithCode: [200, 409, 422, 429],
  receiveWebhook: [200, 401, 413],
  createKycReview: [201],
  listKycReviews: [200],
  getKycReview: [200],
  refreshKycLink: [],
  submitKycRequirement: [],
  completeLink: [200, 400, 409, 422],
  putIdentity: [200],
  disconnect: [204],
  issueAccessToken: [200, 409],
  listAuditEvents: [200],
  listCustomers: [200],
  eraseCustomer: [204],
};

/** "Served from the store, no Wise call" / "as stored": every other partner route calls Wise. */
const servedFromStore: readonly RouteId[] = [
  'getAccount',
  'listKycReviews',
  'putIdentity',
  'disconnect',
  'listAuditEvents',
  'listCustomers',
  'eraseCustomer',
];

const operationOf = (doc: OpenApiDocument, route: Route): OpenApiOperation | undefined =>
  doc.paths[route.path]?.[route.method.toLowerCase()];

const responsesOf = (doc: OpenApiDocument, route: Route): Record<string, Record<string, unknown>> => {
  const operation = operationOf(doc, route);
  if (!operation) throw new Error(`${route.id} is not documented`);
  return operation.responses;
};

/** Follows a local `$ref` (`#/components/...`) to what it names. */
const resolve = (doc: OpenApiDocument, value: unknown): Record<string, unknown> => {
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref !== 'string') return value as Record<string, unknown>;
  let target: unknown = doc;
  for (const key of ref.replace(/^#\//, '').split('/'))
    target = (target as Record<string, unknown> | undefined)?.[key];
  if (target === undefined) throw new Error(`unresolved ${ref}`);
  return target as Record<string, unknown>;
};

const allRefs = (value: unknown, found: string[] = []): string[] => {
  if (Array.isArray(value)) value.forEach((v) => allRefs(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else allRefs(inner, found);
    }
  }
  return found;
};

const requestSchemaOf = (doc: OpenApiDocument, route: Route): JsonSchema | undefined => {
  const schema = operationOf(doc, route)?.requestBody?.content['application/json']?.schema;
  return schema ? resolve(doc, schema) : undefined;
};

describe('the OpenAPI document', () => {
  it('documents every route of the route table, and nothing else, with its method, path and security', () => {
    // Prepare
    const expected = routes.map((r) => `${r.method} ${r.path}`).sort();

    // Act
    const doc = buildOpenApiDocument();

    // Assess
    const documented = Object.entries(doc.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(expected);
    for (const route of routes) {
      const operation = operationOf(doc, route);
      expect(operation?.operationId).toBe(route.id);
      expect(operation?.security).toEqual(route.auth === 'token' ? [{ partnerJwt: [] }] : []);
    }
    expect(doc.components.securitySchemes.partnerJwt).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(routes.filter((r) => r.auth === 'public').map((r) => r.id)).toEqual([
      'oauthCallback',
      'receiveWebhook',
    ]);
  });

  it('is OpenAPI 3.1 on JSON Schema 2020-12, titled and versioned from package.json', () => {
    // Prepare
    const { version } = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };

    // Act
    const doc = buildOpenApiDocument();

    // Assess
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.info).toMatchObject({ title: 'wise-onboarding partner API', version });
    expect(doc.info.description).toEqual(expect.stringContaining('wise-onboarding/admin'));
    expect(doc.info.description).toEqual(expect.stringContaining('Idempotency-Key'));
    expect(doc.info.description).toEqual(expect.stringContaining('Retry-After'));
  });

  it("documents every path placeholder as a required path parameter with the handler's schema", () => {
    // Act
    const doc = buildOpenApiDocument();

    // Assess
    for (const route of routes) {
      const placeholders = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const parameters = (operationOf(doc, route)?.parameters ?? [])
        .map((p) => resolve(doc, p))
        .filter((p) => p.in === 'path');
      expect(
        parameters.map((p) => p.name),
        route.id,
      ).toEqual(placeholders);
      expect(
        parameters.every((p) => p.required === true),
        route.id,
      ).toBe(true);
    }
    // The caller guard's own check of customerId (shared/http/handler-stack.ts), on every route that has one.
    for (const route of routes.filter((r) => r.path.includes('{customerId}'))) {
      const customerId = operationOf(doc, route)?.parameters?.find((p) => p.name === 'customerId');
      expect(customerId?.schema, route.id).toEqual(jsonSchemaOf(customerIdSchema, 'input'));
    }
  });

  it('takes its parameter and body schemas from the operations the handler stack parses with', () => {
    // Act
    const doc = buildOpenApiDocument();

    // Assess: what the stack parses is what is documented, route by route.
    for (const route of routes) {
      const operation = operations[route.id];
      const parameters = operationOf(doc, route)?.parameters ?? [];
      const inPath = parameters.filter((p) => p.in === 'path');
      const params = operation.params ? (jsonSchemaOf(operation.params, 'input').properties as object) : {};
      for (const p of inPath)
        expect(p.schema, `${route.id} ${String(p.name)}`).toEqual(params[p.name as never]);
      const query = operation.query ? (jsonSchemaOf(operation.query, 'input').properties as object) : {};
      const inQuery = parameters.filter((p) => p.in === 'query');
      expect(
        inQuery.map((p) => p.name),
        route.id,
      ).toEqual(Object.keys(query));
      for (const p of inQuery)
        expect(p.schema, `${route.id} ${String(p.name)}`).toEqual(query[p.name as never]);
      if (operation.body && !operation.documentedBodies) {
        expect(requestSchemaOf(doc, route), route.id).toEqual(jsonSchemaOf(operation.body.schema, 'input'));
      }
    }
    // The domain's schemas are the very objects the operations hold, not copies.
    expect(operations.createBusinessProfile.body?.schema).toBe(businessProfileSchema);
    expect(operations.submitIdentityDocument.body?.schema).toBe(identityDocumentSchema);
    expect(operations.receiveWebhook.documentedBodies?.map((b) => b.schema)).toEqual([envelopeSchema]);
    expect(operations.receiveWebhook.documentedBodies?.[0]?.schema).toBe(envelopeSchema);
    expect(operations.updateProfile.documentedBodies?.[1]?.schema).toBe(businessProfileSchema);
    // Factories (they close over a clock) make a new schema per call: compare what they accept.
    const now = () => systemClock.now();
    expect(
      requestSchemaOf(
        doc,
        routes.find((r) => r.id === 'createAccount')!,
      ),
    ).toEqual(jsonSchemaOf(newCustomerSchema(now), 'input'));
    expect(doc.components.schemas.PersonalProfileUpdate).toEqual(
      jsonSchemaOf(personalProfileUpdateSchema(now), 'input'),
    );
    expect(
      requestSchemaOf(
        doc,
        routes.find((r) => r.id === 'submitIdentityDocument')!,
      ),
    ).toEqual(jsonSchemaOf(identityDocumentSchema, 'input'));
  });

  it('names as required exactly the fields the handlers refuse an empty object for', async () => {
    // Prepare: the real route tables, with dependencies that are never reached (the body is refused first).
    const deps = {
      clock: systemClock,
      logger: createLogger('openapi-test'),
      config: { allowedReturnUrls: ['http://localhost:3000/'] },
    } as unknown as Dependencies;
    const tables: Record<string, RouteTable<Dependencies>> = {
      onboarding: onboardingRoutes,
      oauth: oauthRoutes,
      'kyc-reviews': kycRoutes,
    };
    const doc = buildOpenApiDocument();
    const checked = routes.filter((r) => {
      const required = (requestSchemaOf(doc, r)?.required as string[] | undefined) ?? [];
      // Route 4 picks its schema from the stored profile; the webhook checks a signature first.
      return r.callers.length > 0 && r.id !== 'updateProfile' && required.length > 0;
    });
    const context = {
      getRemainingTimeInMillis: () => 10_000,
      awsRequestId: 'r',
      functionName: 'f',
    } as unknown as Context;

    const outcomes: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const route of checked) {
      const handler = handlerWith(route.function, deps, tables[route.function]!);
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: route.path,
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        pathParameters: {
          customerId: 'c-1',
          profileId: '42',
          reviewId: '46e1a5c4-4a9b-4563-39d3-6e4e1e2c1b6a',
        },
        body: '{}',
        isBase64Encoded: false,
        requestContext: {
          requestId: 'r-1',
          http: { method: route.method },
          // Every caller kind at once, so that the body (not the caller) is what each route refuses.
          authorizer: {
            jwt: { claims: { sub: 'c-1', scope: 'wise-onboarding/admin wise-onboarding/wise-access' } },
          },
        },
      } as unknown as GatewayEvent;

      // Act
      const result = await handler(event, context);

      const body = JSON.parse(result.body ?? '{}') as { code?: string; errors?: { path: string }[] };
      const refused = [...new Set((body.errors ?? []).map((e) => e.path.split('.')[0]))].sort();
      outcomes[route.id] = { status: result.statusCode, code: body.code, refused };
      expected[route.id] = {
        status: 400,
        code: 'VALIDATION_FAILED',
        refused: [...(requestSchemaOf(doc, route)?.required as string[])].sort(),
      };
    }

    // Assess: every route at once, so one failure does not hide another.
    expect(outcomes).toEqual(expected);
    expect(checked.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'createAccount',
        'createBusinessProfile',
        'checkVerification',
        'startLink',
        'linkWithCode',
        'createKycReview',
      ]),
    );
  });

  it("documents every status PARTNER-API.md lists for each route, and the conventions' ones", () => {
    // Act
    const doc = buildOpenApiDocument();

    // Assess
    for (const route of routes) {
      const statuses = Object.keys(responsesOf(doc, route)).map(Number);
      expect(statuses, route.id).toEqual(expect.arrayContaining([...contractStatuses[route.id]]));
      expect(
        statuses.some((s) => s >= 200 && s < 400),
        route.id,
      ).toBe(true);
      if (route.callers.length > 0)
        expect(statuses, route.id).toEqual(expect.arrayContaining([400, 401, 403]));
      if (operations[route.id].idempotencyKey === 'replayed') expect(statuses, route.id).toContain(422);
      if (route.callers.length > 0 && !servedFromStore.includes(route.id)) {
        const unavailable = responsesOf(doc, route)['503'];
        expect(unavailable?.['x-problem-codes'], route.id).toContain('WISE_UNAVAILABLE');
        expect(unavailable?.headers, route.id).toHaveProperty('Retry-After');
      }
    }
    const webhook = Object.keys(
      responsesOf(
        doc,
        routes.find((r) => r.id === 'receiveWebhook')!,
      ),
    ).map(Number);
    expect(webhook.some((s) => s >= 500)).toBe(true);
  });

  it('answers every error of the JSON routes with the problem+json schema', () => {
    // Act
    const doc = buildOpenApiDocument();

    // Assess
    for (const route of routes) {
      for (const [status, response] of Object.entries(responsesOf(doc, route))) {
        if (Number(status) < 400 || status === '429' || route.id === 'oauthCallback') continue;
        const content = response.content as Record<string, { schema: unknown }>;
        expect(content['application/problem+json']?.schema, `${route.id} ${status}`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
        const codes = response['x-problem-codes'] as string[];
        for (const code of codes)
          expect(problemCatalogue[code as ProblemCode]?.status, `${route.id} ${code}`).toBe(Number(status));
      }
    }
    const documentedCodes = new Set(
      Object.values(doc.paths).flatMap((ops) =>
        Object.values(ops).flatMap((op) =>
          Object.values(op.responses).flatMap((r) => (r['x-problem-codes'] as string[] | undefined) ?? []),
        ),
      ),
    );
    // Every code of the catalogue is answered by some route, or explicitly by the stack outside any route.
    expect([...documentedCodes].sort()).toEqual(
      problemCodes.filter((c) => !outsideAnyRoute.includes(c)).sort(),
    );
    for (const code of [
      'VALIDATION_FAILED',
      'FORBIDDEN',
      'CUSTOMER_NOT_FOUND',
      'EXISTING_WISE_ACCOUNT',
      'RETURN_URL_NOT_ALLOWED',
      'WISE_UNAVAILABLE',
    ]) {
      expect(documentedCodes).toContain(code);
    }
  });

  it("takes every operation's problems from the catalogue, with the catalogue's status and meaning", () => {
    // Act
    const doc = buildOpenApiDocument();

    // Assess
    const unknown = routes.flatMap((r) =>
      operations[r.id].problems.filter((c) => !(c in problemCatalogue)).map((c) => `${r.id} ${c}`),
    );
    expect(unknown).toEqual([]);
    for (const route of routes) {
      const responses = responsesOf(doc, route);
      for (const code of operations[route.id].problems) {
        const { status, meaning } = problemCatalogue[code];
        const response = responses[String(status)];
        expect(response?.['x-problem-codes'], `${route.id} ${code}`).toContain(code);
        expect(response?.description, `${route.id} ${code}`).toEqual(
          expect.stringContaining(`\`${code}\`: ${meaning}`),
        );
      }
    }
    for (const code of outsideAnyRoute) expect(problemCatalogue).toHaveProperty(code);
  });

  it('writes nothing about a route itself: the walker names no route of the table', () => {
    // Prepare
    const walker = readFileSync(new URL('../../../scripts/openapi-document.ts', import.meta.url), 'utf8');

    // Assess: per-route facts belong in the operation declarations (functions/<fn>/*.ts).
    expect(routes.filter((r) => walker.includes(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('describes the problems the code really builds', () => {
    // Prepare
    const bodies = [
      problemBody('VALIDATION_FAILED', undefined, [{ path: 'address.city', message: 'must not be blank' }]),
      problemAnswer(new DomainError('WISE_UNAVAILABLE', { retryAfterSeconds: 2 })).body,
      problemBody('INTERNAL_ERROR'),
    ];

    // Act
    const results = bodies.map((b) => problemSchema.safeParse(b).success);

    // Assess
    expect(results).toEqual([true, true, true]);
  });

  it("describes the callback's redirect, its reasons and its headers", () => {
    // Act
    const responses = responsesOf(
      buildOpenApiDocument(),
      routes.find((r) => r.id === 'oauthCallback')!,
    );

    // Assess
    const redirect = responses['302'] as {
      headers: Record<string, unknown>;
      'x-return-url-query': { reason: string[] };
    };
    expect(Object.keys(redirect.headers).sort()).toEqual(['Cache-Control', 'Location', 'Referrer-Policy']);
    expect(redirect['x-return-url-query'].reason).toEqual([...linkFailureReasons]);
    expect(responses['400']?.content).toHaveProperty(['text/html']);
    expect(responses['400']?.headers).toHaveProperty('Referrer-Policy');
  });

  it('has no dangling $ref', () => {
    // Act
    const doc = buildOpenApiDocument();

    // Assess
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(() => resolve(doc, { $ref: ref }), ref).not.toThrow();
  });

  it('is committed as generated, so docs/openapi.json cannot drift from the code', async () => {
    // Prepare
    const committed = readFileSync(OPENAPI_FILE, 'utf8');

    // Act
    const generated = await renderOpenApi();

    // Assess: on failure, run `npx tsx scripts/openapi.ts` and commit docs/openapi.json.
    expect(committed).toBe(generated);
  });
});
