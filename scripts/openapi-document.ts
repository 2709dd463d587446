/**
 * The partner API's OpenAPI 3.1 document, walked from the code rather than written beside it: the
 * route table (shared/routes.ts) gives methods, paths, authentication and callers; each route's
 * operation declaration (functions/operations.ts) gives its summary, the zod schemas it parses, the
 * answers it gives and the problems it may answer; the problem catalogue (shared/errors/catalogue.ts)
 * gives every code's status and meaning. Nothing about a route is written here, so the document
 * cannot say something the code does not do; `scripts/openapi.ts --check` fails when the committed
 * file lags behind.
 *
 * Lives in scripts/, not shared/: it imports from functions/*, and nothing here is ever bundled
 * into a Lambda.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { operations as allOperations, type OperationList } from '../functions/operations';
import { problemCatalogue, problemCodes, type ProblemCode } from '../shared/errors/catalogue';
import { IDEMPOTENCY_WINDOW_SECONDS } from '../shared/http/idempotency';
import type { HeaderName, NamedSchema, Operation } from '../shared/http/operation';
import { DEFAULT_MAX_BODY_BYTES } from '../shared/http/parse';
import type { ProblemBody } from '../shared/http/problem';
import { ADMIN_SCOPE, routes, type Route } from '../shared/routes';
import { MAX_WEBHOOK_BODY_BYTES } from '../shared/webhooks/webhook-delivery';

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect)
// ---------------------------------------------------------------------------------------------

export type JsonSchema = Record<string, unknown>;
export type SchemaIo = 'input' | 'output';

const formatOf: Record<string, string> = {
  email: 'email',
  url: 'uri',
  uuid: 'uuid',
  guid: 'uuid',
  datetime: 'date-time',
};

/**
 * JSON Schema of a zod schema. Requests are described by what the schema accepts (`input`),
 * responses by what it produces (`output`). zod renders the input side of `a.pipe(b)` as `a`
 * alone, which loses e.g. `format: email` from `z.string().trim().pipe(z.email())`; the format
 * (an annotation, not an assertion, in 2020-12) is put back so that partners' tools show it.
 * Refinements (date of birth in the past, state code for USA...) have no JSON Schema form: the
 * operation descriptions name them.
 */
export const jsonSchemaOf = (schema: z.core.$ZodType, io: SchemaIo): JsonSchema => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as {
        type: string;
        out?: z.core.$ZodType;
        catchall?: z.core.$ZodType;
      };
      // zod closes every plain object of an output; a response that gains a field later must not break
      // partners who validate against this document (strict and loose objects keep their own rule).
      if (io === 'output' && def.type === 'object' && def.catchall === undefined)
        delete ctx.jsonSchema.additionalProperties;
      if (io !== 'input' || def.type !== 'pipe' || !def.out) return;
      const out = def.out._zod.def as { type: string; format?: string; entries?: Record<string, string> };
      const format = out.format ? formatOf[out.format] : undefined;
      if (out.type === 'string' && format) ctx.jsonSchema.format = format;
      if (out.type === 'enum' && out.entries && ctx.jsonSchema.description === undefined) {
        ctx.jsonSchema.description = `One of ${Object.values(out.entries).join(', ')} (after normalisation).`;
      }
    },
  });
  return json as JsonSchema;
};

// ---------------------------------------------------------------------------------------------
// The answers every route shares
// ---------------------------------------------------------------------------------------------

/** RFC 9457 problem details, as shared/http/problem.ts builds them. */
export const problemSchema = z
  .object({
    type: z
      .string()
      .describe(
        'A URI naming the problem type: `https://wise-onboarding.dev/problems/<code in kebab case>`.',
      ),
    title: z.string().describe('The HTTP status text.'),
    status: z.number().int().min(400).max(599),
    detail: z.string().describe('For humans. Never carries a secret, a Wise token or a stack trace.'),
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .describe('Stable UPPER_SNAKE machine code to branch on; see the list in the API description.'),
    errors: z
      .array(
        z.object({
          path: z.string().describe('Dotted field path, e.g. `address.city`, or `(body)`.'),
          message: z.string(),
        }),
      )
      .optional()
      .describe('One entry per bad field (VALIDATION_FAILED and some Wise refusals).'),
  })
  .meta({ title: 'Problem' });

