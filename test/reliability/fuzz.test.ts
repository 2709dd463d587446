import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { routes as kycRoutes } from '../../functions/kyc-reviews/routes';
import { routes as oauthRoutes } from '../../functions/oauth/routes';
import { routes as onboardingRoutes } from '../../functions/onboarding/routes';
import { routes as webhookRoutes } from '../../functions/webhooks/routes';
import { operations } from '../../functions/operations';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../local/gateway/dev-issuer';
import { lambdaContext } from '../../local/gateway/events';
import type { GatewayEvent, GatewayResult, LambdaHandler } from '../../shared/http/types';
import {
  ADMIN_SCOPE,
  functionNames,
  routeKey,
  routes,
  type FunctionName,
  type Route,
} from '../../shared/routes';
import { handlerWith, type RouteTable } from '../../shared/runtime/function';
import { leakScanTest } from './support/leaks';
import { figures, proves, reportFor, saveReport } from './support/report';
import { accountPath, activeCustomer, startReliabilityStack, type ReliabilityStack } from './support/stack';

/**
 * Bad input on every partner route and the webhook route: property-based fuzzing with fast-check,
 * thousands of cases in-process (the real handlers invoked with API Gateway events, as Lambda would)
 * and a few hundred through the local gateway over HTTP. The answer is never a 5xx, always
 * problem+json, and nothing is written for a rejected input (the table's items are counted).
 */
reportFor(import.meta.url);

const CASES_PER_ROUTE = 1500;
const MS_PER_ROUTE = 1500;
const HTTP_CASES = 300;

// The functions with routes (the stream consumer behind the table's stream has none).
const tables: Partial<Record<FunctionName, RouteTable<any>>> = {
  onboarding: onboardingRoutes,
  oauth: oauthRoutes,
  webhooks: webhookRoutes,
  'kyc-reviews': kycRoutes,
};

let t: ReliabilityStack;
let handlers: Record<FunctionName, LambdaHandler>;
let victim: { customerId: string; profileId: number };
beforeAll(async () => {
  t = await startReliabilityStack({ subscribe: false });
  handlers = Object.fromEntries(
    functionNames.flatMap((fn) => (tables[fn] ? [[fn, handlerWith(fn, t.stack.deps[fn], tables[fn])]] : [])),
  ) as typeof handlers;
  victim = await activeCustomer(t, 'fuzz');
});
afterAll(async () => {
  saveReport();
  await t?.close();
});

// ---- events -------------------------------------------------------------------------------

interface Input {
  params: Record<string, string>;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The JWT subject the authorizer verified; null: no claims at all. */
  sub?: string | null;
}

/** Percent-encodes everything outside the unreserved set, as a client that escapes would. */
const escapeSegment = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

const isTextual = (contentType: string | undefined) =>
  !contentType || /^(text\/|application\/(.+\+)?(json|xml|x-www-form-urlencoded))/i.test(contentType);

/** The payload-2.0 event API Gateway would hand the function for this input. */
const eventFor = (route: Route, input: Input): GatewayEvent => {
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    escapeSegment(input.params[name] ?? ''),
  );
  const headers: Record<string, string> = { ...input.headers };
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  const bytes = input.body === undefined ? undefined : Buffer.from(input.body);
  const textual = isTextual(headers['content-type']);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers,
    queryStringParameters: input.query && Object.keys(input.query).length ? input.query : undefined,
    pathParameters: Object.keys(input.params).length ? input.params : undefined,
    body: bytes?.length ? (textual ? bytes.toString('utf8') : bytes.toString('base64')) : undefined,
    isBase64Encoded: Boolean(bytes?.length) && !textual,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'fuzz',
      },
      requestId: `fuzz-${now}`,
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(route.auth === 'token' && input.sub !== null
        ? {
            authorizer: {
              jwt: { claims: { sub: input.sub ?? '', iss: DEV_ISSUER, aud: DEV_AUDIENCE }, scopes: null },
            },
          }
        : {}),
    },
  } as GatewayEvent;
};

