import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { KMSInternalException, NotFoundException } from '@aws-sdk/client-kms';
import { GetParameterError } from '@aws-lambda-powertools/parameters';
import { describe, expect, it } from 'vitest';
import { isDependencyOutage } from '../../../shared/errors/dependency-outage';
import { answerOfError } from '../../../shared/http/handler-stack';

/**
 * Issue 18, item 6: the product's own store, key service and secret store throttling or failing
 * answer 503 with Retry-After (as Wise's outages do), never a bare 500.
 */
const $metadata = { httpStatusCode: 400 };

describe('the product’s dependencies failing', () => {
  it.each([
    ['DynamoDB throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata })],
    ['KMS failing', new KMSInternalException({ message: 'oops', $metadata: { httpStatusCode: 500 } })],
    ['KMS throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata })],
    [
      'the store unreachable',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    ],
    [
      'Secrets Manager throttling, wrapped by Powertools',
      new GetParameterError('x', {
        cause: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      }),
    ],
    [
      'a transaction cancelled by throttling',
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata,
        CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
      }),
    ],
  ])('%s: 503 SERVICE_UNAVAILABLE with Retry-After, no detail of the cause', (_name, err) => {
    // Act
    const answer = answerOfError(err);

    // Assess
    expect(isDependencyOutage(err)).toBe(true);
    expect(answer.status).toBe(503);
    expect(answer.headers?.['Retry-After']).toBe('1');
    expect(answer.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|Rate exceeded|slow down|127\.0\.0\.1/);
  });

  it.each([
    ['a failed condition', new ConditionalCheckFailedException({ message: 'no', $metadata })],
    [
      'a transaction cancelled by a condition',
      new TransactionCanceledException({
        message: 'c',
        $metadata,
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'ThrottlingError' }],
      }),
    ],
    ['a missing KMS key (a configuration fault)', new NotFoundException({ message: 'no key', $metadata })],
    ['a bug', new TypeError('x is undefined')],
  ])('%s stays what it is (a bare 500 when nothing maps it)', (_name, err) => {
    // Act + Assess
    expect(isDependencyOutage(err)).toBe(false);
    expect(answerOfError(err).status).toBe(500);
  });
});
