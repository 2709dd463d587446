import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** The event API Gateway (HTTP API, payload 2.0) hands a function, with the JWT authorizer's claims. */
export type GatewayEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: {
      jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] | null };
    };
  };
};

export type GatewayResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

export type LambdaHandler = (event: GatewayEvent, context: Context) => Promise<GatewayResult>;

/** What a use case answers; the stack turns it into an HTTP response. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A raw (non-JSON) body such as an HTML page; `body` is ignored when set. */
  rawBody?: string;
}