/** What API Gateway itself answers (JWT authorizer, throttling) before any function runs. */
const gatewayMessageSchema = z.object({ message: z.string() }).meta({ title: 'GatewayMessage' });

// The problem body is built by plain code, not parsed: this fails `tsc` when the two part ways.
type Assignable<From, To> = [From] extends [To] ? true : false;
type Same<A, B> = Assignable<A, B> extends true ? Assignable<B, A> : false;
type Holds<T extends true> = T;
export type _ProblemSchemaMatchesTheCode = Holds<Same<ProblemBody, z.infer<typeof problemSchema>>>;

// ---------------------------------------------------------------------------------------------
// Assembling the document
// ---------------------------------------------------------------------------------------------

const SECURITY_SCHEME = 'partnerJwt';
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** The JSON bodies a route is documented with: its declared ones, else the one the stack parses. */
const jsonBodiesOf = (operation: Operation): readonly NamedSchema[] =>
  operation.documentedBodies ?? (operation.body ? [operation.body] : []);

/**
 * The problem codes a route can answer: its operation's own list, and those the handler stack
 * answers for it (shared/http/handler-stack.ts): the caller guard, input parsing, Idempotency-Key
 * replay and unexpected failures.
 */
export const problemCodesOf = (route: Route, operation: Operation): ProblemCode[] => {
  const codes = new Set<ProblemCode>(operation.problems);
  const add = (...more: ProblemCode[]) => more.forEach((c) => codes.add(c));
  // The public routes answer only what they list: the callback answers HTML pages, the webhook its own codes.
  if (route.callers.length === 0) return [...codes];
  // The caller guard: a token (401), a caller that may act (403), a well-formed customerId (400);
  // a bare 500 for what nothing mapped, and 503 when the table, KMS or Secrets Manager fail.
  add('UNAUTHORIZED', 'FORBIDDEN', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE');
  if (pathPlaceholders(route.path).includes('customerId')) add('VALIDATION_FAILED');
  if (operation.params || operation.query) add('VALIDATION_FAILED');
  if (jsonBodiesOf(operation).length > 0)
    add('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (operation.idempotencyKey === 'replayed') add('IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED');
  return [...codes];
};

const retriesAfter = (code: ProblemCode): boolean => {
  const spec = problemCatalogue[code];
  return 'retryAfter' in spec && spec.retryAfter;
};

/** One problem+json response for all of a route's codes that share a status. */
const problemResponse = (
  status: number,
  codes: readonly ProblemCode[],
  route: Route,
): Record<string, unknown> => {
  const sorted = [...codes].sort();
  const headers: Record<string, unknown> = {};
  const retrying = sorted.filter(retriesAfter);
  if (retrying.length > 0) {
    headers['Retry-After'] = {
      $ref: '#/components/headers/RetryAfter',
    };
  }
  if (sorted.includes('UNAUTHORIZED'))
    headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWWAuthenticate' };
  const lines = sorted.map((c) => `- \`${c}\`: ${problemCatalogue[c].meaning}`);
  const content: Record<string, unknown> = { 'application/problem+json': { schema: PROBLEM_REF } };
  let note = '';
  if (status === 401 && route.auth === 'token') {
    // In AWS the JWT authorizer refuses a bad token before the function runs, with its own body.
    content['application/json'] = { schema: { $ref: '#/components/schemas/GatewayMessage' } };
    note =
      '\n\nIn AWS, API Gateway\'s JWT authorizer answers a missing or invalid token itself: `application/json` `{ "message": "Unauthorized" }`.';
  }
  if (retrying.length > 0)
    note += `\n\n\`Retry-After\` (seconds) comes with ${retrying.map((c) => `\`${c}\``).join(', ')}.`;
  return {
    description: `${lines.join('\n')}${note}`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content,
    'x-problem-codes': sorted,
  };
};

/** Whether a body schema accepts an empty request. Some refinements throw on a missing body instead of failing. */
const acceptsNoBody = (schema: z.core.$ZodType): boolean => {
  try {
    return z.safeParse(schema, undefined).success;
  } catch {
    return false;
  }
};

/** The `{name}` placeholders of an API Gateway path, in order. */
export const pathPlaceholders = (path: string): string[] =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);

/** The success-response headers an operation may name (shared/http/operation.ts `HeaderName`). */
const responseHeaders: Record<HeaderName, Record<string, unknown>> = {
  'Retry-After': { $ref: '#/components/headers/RetryAfter' },
  'Cache-Control': { $ref: '#/components/headers/CacheControlNoStore' },
  'Referrer-Policy': { $ref: '#/components/headers/ReferrerPolicyNoReferrer' },
  Location: {
    description: 'Where the answer points to.',
    required: true,
    schema: { type: 'string', format: 'uri' },
  },
};

const headerRefs = (names: readonly HeaderName[]) =>
  Object.fromEntries(names.map((n) => [n, responseHeaders[n]]));

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: Record<string, unknown>;
  servers: Record<string, unknown>[];
  tags: Record<string, unknown>[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, unknown>;
    parameters: Record<string, unknown>;
    headers: Record<string, unknown>;
    responses: Record<string, unknown>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  security: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }>; description?: string };
  responses: Record<string, Record<string, unknown>>;
}

/** Registers a named schema as a component and answers its `$ref`. */
type Register = (schema: NamedSchema, io: SchemaIo) => { $ref: string };

/** The OpenAPI operation of one route, from its operation declaration. */
const openApiOperationOf = (route: Route, operation: Operation, register: Register): OpenApiOperation => {
  if (operation.route !== route.id)
    throw new Error(`${route.id}: the operation declares route ${operation.route}`);
  const parameters: Record<string, unknown>[] = [];
  if (operation.params) {
    const json = jsonSchemaOf(operation.params, 'input') as { properties?: Record<string, JsonSchema> };
    for (const name of pathPlaceholders(route.path)) {
      const schema = json.properties?.[name];
      if (!schema) throw new Error(`${route.id}: no schema for path parameter ${name}`);
      parameters.push({ name, in: 'path', required: true, schema });
    }
  } else if (pathPlaceholders(route.path).length > 0) {
    throw new Error(`${route.id}: path parameters without a schema`);
  }
  if (operation.query) {
    const json = jsonSchemaOf(operation.query, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      parameters.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema });
    }
  }
  if (operation.idempotencyKey) {
    parameters.push({
      $ref:
        operation.idempotencyKey === 'replayed'
          ? '#/components/parameters/IdempotencyKey'
          : '#/components/parameters/IdempotencyKeyIgnored',
    });
  }
  parameters.push(...(operation.requestHeaders ?? []));

  let requestBody: OpenApiOperation['requestBody'];
  const bodies = jsonBodiesOf(operation);
  if (bodies.length > 0) {
    const refs = bodies.map((b) => register(b, 'input'));
    // The body is optional exactly when the handler's schema accepts no body at all.
    const required = bodies.every((b) => !acceptsNoBody(b.schema));
    requestBody = {
      required,
      content: {
        'application/json': { schema: refs.length === 1 ? (refs[0] as JsonSchema) : { anyOf: refs } },
      },
    };
  } else if (operation.otherBody) {
    requestBody = {
      required: operation.otherBody.required,
      content: operation.otherBody.content as Record<string, { schema: JsonSchema }>,
    };
  }

  const responses: OpenApiOperation['responses'] = {};
  for (const [status, answer] of Object.entries(operation.responses)) {
    if (!answer) continue;
    responses[status] =
      'raw' in answer
        ? answer.raw
        : {
            description: answer.description,
            ...(answer.headers ? { headers: headerRefs(answer.headers) } : {}),
            ...(answer.body
              ? { content: { 'application/json': { schema: register(answer.body, 'output') } } }
              : {}),
          };
  }
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemCodesOf(route, operation)) {
    const { status } = problemCatalogue[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    // Route 9 answers its own errors with HTML pages, declared as raw responses.
    if (responses[status]) throw new Error(`${route.id}: status ${status} documented twice`);
    responses[status] = problemResponse(status, codes, route);
  }
  // A route's own 429 (route 10's TOO_MANY_ATTEMPTS) is documented as its problem; the gateway's throttling otherwise.
  responses['429'] ??= { $ref: '#/components/responses/GatewayThrottled' };
  const ordered = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));

  return {
    operationId: route.id,
    tags: [route.function],
    summary: operation.summary,
    description: operation.description,
    security: route.auth === 'token' ? [{ [SECURITY_SCHEME]: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: ordered,
  };
};

const packageVersion = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
};

/** The catalogue's rows for the codes the routes answer, in the catalogue's order. */
const codeTable = (answered: ReadonlySet<ProblemCode>): string =>
  problemCodes
    .filter((code) => answered.has(code))
    .map((code) => `| \`${code}\` | ${problemCatalogue[code].status} | ${problemCatalogue[code].meaning} |`)
    .join('\n');

