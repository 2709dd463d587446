import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** A stream record's new image as plain values (numbers as numbers), as the item reads from the table. */
export const newImageOf = (record: DynamoDBRecord): Record<string, unknown> | undefined => {
  const image = record.dynamodb?.NewImage;
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
};
