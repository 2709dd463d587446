import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { referenceClientConfig } from './client-config';

/**
 * The reference Lambda for cold starts: only the DynamoDB client and middy, serving one trivial
 * request (a GetItem against the same table), built with the same CDK bundling options as the
 * functions. Whatever the functions pay beyond this is what the product itself costs at cold start.
 */
const client = new DynamoDBClient(referenceClientConfig());

export const handler = middy(async () => {
  const out = await client.send(
    new GetItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: { S: 'REFERENCE' }, sk: { S: 'ITEM' } },
    }),
  );
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ found: out.Item !== undefined }),
  };
});
