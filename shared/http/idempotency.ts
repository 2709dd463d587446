import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import type { Clock } from '../ports/clock';
import { DomainError, InProgressError, ValidationError } from '../errors/domain-error';
import {
  IDEMPOTENCY_WINDOW_SECONDS,
  STALE_IN_PROGRESS_MS,
  type IdempotencyOutcome,
  type IdempotencyStore,
} from '../ports/idempotency';
import type { HttpResult } from './types';

export { IDEMPOTENCY_WINDOW_SECONDS, type IdempotencyOutcome } from '../ports/idempotency';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` for partner POSTs: the first response for a key and body is stored and
 * replayed; the same key with another body is 422; a concurrent duplicate is 409 IN_PROGRESS
 * (never a 500). Written here rather than with Powertools idempotency because the key is
 * partner-supplied and scoped to the customer, and concurrent duplicates must map to 409.
 */
export class IdempotencyRecords implements IdempotencyStore {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  static validateKey(key: string): void {
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError(
        [{ path: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }],
        'Idempotency-Key must be 1–255 printable ASCII characters.',
      );
    }
  }

  static hash(parts: string[]): string {
    return createHash('sha256').update(parts.join('\u0000')).digest('base64url');
  }

  private keyOf(scope: string, key: string) {
    return { pk: `IDEMPOTENCY#${scope}#${IdempotencyRecords.hash([key])}`, sk: 'REQUEST' };
  }

  async begin(scope: string, key: string, requestHash: string): Promise<IdempotencyOutcome> {
    const now = this.clock.now();
    const itemKey = this.keyOf(scope, key);
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...itemKey,
            requestHash,
            state: 'IN_PROGRESS',
            startedAt: now,
            expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR (#s = :p AND startedAt < :stale) OR expiresAt < :nowSec',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':p': 'IN_PROGRESS',
            ':stale': now - STALE_IN_PROGRESS_MS,
            ':nowSec': Math.floor(now / 1000),
          },
        }),
      );
      return { kind: 'fresh' };
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
    const existing = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: itemKey, ConsistentRead: true }),
    );
    const item = existing.Item;
    if (!item) return this.begin(scope, key, requestHash);
    if (item.requestHash !== requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    }
    if (item.state !== 'COMPLETED') {
      throw new InProgressError('IN_PROGRESS', {
        detail: 'A request with this Idempotency-Key is still in progress; retry shortly.',
      });
    }
    return { kind: 'replay', result: JSON.parse(item.result as string) as HttpResult };
  }

  async complete(scope: string, key: string, result: HttpResult): Promise<void> {
    await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: this.keyOf(scope, key),
        UpdateExpression: 'SET #s = :c, #r = :r',
        ExpressionAttributeNames: { '#s': 'state', '#r': 'result' },
        ExpressionAttributeValues: { ':c': 'COMPLETED', ':r': JSON.stringify(result) },
      }),
    );
  }

  /** A request that failed on our side (5xx) leaves no record, so the partner's retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.table.db.send(new DeleteCommand({ TableName: this.table.name, Key: this.keyOf(scope, key) }));
  }
}