/** Routes that take no body (route 7) ignore one: any body is fine there. */
/** Routes whose operation declares a request body: any other body (a DELETE's, a claim's) is ignored. */
const takesBody = (route: Route) => {
  const operation = operations[route.id as keyof typeof operations];
  return operation.body !== undefined || operation.otherBody !== undefined;
};

const invoke = async (route: Route, input: Input): Promise<GatewayResult> => {
  figures.casesTried += 1;
  return handlers[route.function](eventFor(route, input), lambdaContext(`fuzz-${route.function}`, 29_000));
};

/** What every answer to a bad input must look like. */
const expectSafeAnswer = (
  route: Pick<Route, 'id'>,
  status: number,
  headers: Record<string, string | undefined>,
  body: string,
) => {
  expect(status, body).toBeLessThan(500);
  if (route.id === 'oauthCallback') {
    // The browser-facing callback answers an unusable state with its HTML page, never a redirect.
    if (status >= 400) expect(headers.location).toBeUndefined();
    return;
  }
  if (status >= 400) {
    expect(headers['content-type']).toContain('application/problem+json');
    const problem = JSON.parse(body) as { status: number; code: string; title: string };
    expect(problem.status).toBe(status);
    expect(problem.code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|Error:/);
  }
};

const lower = (h: Record<string, unknown> | undefined) =>
  Object.fromEntries(
    Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v === undefined ? undefined : String(v)]),
  );

// ---- arbitraries --------------------------------------------------------------------------

const nasty = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '..%2F..',
  '%2e%2e',
  '..\\..',
  '/etc/passwd',
  'a/../b',
  'a\u0000b',
  '\u0000',
  '\r\n',
  '\t',
  '\u202eevil',
  '\u200b',
  'ｆｕｌｌ',
  '😀',
  'é',
  'e\u0301',
  '\ud800',
  'A'.repeat(65),
  'A'.repeat(5000),
  '-1',
  '0',
  '1e3',
  '0x10',
  '99999999999999999999',
  '1.5',
  ' 1',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '${jndi:ldap://x}',
  "' OR 1=1 --",
  '<script>',
  '%00',
  '%',
  '%%',
  '\\u0000',
  'CUSTOMER#x',
  'IDEMPOTENCY#x',
];
const idArb = fc.oneof(
  fc.constantFrom(...nasty),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
  fc.integer({ min: -5, max: 2 ** 53 }).map(String),
  fc.uuid(),
);

/** Every value of the wrong type for any field: never a valid field value. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const validBodies: Partial<Record<string, Record<string, unknown>>> = {
  createAccount: {
    email: 'fuzz@example.com',
    firstName: 'Test',
    lastName: 'User',
    dateOfBirth: '1990-01-01',
    phoneNumber: '+442079460000',
    address: {
      addressFirstLine: '1 Test Street',
      city: 'London',
      countryIso3Code: 'GBR',
      postCode: 'EC1A 1BB',
    },
  },
  createBusinessProfile: {
    businessName: 'Fuzz Ltd',
    registrationNumber: '12144939',
    companyType: 'LIMITED',
    companyRole: 'OWNER',
    firstLevelCategory: 'CONSULTING_IT_BUSINESS_SERVICES',
    secondLevelCategory: 'DESIGN',
    address: {
      addressFirstLine: '1 Test Street',
      city: 'London',
      countryIso3Code: 'gbr',
      postCode: 'EC1A 1BB',
    },
  },
  updateProfile: { firstName: 'Test', lastName: 'User', dateOfBirth: '1990-01-01' },
  checkVerification: { sourceCurrencies: ['GBP'] },
  submitIdentityDocument: { type: 'CPF', uniqueIdentifier: '12345678901' },
  startLink: { returnUrl: 'http://localhost/ok' },
  linkWithCode: { code: 'abc' },
  createKycReview: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: 'http://localhost/ok' },
  refreshKycLink: { redirectUrl: 'http://localhost/ok' },
};

/** A valid body with one required field given a value of the wrong type. */
const nearValid = (id: string) => {
  const valid = validBodies[id];
  if (!valid) return fc.constant(undefined);
  return fc
    .tuple(fc.constantFrom(...Object.keys(valid)), wrongType)
    .map(([key, value]) => JSON.stringify({ ...valid, [key]: value }));
};

