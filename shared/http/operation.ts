/**
 * The operation is the unit: one declaration per route holds everything about it — the route id
 * (method, path and callers come from shared/routes.ts), the schemas it parses, the answers it
 * gives, the problems it may answer, its summary — and a short `handle` that calls the use case.
 * The handler stack runs it; scripts/openapi-document.ts walks the same declarations, so nothing
 * about a route is written twice.
 */
import type * as z from '../zod';
import type { ProblemCode } from '../errors/catalogue';
import type { FunctionName, RouteId, RouteIdOf } from '../routes';
import type { Caller } from './caller';
import type { GatewayEvent } from './types';

/** A zod schema that becomes a named component of the OpenAPI document. */
export interface NamedSchema<S extends z.core.$ZodType = z.core.$ZodType> {
  readonly name: string;
  readonly schema: S;
}

export const named = <S extends z.core.$ZodType>(name: string, schema: S): NamedSchema<S> => ({
  name,
  schema,
});

/** Response headers the document knows how to describe. */
export type HeaderName = 'Retry-After' | 'Cache-Control' | 'Referrer-Policy' | 'Location';

/** A JSON answer (or an empty one, when `body` is absent: 204, 202). */
export interface JsonResponse<S extends z.core.$ZodType = z.core.$ZodType> {
  readonly description: string;
  readonly body?: NamedSchema<S>;
  readonly headers?: readonly HeaderName[];
}

/** An answer the document cannot derive (a redirect, an HTML page): written out as OpenAPI. */
export interface RawResponse {
  readonly raw: Record<string, unknown>;
}

export type ResponseSpec = JsonResponse | RawResponse;
export type Responses = Readonly<Partial<Record<number, ResponseSpec>>>;

/** What `handle` answers: one of the declared statuses, with the body its schema describes. */
export type AnswerOf<R extends Responses> = {
  [K in keyof R & number]: R[K] extends { raw: Record<string, unknown> }
    ? { status: K; rawBody?: string; headers?: Record<string, string> }
    : R[K] extends { body: NamedSchema<infer S> }
      ? { status: K; body: z.input<S>; headers?: Record<string, string> }
      : { status: K; headers?: Record<string, string> };
}[keyof R & number];

/** Any answer, as the handler stack sees it. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A raw (non-JSON) body such as an HTML page; `body` is ignored when set. */
  rawBody?: string;
}

export interface OperationRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The verified caller (routes with callers; absent on public routes). */
  caller?: Caller;
  event: GatewayEvent;
  requestId: string;
  /** Epoch ms by which calls to Wise must be done: the Lambda's remaining time less a margin, computed once. */
  deadline: number;
  header(name: string): string | undefined;
}

export interface OperationSpec<S, I extends RouteId, P, Q, B, R extends Responses> {
  readonly route: I;
  readonly summary: string;
  readonly description: string;
  /** The zod object `pathParameters` are parsed with. */
  readonly params?: z.core.$ZodType<P>;
  /** The zod object the query string is parsed with. */
  readonly query?: z.core.$ZodType<Q>;
  /** The JSON body's schema (parsed before `handle`). */
  readonly body?: NamedSchema<z.core.$ZodType<B>>;
  /** How the body is documented, when that is not `body` alone (the use case picks one schema of several). */
  readonly documentedBodies?: readonly NamedSchema[];
  /** A body that is not JSON (multipart), which `handle` parses itself: described as written here. */
  readonly otherBody?: { readonly required: boolean; readonly content: Record<string, unknown> };
  readonly maxBodyBytes?: number;
  /** `replayed`: the first answer for a key is stored and replayed; `ignored`: accepted, not stored (say why). */
  readonly idempotencyKey?: 'replayed' | 'ignored';
  readonly requestHeaders?: readonly Record<string, unknown>[];
  readonly responses: R;
  /** Every problem this operation may answer besides those the route itself implies (caller, params, body). */
  readonly problems: readonly ProblemCode[];
  readonly handle: (request: OperationRequest<P, Q, B>, services: S) => Promise<AnswerOf<NoInfer<R>>>;
}

/** An operation with its types erased, as lists, the handler stack and the document hold it. */
export interface Operation<S = any> {
  readonly route: RouteId;
  readonly summary: string;
  readonly description: string;
  readonly params?: z.core.$ZodType;
  readonly query?: z.core.$ZodType;
  readonly body?: NamedSchema;
  readonly documentedBodies?: readonly NamedSchema[];
  readonly otherBody?: { readonly required: boolean; readonly content: Record<string, unknown> };
  readonly maxBodyBytes?: number;
  readonly idempotencyKey?: 'replayed' | 'ignored';
  readonly requestHeaders?: readonly Record<string, unknown>[];
  readonly responses: Responses;
  readonly problems: readonly ProblemCode[];
  readonly handle: (request: OperationRequest<any, any, any>, services: S) => Promise<Answer>;
}

/**
 * Declares one operation over a function's services `S`.
 *
 * @example
 * const operation = operationOf<OnboardingServices>();
 * export const getAccount = operation({
 *   route: 'getAccount', summary: 'Read the stored account', description: '…',
 *   params: customerParams,
 *   responses: { 200: { description: 'The stored account.', body: account } },
 *   problems: ['CUSTOMER_NOT_FOUND'],
 *   handle: async ({ params }, { accounts }) => ({ status: 200, body: await readAccount(accounts, params.customerId) }),
 * });
 */
export const operationOf =
  <S>() =>
  <
    const R extends Responses,
    I extends RouteId,
    P = Record<string, never>,
    Q = Record<string, never>,
    B = undefined,
  >(
    spec: OperationSpec<S, I, P, Q, B, R>,
  ): Operation<S> & { readonly route: I } =>
    spec as unknown as Operation<S> & { readonly route: I };

/** Every route of function `F`, each by its own operation: a missing one does not compile. */
export type OperationsOf<F extends FunctionName, S> = {
  readonly [K in RouteIdOf<F>]: Operation<S> & { readonly route: K };
};

/** What any call to Wise may end in, when no use case maps it to something more specific. */
export const wiseCallProblems = [
  'WISE_REJECTED',
  'WISE_BAD_RESPONSE',
  'WISE_UNAVAILABLE',
] as const satisfies readonly ProblemCode[];

/** What a call to Wise with the customer's own tokens may end in. */
export const userTokenProblems = [
  'ACCOUNT_NOT_READY',
  'RELINK_REQUIRED',
  ...wiseCallProblems,
] as const satisfies readonly ProblemCode[];
