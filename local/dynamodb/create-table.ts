import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { waitUntil } from '../../shared/runtime/wait';
import { tableDefinition, type IndexDefinition } from '../../shared/table';

/** How long DynamoDB Local may take to build an index added to a kept table. */
const INDEX_BUILD_MS = 60_000;

/** Creates the application table, its stream included, from the one table definition (the CDK stack reads it too). */
export const ensureTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const d = tableDefinition;
  const stream = { StreamEnabled: true, StreamViewType: d.stream.viewType };
  const indexKeySchema = (i: IndexDefinition) => [
    { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
    ...(i.sortKey ? [{ AttributeName: i.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const attributeDefinitions = (names: string[]) =>
    [...new Set(names)].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table kept under .local/ from before the stream existed: the stream consumers need it.
    if (!Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: stream }));
    }
    // A table kept under .local/ from an older version gains the indexes added since (one per update).
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of d.indexes.filter((i) => !existing.has(i.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions([
            index.partitionKey,
            ...(index.sortKey ? [index.sortKey] : []),
          ]),
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: index.name,
                KeySchema: indexKeySchema(index),
                Projection: { ProjectionType: 'KEYS_ONLY' },
              },
            },
          ],
        }),
      );
      // DynamoDB builds one new index at a time: the next update waits until this one is ACTIVE.
      const active = await waitUntil(
        async () => {
          const { Table: now } = await client.send(new DescribeTableCommand({ TableName: tableName }));
          const status = now?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.name)?.IndexStatus;
          return status === 'ACTIVE' ? true : undefined;
        },
        { every: 100, deadline: Date.now() + INDEX_BUILD_MS },
      );
      if (!active)
        throw new Error(`index ${index.name} of ${tableName} not ACTIVE after ${INDEX_BUILD_MS} ms`);
    }
    client.destroy();
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) {
      client.destroy();
      throw err;
    }
  }
  const attributes = [
    d.partitionKey,
    d.sortKey,
    ...d.indexes.flatMap((i) => [i.partitionKey, ...(i.sortKey ? [i.sortKey] : [])]),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions(attributes),
      KeySchema: [
        { AttributeName: d.partitionKey, KeyType: 'HASH' },
        { AttributeName: d.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: d.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: indexKeySchema(i),
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
      StreamSpecification: stream,
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: d.ttlAttribute, Enabled: true },
    }),
  );
  client.destroy();
};