const bodyArb = (id: string) =>
  fc.oneof(
    { weight: 3, arbitrary: nearValid(id) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '{"a":',
        '[]',
        'null',
        '""',
        '{"__proto__":{"admin":true}}',
        '\ufeff{}',
        '{"email":"\u0000"}',
      ),
    },
  );

const contentTypeArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      'application/octet-stream',
      'APPLICATION/JSON',
      'application/problem+json',
      'json',
    ),
  },
);

/** Idempotency keys that are never valid (a valid key with a body the use case refuses is recorded by design). */
const badKeyArb = fc.oneof(
  fc.constant(''),
  fc.constant('k'.repeat(256)),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `key ${s}`),
  fc.constantFrom('é', '\u0000', 'a\tb'),
);

/**
 * Whose record a route is fuzzed on. A claim link takes no body and a valid call keeps the claim's
 * state by design, so the claim route is fuzzed on a well-formed customer id with no account: every
 * case must then be refused and write nothing (the successful claim is the integration tests').
 */
const NO_ACCOUNT = 'fuzz-no-account';
const subjectOf = (route: Route) => (route.id === 'createClaimLink' ? NO_ACCOUNT : victim.customerId);

const paramsFor = (route: Route, validIds: boolean) => {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const valid: Record<string, fc.Arbitrary<string>> = {
    customerId: fc.constant(subjectOf(route)),
    profileId: fc.constant(String(victim.profileId)),
    reviewId: fc.uuid(),
  };
  return fc.record(
    Object.fromEntries(
      names.map((n) => [
        n,
        validIds && valid[n]
          ? fc.oneof({ weight: 4, arbitrary: valid[n] }, { weight: 1, arbitrary: idArb })
          : idArb,
      ]),
    ),
  );
};

const inputArb = (route: Route): fc.Arbitrary<Input> => {
  const hasBody = route.method !== 'GET';
  return fc
    .record({
      validIds: fc.boolean(),
      body: hasBody ? fc.option(bodyArb(route.id), { nil: undefined, freq: 8 }) : fc.constant(undefined),
      contentType: contentTypeArb,
      key: fc.option(badKeyArb, { nil: undefined, freq: 4 }),
      subMatches: fc.nat(9),
      query: fc.dictionary(
        fc.constantFrom('state', 'code', 'profileId', 'error', 'error_description', 'x'),
        idArb,
        { maxKeys: 4 },
      ),
    })
    .chain((r) =>
      paramsFor(route, r.validIds).map((params): Input => ({
        params,
        body: r.body,
        contentType: r.contentType,
        headers: r.key === undefined ? {} : { 'idempotency-key': r.key },
        query: route.id === 'oauthCallback' ? r.query : undefined,
        // Mostly the customer themself, so the body is reached; sometimes a stranger or no claims.
        sub:
          r.subMatches < 8 ? (params.customerId ?? subjectOf(route)) : r.subMatches === 8 ? 'stranger' : null,
      })),
    );
};

// ---- in-process fuzzing --------------------------------------------------------------------

const webhookArb: fc.Arbitrary<Input> = fc.record({
  params: fc.constant({}),
  body: bodyArb('receiveWebhook'),
  contentType: contentTypeArb,
  headers: fc.oneof(
    fc.constant({}),
    fc.record({ 'x-signature-sha256': fc.oneof(fc.base64String({ maxLength: 400 }), idArb) }),
    fc.record({
      'x-signature-sha256': fc.base64String({ minLength: 340, maxLength: 344 }),
      'x-test-notification': fc.constantFrom('true', 'TRUE', '1'),
    }),
  ),
  sub: fc.constant(null),
});

