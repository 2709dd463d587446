import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dedupKeyOf } from '../shared/webhooks/webhook-event';
import type { BenchEnvironment } from './environment';
import { expectStatus, invoke, webhookEvent } from './scenarios';

let sequence = 0;

/**
 * The stream batch a fresh projection container gets for one delivery: the delivery is recorded
 * first, by the webhooks handler (untimed), and its record's insert is handed over as Lambda hands
 * it (one INSERT record with the new image). Its first invocation then makes the projection's
 * calls for real: the owner query, the state update, the outcome update.
 */
export const recordedEventBatch = async (
  env: BenchEnvironment,
  profileId: number,
  occurredAt: number,
  verified: boolean,
): Promise<DynamoDBStreamEvent> => {
  const delivery = webhookEvent(env, profileId, occurredAt, verified);
  expectStatus('record for the projection', await invoke(env, 'webhooks', delivery), 200);
  const key = { pk: `WEBHOOK#${dedupKeyOf(JSON.parse(delivery.body ?? '{}'))}`, sk: 'EVENT' };
  const item = (
    await env.table.db.send(new GetCommand({ TableName: env.tableName, Key: key, ConsistentRead: true }))
  ).Item;
  if (!item) throw new Error('the delivery was not recorded');
  return {
    Records: [
      {
        eventID: `bench-${++sequence}`,
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'eu-west-1',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: marshall(key) as never,
          NewImage: marshall(item, { removeUndefinedValues: true }) as never,
          SequenceNumber: String(sequence).padStart(21, '0'),
          SizeBytes: 512,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: `arn:aws:dynamodb:eu-west-1:000000000000:table/${env.tableName}/stream/bench`,
      },
    ],
  };
};
