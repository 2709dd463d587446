import { createHash } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { referenceClientConfig } from './client-config';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The "webhook calls" row of the cold-start table: the reference (DynamoDB client + middy, no
 * product code, no zod, no logger, no signature check) making the one DynamoDB call the webhooks
 * function's first request makes — the event record's conditional put, with the event's data, as
 * shared/webhooks/webhook-delivery.ts writes it (storage-first: no owner lookup, no state write).
 * Between the reference (one GetItem) and this row lies what a put costs in a cold process; beyond
 * this row, what the product adds. A diagnostic only: the webhooks function's initRatio stays
 * against the reference.
 */
const client = new DynamoDBClient(referenceClientConfig());
const table = process.env.TABLE_NAME;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    const { data, event_type } = JSON.parse(raw) as { data: unknown; event_type: string };
    try {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: `WEBHOOK#${createHash('sha256').update(raw).digest('base64url')}` },
            sk: { S: 'EVENT' },
            status: { S: 'RECEIVED' },
            eventType: { S: event_type },
            payload: { S: JSON.stringify(data) },
            receivedAt: { N: String(Date.now()) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      return json(200, { result: 'duplicate' });
    }
    return json(200, { result: 'recorded' });
  },
);
