import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from '../../domain/partner-events';

/**
 * Unmarshalls an image attribute by attribute, leaving out one the SDK cannot read (DynamoDB
 * Local's stream renders an empty map as a value without a type): one odd attribute of another
 * writer must not block a customer's events.
 */
const tolerantUnmarshall = (image: Record<string, AttributeValue>): Record<string, unknown> => {
  try {
    return unmarshall(image);
  } catch {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(image)) {
      try {
        Object.assign(out, unmarshall({ [name]: value }));
      } catch {
        // left out
      }
    }
    return out;
  }
};

/** A stream record as an {@link ItemChange}: its keys, images (unmarshalled) and approximate time. */
export const itemChangeOf = (record: DynamoDBRecord): ItemChange | undefined => {
  const pk = record.dynamodb?.Keys?.pk?.S;
  const sk = record.dynamodb?.Keys?.sk?.S;
  if (!pk || !sk) return undefined;
  const image = (i: unknown) => (i ? tolerantUnmarshall(i as Record<string, AttributeValue>) : undefined);
  return {
    pk,
    sk,
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
    at: Math.round((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000),
  };
};
