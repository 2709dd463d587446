import { createHash } from 'node:crypto';
import {
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { referenceClientConfig } from './client-config';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The "webhook calls" row of the cold-start table: the reference (DynamoDB client + middy, no
 * product code, no zod, no logger, no signature check) making the DynamoDB calls the webhooks
 * function's first request needs for a verification event — the owner lookup on gsi1 (a fresh
 * container remembers no owner), then the event record and the state update issued together, as
 * shared/webhooks/webhook-delivery.ts issues them. Between the reference (one GetItem) and this
 * row lies what the webhook's own table work costs in a cold process; beyond this row, what the
 * product adds. A diagnostic only: the webhooks function's initRatio stays against the reference.
 */
const client = new DynamoDBClient(referenceClientConfig());
const table = process.env.TABLE_NAME;

interface VerificationEvent {
  data: { resource: { id: number }; current_state: string; occurred_at: string };
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const { data } = JSON.parse(raw) as VerificationEvent;
  const occurredAt = Date.parse(data.occurred_at);
  const owner = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :k',
      ExpressionAttributeValues: { ':k': { S: `PROFILE#${data.resource.id}` } },
      Limit: 1,
    }),
  );
  const customerPk = owner.Items?.[0]?.pk?.S;
  if (!customerPk) return json(200, { result: 'unmatched' });
  const refused = (err: { name?: string }) => {
    if (err.name !== 'ConditionalCheckFailedException') throw err;
  };
  await Promise.all([
    client
      .send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: `WEBHOOK#${createHash('sha256').update(raw).digest('base64url')}` },
            sk: { S: 'EVENT' },
            status: { S: 'APPLIED' },
            receivedAt: { N: String(Date.now()) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch(refused),
    client
      .send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: customerPk }, sk: { S: `PROFILE#${data.resource.id}` } },
          UpdateExpression: 'SET verification = :v, verificationOccurredAt = :t',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(verificationOccurredAt) OR verificationOccurredAt < :t)',
          ExpressionAttributeValues: { ':v': { S: data.current_state }, ':t': { N: String(occurredAt) } },
        }),
      )
      .catch(refused),
  ]);
  return json(200, { result: 'applied' });
});