describe('every route, fuzzed in-process', () => {
  for (const route of routes) {
    proves(
      'input.fuzz',
      `${route.method} ${route.path}: never a 5xx, always problem+json, nothing written`,
      async () => {
        // Prepare
        const before = await t.countItems();
        let tried = 0;
        let accepted = 0;

        // Act
        await fc.assert(
          fc.asyncProperty(route.id === 'receiveWebhook' ? webhookArb : inputArb(route), async (input) => {
            tried += 1;
            const res = await invoke(route, input);
            if (res.statusCode < 400) accepted += 1;
            // Assess (each case)
            expectSafeAnswer(route, res.statusCode, lower(res.headers), res.body ?? '');
            if (takesBody(route)) expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
          }),
          {
            numRuns: CASES_PER_ROUTE,
            interruptAfterTimeLimit: MS_PER_ROUTE,
            markInterruptAsFailure: false,
            seed: Date.now(),
          },
        );

        // Assess
        expect(tried).toBeGreaterThan(0);
        expect(await t.countItems()).toBe(before);
        if (takesBody(route)) expect(accepted).toBe(0);
      },
    );
  }
});

// ---- over HTTP -----------------------------------------------------------------------------

interface RawAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** A raw HTTP request: the path is sent byte for byte (fetch would normalise `..` and `%2e`). */
const raw = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    figures.casesTried += 1;
    figures.httpCases += 1;
    const url = new URL(t.stack.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: lower(res.headers as Record<string, unknown>),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const segmentArb = fc.oneof(
  idArb.map(escapeSegment),
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E%2E%2F',
    '..%2f..%2f',
    '%00',
    '%0d%0a',
    '%u002e',
    '%c0%ae%c0%ae',
    '%ff',
    '%',
  ),
);

