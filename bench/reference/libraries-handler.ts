import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { referenceClientConfig } from './client-config';

/**
 * The "libraries" row of the cold-start table: the libraries this project is required to use
 * (DynamoDB document client, middy, zod — as zod/mini, the API shared/zod.ts gives the product —
 * and the Powertools logger) and nothing of the product, serving the reference's request (one read
 * of the same item) with the same CDK bundling options. Between the
 * reference and this row lies what the libraries cost; beyond this row, what the product code costs.
 * A diagnostic only: the functions' initRatio stays measured against the reference.
 */
const logger = new Logger({ serviceName: 'libraries' });

// Built exactly like the reference's client, then wrapped in the document client.
const db = DynamoDBDocumentClient.from(new DynamoDBClient(referenceClientConfig()));

const pathSchema = z.object({ customerId: z.string().check(z.minLength(1), z.maxLength(64)) });

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const params = pathSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) return json(400, { code: 'INVALID_PATH' });
    const out = await db.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'REFERENCE', sk: 'ITEM' } }),
    );
    logger.info('libraries request', { customerId: params.data.customerId, found: out.Item !== undefined });
    return json(200, { found: out.Item !== undefined });
  },
);
