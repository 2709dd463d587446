import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The reference bundles' DynamoDB client settings: the region, and DynamoDB Local when the bench points at it. */
export const referenceClientConfig = (): DynamoDBClientConfig => ({
  region: process.env.AWS_REGION ?? 'eu-west-1',
  ...(process.env.DYNAMODB_ENDPOINT
    ? {
        endpoint: process.env.DYNAMODB_ENDPOINT,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {}),
});