describe('every route, fuzzed over HTTP through the gateway', () => {
  proves(
    'input.fuzz',
    `${HTTP_CASES} raw requests: never a 5xx, always problem+json, nothing written`,
    async () => {
      // Prepare
      const before = await t.countItems();
      const token = await t.stack.token(victim.customerId);
      const requestArb = fc.record({
        route: fc.constantFrom(...routes),
        segments: fc.array(segmentArb, { minLength: 3, maxLength: 3 }),
        body: bodyArb('createAccount'),
        contentType: contentTypeArb,
        auth: fc.constantFrom('victim', 'none', 'garbage'),
      });

      // Act
      await fc.assert(
        fc.asyncProperty(requestArb, async (r) => {
          const path = r.route.path
            .replace(
              '{customerId}',
              r.auth === 'victim' && r.segments[0]!.length % 2 === 0 ? subjectOf(r.route) : r.segments[0]!,
            )
            .replace('{profileId}', r.segments[1]!)
            .replace('{reviewId}', r.segments[2]!);
          const headers: Record<string, string> = {};
          if (r.contentType) headers['content-type'] = r.contentType;
          if (r.auth === 'victim') headers.authorization = `Bearer ${token}`;
          if (r.auth === 'garbage') headers.authorization = 'Bearer x.y.z';
          const answer = await raw(
            r.route.method,
            path,
            headers,
            r.route.method === 'GET' ? undefined : Buffer.from(r.body ?? ''),
          );
          // Assess (each case)
          expectSafeAnswer(r.route, answer.status, answer.headers, answer.body);
          if (takesBody(r.route)) expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: HTTP_CASES, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false },
      );

      // Assess
      expect(await t.countItems()).toBe(before);
    },
  );
});

describe('edge cases', () => {
  /** The victim's own token where a customer may call the route, else the partner backend's. */
  const bearer = async (route?: Route) => ({
    authorization: `Bearer ${
      route === undefined || (route.callers as readonly string[]).includes('customer')
        ? await t.stack.token(victim.customerId)
        : await t.stack.token(undefined, ADMIN_SCOPE)
    }`,
  });
  const createAccount = routes.find((r) => r.id === 'createAccount')!;

  proves(
    'input.edges',
    'oversized bodies: 413 PAYLOAD_TOO_LARGE from the route (64 KiB), the webhook route (256 KiB) and the gateway (10 MiB)',
    async () => {
      // Prepare
      const before = await t.countItems();
      const json = (bytes: number) => Buffer.from(JSON.stringify({ email: 'x'.repeat(bytes) }));

      // Act
      const route1 = await raw(
        'POST',
        accountPath(victim.customerId),
        { ...(await bearer(createAccount)), 'content-type': 'application/json' },
        json(64 * 1024),
      );
      const webhook = await raw(
        'POST',
        '/v1/webhooks/wise',
        { 'content-type': 'application/json' },
        json(300 * 1024),
      );
      const gateway = await raw(
        'POST',
        accountPath(victim.customerId),
        { ...(await bearer(createAccount)), 'content-type': 'application/json' },
        json(11 * 1024 * 1024),
      );

      // Assess
      for (const a of [route1, webhook, gateway]) {
        expect(a.status).toBe(413);
        expect(a.headers['content-type']).toContain('application/problem+json');
        expect(JSON.parse(a.body).code).toBe('PAYLOAD_TOO_LARGE');
      }
      expect(await t.countItems()).toBe(before);
    },
  );

  proves(
    'input.edges',
    'wrong content types: 415 UNSUPPORTED_MEDIA_TYPE on every partner POST/PUT that takes JSON, nothing written',
    async () => {
      // Prepare
      const before = await t.countItems();
      const writes = routes.filter(
        (r) => takesBody(r) && r.auth === 'token' && validBodies[r.id] !== undefined,
      );
      const path = (r: Route) =>
        r.path
          .replace('{customerId}', victim.customerId)
          .replace('{profileId}', String(victim.profileId))
          .replace('{reviewId}', '00000000-0000-4000-8000-000000000000');

      // Act
      const answers = await Promise.all(
        writes.flatMap((r) =>
          ['text/plain', 'application/xml', 'multipart/form-data; boundary=x'].map(async (type) => {
            const body = JSON.stringify(validBodies[r.id] ?? {});
            return {
              route: r.id,
              answer: await raw(
                r.method,
                path(r),
                { ...(await bearer(r)), 'content-type': type },
                Buffer.from(body),
              ),
            };
          }),
        ),
      );

      // Assess
      for (const { route, answer } of answers) {
        expect({ route, status: answer.status }).toEqual({ route, status: 415 });
        expect(JSON.parse(answer.body).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
      expect(await t.countItems()).toBe(before);
    },
  );

  proves(
    'input.edges',
    "traversal, control characters and unicode in ids: 400 (or the gateway's 404), never another customer's data",
    async () => {
      // Prepare
      const before = await t.countItems();
      const ids = [
        '..%2F..%2Fadmin',
        '%2e%2e',
        '..',
        '%00',
        'a%00b',
        '%0d%0aSet-Cookie:%20x',
        '%E2%80%AEevil',
        '%F0%9F%98%80',
        '%EF%BD%86',
        'e%CC%81',
        `${victim.customerId}%2F..%2F${victim.customerId}`,
        `${victim.customerId}%00`,
        `${victim.customerId}%20`,
        '%ff%fe',
        'A'.repeat(65),
      ];
      const adminToken = await t.stack.token(undefined, 'wise-onboarding/admin');

      // Act
      const answers = await Promise.all(
        ids.flatMap((id) => [
          raw('GET', `/v1/customers/${id}/wise-account`, { authorization: `Bearer ${adminToken}` }),
          raw('GET', `/v1/customers/${victim.customerId}/wise-account/profiles/${id}/kyc-reviews`, {
            authorization: `Bearer ${adminToken}`,
          }),
          raw(
            'GET',
            `/v1/customers/${victim.customerId}/wise-account/profiles/${victim.profileId}/kyc-reviews/${id}`,
            { authorization: `Bearer ${adminToken}` },
          ),
        ]),
      );

      // Assess
      for (const a of answers) {
        expect([400, 404]).toContain(a.status);
        expect(a.headers['content-type']).toContain('application/problem+json');
      }
      expect(await t.countItems()).toBe(before);
    },
  );
});

leakScanTest(() => t);
