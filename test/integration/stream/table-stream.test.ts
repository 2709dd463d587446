import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../local/dynamodb/launcher';
import { ensureTable } from '../../../local/dynamodb/create-table';
import { tableDefinition } from '../../../shared/table';

/** The local table gets the stream the definition asks for, also when it was kept from before the stream existed. */
const client = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

afterAll(() => client.destroy());

const streamOf = async (name: string, on: DynamoDBClient = client) =>
  (await on.send(new DescribeTableCommand({ TableName: name }))).Table?.StreamSpecification;

describe('ensureTable and the table stream', () => {
  it('creates a new table with the stream of the definition', async () => {
    // Prepare
    const name = `stream-new-${randomUUID()}`;

    // Act
    await ensureTable(inject('dynamoEndpoint'), name);

    // Assess
    expect(await streamOf(name)).toEqual({
      StreamEnabled: true,
      StreamViewType: tableDefinition.stream.viewType,
    });
  });
});

/**
 * A table kept under .local from before the stream and the newer indexes existed, on a DynamoDB
 * Local of its own: in full runs the shared one, busy with the whole suite, left an index added to
 * an existing table CREATING for over a minute.
 */
describe('ensureTable on a table kept from an older version', () => {
  let dynamo: DynamoDbLocal;
  let own: DynamoDBClient;
  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({ port: 0 });
    own = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 120_000);
  afterAll(async () => {
    own?.destroy();
    await dynamo?.stop();
  });

  it('turns the stream on and builds the missing indexes, one at a time, for a table kept under .local from before they existed', async () => {
    // Prepare: the table as an earlier version created it.
    const name = `stream-old-${randomUUID()}`;
    await own.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );

    // Act
    await ensureTable(dynamo.endpoint, name);

    // Assess
    expect(await streamOf(name, own)).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const { Table } = await own.send(new DescribeTableCommand({ TableName: name }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual(
      tableDefinition.indexes.map((i) => [i.name, 'ACTIVE']).sort(),
    );
  });
});