const infoDescription = (
  answered: ReadonlySet<ProblemCode>,
): string => `Bring a bank's customers onto Wise: create Wise accounts from the partner's KYC data, link existing Wise accounts (OAuth), receive Wise's webhooks and run Wise's hosted KYC.

## Authentication
Partner routes need \`Authorization: Bearer <JWT>\` from the partner's identity provider (in AWS: API Gateway's JWT authorizer, issuer and audience from the stack configuration). A caller may act on \`{customerId}\` when the token's \`sub\` equals it, or when its \`scope\` (or \`scp\`) claim contains \`${ADMIN_SCOPE}\` (the partner's back office). Otherwise 403 \`FORBIDDEN\`, the same answer whether or not the customer exists. A missing or invalid token: 401. \`customerId\` is the partner's own id, \`^[A-Za-z0-9_.-]{1,64}$\`, otherwise 400. The OAuth callback and the Wise webhook route are public.

## Retries and Idempotency-Key
Every POST is safe to retry: the flows are resumable state machines. On the POSTs that document an \`Idempotency-Key\` header as replayed, a key (1–255 printable ASCII characters, scoped to the customer and route) returns the first response for the same key and body for ${IDEMPOTENCY_WINDOW_SECONDS / 3600} hours; the same key with a different body is 422 \`IDEMPOTENCY_KEY_REUSED\`, and a duplicate sent while the first is still running is 409 \`IN_PROGRESS\` with \`Retry-After\`. The claim-link, KYC-review, KYC-link and requirement-submission POSTs accept the header but do not store their answers (most carry short-lived bearer links; each operation says why): retrying them is safe without it.

## Errors
Every error of the JSON routes is RFC 9457 \`application/problem+json\` (schema \`Problem\`) with a stable machine \`code\`. No stack traces, secrets or Wise tokens appear in any body. The codes:

| code | status | meaning |
|---|---|---|
${codeTable(answered)}

## Wise outages
Wise 5xx, 429 and timeouts are retried with backoff inside the request budget. If Wise still fails: 503 \`WISE_UNAVAILABLE\` with \`Retry-After\` (seconds); nothing already done is lost or redone, so the same request can simply be sent again.

## Limits and headers
JSON request bodies are limited to ${DEFAULT_MAX_BODY_BYTES / 1024} KiB (Wise webhooks: ${MAX_WEBHOOK_BODY_BYTES / 1024} KiB), else 413. Every answer carries \`Cache-Control: no-store\`. API Gateway itself may answer before any function runs: 401 from the JWT authorizer and 429 when the stage's throttling limits are exceeded, both as \`{ "message": "..." }\`.`;

