import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One document client per container; `endpoint` points at DynamoDB Local outside AWS. */
export const createDocumentClient = (
  options: { endpoint?: string; region?: string } = {},
): DynamoDBDocumentClient => {
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? 'eu-west-1',
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
};

export interface Table {
  readonly db: DynamoDBDocumentClient;
  readonly name: string;
}

export const isConditionalCheckFailure = (err: unknown): boolean =>
  (err as { name?: string }).name === 'ConditionalCheckFailedException';

export const isTransactionConflict = (err: unknown): boolean =>
  (err as { name?: string }).name === 'TransactionCanceledException';
