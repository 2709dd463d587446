import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../../local/dynamodb/create-table';
import { tableDefinition } from '../../../shared/table';

/** The local table gets the stream the definition asks for, also when it was kept from before the stream existed. */
const client = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

afterAll(() => client.destroy());

const streamOf = async (name: string) =>
  (await client.send(new DescribeTableCommand({ TableName: name }))).Table?.StreamSpecification;

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

  it('turns the stream on and builds the missing indexes, one at a time, for a table kept under .local from before they existed', async () => {
    // Prepare: the table as an earlier version created it.
    const name = `stream-old-${randomUUID()}`;
    await client.send(
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
    await ensureTable(inject('dynamoEndpoint'), name);

    // Assess
    expect(await streamOf(name)).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual(
      tableDefinition.indexes.map((i) => [i.name, 'ACTIVE']).sort(),
    );
    // DynamoDB Local builds an added index in the background, slowly when the whole suite keeps it busy.
  }, 120_000);
});