/**
 * The document, built in memory from the route table and the operations (every route's, by
 * default). Pure apart from reading package.json's version.
 */
export const buildOpenApiDocument = (operations: OperationList = allOperations): OpenApiDocument => {
  const schemas: Record<string, JsonSchema> = {};
  const register: Register = ({ name, schema }, io) => {
    const json = jsonSchemaOf(schema, io);
    const existing = schemas[name];
    // Two different schemas under one name would silently document the wrong one.
    if (existing && JSON.stringify(existing) !== JSON.stringify(json))
      throw new Error(`two different schemas are named ${name}`);
    schemas[name] = json;
    return { $ref: `#/components/schemas/${name}` };
  };
  register({ name: 'Problem', schema: problemSchema }, 'output');
  register({ name: 'GatewayMessage', schema: gatewayMessageSchema }, 'output');

  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const answered = new Set<ProblemCode>();
  for (const route of routes) {
    const operation: Operation | undefined = operations[route.id];
    if (!operation) throw new Error(`${route.id}: no operation declares this route`);
    problemCodesOf(route, operation).forEach((code) => answered.add(code));
    (paths[route.path] ??= {})[route.method.toLowerCase()] = openApiOperationOf(route, operation, register);
  }

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'wise-onboarding partner API',
      version: packageVersion(),
      description: infoDescription(answered),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      {
        url: 'http://localhost:3000',
        description: 'The local stack (`npm start`); tokens from `POST /local/token`.',
      },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stack (the `$default` stage is served at the root).',
        variables: {
          apiId: { default: 'apiId', description: 'The HTTP API id (stack output).' },
          region: { default: 'eu-west-1' },
        },
      },
    ],
    tags: [
      {
        name: 'onboarding',
        description: "Create Wise accounts and profiles from the partner's KYC data (routes 1–7).",
      },
      { name: 'oauth', description: 'Link an existing Wise account (routes 8–10).' },
      { name: 'webhooks', description: "Wise's webhook deliveries (route 11)." },
      {
        name: 'kyc-reviews',
        description: "Wise's hosted KYC (routes 12–15) and API requirement submission.",
      },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `A JWT from the partner's identity provider. \`sub\` is the customerId the caller may act on; the scope \`${ADMIN_SCOPE}\` may act on any customer.`,
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: `Replays the first response for the same key and body for ${IDEMPOTENCY_WINDOW_SECONDS / 3600} hours; a different body: 422 \`IDEMPOTENCY_KEY_REUSED\`; while the first is running: 409 \`IN_PROGRESS\`.`,
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
        IdempotencyKeyIgnored: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Accepted and not stored: this route does not replay answers (its description says why). Retrying without it is safe.',
          schema: { type: 'string' },
        },
      },
      headers: {
        RetryAfter: {
          description: 'Seconds to wait before retrying.',
          schema: { type: 'integer', minimum: 1 },
        },
        WWWAuthenticate: { description: '`Bearer`.', schema: { type: 'string' } },
        CacheControlNoStore: {
          description: 'Always `no-store`.',
          schema: { type: 'string', const: 'no-store' },
        },
        ReferrerPolicyNoReferrer: {
          description: 'Always `no-referrer`.',
          schema: { type: 'string', const: 'no-referrer' },
        },
      },
      responses: {
        GatewayThrottled: {
          description: "API Gateway's stage throttling refused the request before any function ran.",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/GatewayMessage' } } },
        },
      },
    },
  };
};
