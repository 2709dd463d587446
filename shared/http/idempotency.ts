import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailure, type Table } from '../store/dynamo';
import type { Clock } from '../ports/clock';
import { customerContext, DecryptionError, type Cipher } from '../ports/cipher';
import { DomainError, InProgressError, ValidationError } from '../errors/domain-error';
import {
  IDEMPOTENCY_WINDOW_SECONDS,
  STALE_IN_PROGRESS_MS,
  type IdempotencyOutcome,
  type IdempotencyStore,
  type StoredAnswer,
} from '../ports/idempotency';
import type { Answer } from './operation';

export { IDEMPOTENCY_WINDOW_SECONDS, type IdempotencyOutcome } from '../ports/idempotency';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The record's key on the table (also what erasure finds by gsi1). */
export const idempotencyItemKey = (customerId: string, key: string) =>
  ({ pk: `IDEMPOTENCY#${customerId}#${key}`, sk: 'REQUEST' }) as const;

/**
 * The {@link IdempotencyStore} port on the application table. It stores what it is given: the
 * record key and request hash are keyed digests, the answer sealed ({@link ReplayedAnswers}).
 * Records carry gsi1pk `IDEMPOTENCY_CUSTOMER#{customerId}` so that erasure finds them, and expire
 * with the table's TTL after {@link IDEMPOTENCY_WINDOW_SECONDS}.
 */
export class IdempotencyRecords implements IdempotencyStore {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async begin(customerId: string, key: string, requestHash: string): Promise<IdempotencyOutcome> {
    const now = this.clock.now();
    const itemKey = idempotencyItemKey(customerId, key);
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...itemKey,
            gsi1pk: `IDEMPOTENCY_CUSTOMER#${customerId}`,
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
    if (!item) return this.begin(customerId, key, requestHash);
    if (item.requestHash !== requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    }
    if (item.state !== 'COMPLETED' || typeof item.sealed !== 'string') {
      throw new InProgressError('IN_PROGRESS', {
        detail: 'A request with this Idempotency-Key is still in progress; retry shortly.',
      });
    }
    return { kind: 'replay', answer: { status: Number(item.answerStatus), sealed: item.sealed } };
  }

  async complete(customerId: string, key: string, answer: StoredAnswer): Promise<void> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: idempotencyItemKey(customerId, key),
          UpdateExpression: 'SET #s = :c, answerStatus = :status, sealed = :sealed',
          // A record that is gone (expired, erased) is not made again without its hash and expiry.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':c': 'COMPLETED',
            ':status': answer.status,
            ':sealed': answer.sealed,
          },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }

  async release(customerId: string, key: string): Promise<void> {
    await this.table.db.send(
      new DeleteCommand({ TableName: this.table.name, Key: idempotencyItemKey(customerId, key) }),
    );
  }
}

/** The HMAC key of the digests (the identity digests' key of the stack: shared/ports/identity.ts). */
export interface DigestKey {
  get(): Promise<Buffer>;
}

export interface AnswerProtection {
  readonly digestKey: DigestKey;
  readonly cipher: Cipher;
}

/** One partner POST with an Idempotency-Key, as the handler stack sees it. */
export interface ReplayRequest {
  readonly customerId: string;
  /** API Gateway's route key, e.g. `POST /v1/customers/{customerId}/wise-account/business-profiles`. */
  readonly routeKey: string;
  readonly path: string;
  readonly body: Buffer;
  /** The partner's Idempotency-Key header, checked with {@link ReplayedAnswers.validateKey}. */
  readonly idempotencyKey: string;
}

export type Replay =
  | { readonly kind: 'replay'; readonly answer: Answer }
  /** Run the request, then `finish` with its answer (`undefined`: it failed without one). */
  | { readonly kind: 'fresh'; finish(answer: Answer | undefined): Promise<void> };

/** The encryption-context purpose of a stored answer. */
export const STORED_ANSWER_PURPOSE = 'idempotent-answer';

const SCHEME = 'hmac-sha256:v1';
const SEAL_VERSION = 'v1';

/**
 * An answer that tells the caller to come back (409 IN_PROGRESS, 409 KYC_REVIEW_IN_PROGRESS, 429,
 * any 5xx, anything with Retry-After) is never stored: a replay would repeat "retry shortly" for
 * 24 hours while the work it waited for has long finished.
 */
export const isRetryableAnswer = (answer: Answer): boolean =>
  answer.status >= 500 ||
  answer.status === 429 ||
  Object.keys(answer.headers ?? {}).some((name) => name.toLowerCase() === 'retry-after');

/**
 * The Idempotency-Key protocol of `replayed` operations (PARTNER-API.md conventions): the first
 * answer for a key and request is stored and replayed; the same key with another request is 422;
 * a concurrent duplicate is 409 IN_PROGRESS. Nothing it stores can be read back without the
 * stack's keys:
 *
 * - the record key and the request hash are HMAC-SHA256 under the stack's digest key, bound to the
 *   customer and the route — a bare SHA-256 of route 6's body falls to a brute force of its 9-digit
 *   SSN from one table read;
 * - the answer is sealed with a fresh AES-256-GCM data key, itself encrypted by the cipher (KMS)
 *   under the customer's encryption context (any size: KMS alone takes 4 KiB), and bound to its
 *   record, so a sealed answer copied onto another record does not open.
 */
export class ReplayedAnswers {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly protection: AnswerProtection,
  ) {}

  static validateKey(key: string): void {
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError(
        [{ path: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }],
        'Idempotency-Key must be 1–255 printable ASCII characters.',
      );
    }
  }

  private async mac(purpose: string, parts: readonly (string | Buffer)[]): Promise<string> {
    const mac = createHmac('sha256', await this.protection.digestKey.get());
    // Length-prefixed parts: no two different part lists feed the same bytes.
    for (const part of [`wise-onboarding/idempotency/${purpose}`, ...parts]) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      mac.update(`${bytes.length}:`).update(bytes);
    }
    return mac.digest('base64url');
  }

  /** The record key and request hash of a request. */
  async digests(request: ReplayRequest): Promise<{ recordKey: string; requestHash: string }> {
    const { customerId, routeKey } = request;
    const [recordKey, requestHash] = await Promise.all([
      this.mac('record', [customerId, routeKey, request.idempotencyKey]),
      this.mac('request', [customerId, routeKey, request.path, request.body]),
    ]);
    return { recordKey, requestHash: `${SCHEME}:${requestHash}` };
  }

  async begin(request: ReplayRequest): Promise<Replay> {
    ReplayedAnswers.validateKey(request.idempotencyKey);
    const { customerId } = request;
    const { recordKey, requestHash } = await this.digests(request);
    const outcome = await this.store.begin(customerId, recordKey, requestHash);
    if (outcome.kind === 'replay') {
      try {
        return { kind: 'replay', answer: await this.open(customerId, recordKey, outcome.answer) };
      } catch (err) {
        if (!(err instanceof DecryptionError)) throw err;
        // Sealed under a key or context that no longer opens it: forget it, and run the request again.
        await this.store.release(customerId, recordKey);
        return this.begin(request);
      }
    }
    return {
      kind: 'fresh',
      finish: async (answer) => {
        if (answer === undefined || isRetryableAnswer(answer)) {
          await this.store.release(customerId, recordKey).catch(() => undefined);
          return;
        }
        try {
          await this.store.complete(customerId, recordKey, await this.seal(customerId, recordKey, answer));
        } catch {
          // The work is done and its answer is given; without a stored answer a retry runs the
          // (resumable) request again instead of hearing IN_PROGRESS until the record goes stale.
          await this.store.release(customerId, recordKey).catch(() => undefined);
        }
      },
    };
  }

  private async seal(customerId: string, recordKey: string, answer: Answer): Promise<StoredAnswer> {
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
    cipher.setAAD(Buffer.from(`${customerId}\u0000${recordKey}`, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
    const wrappedKey = await this.protection.cipher.encrypt(
      dataKey.toString('base64'),
      customerContext(customerId, STORED_ANSWER_PURPOSE),
    );
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    return { status: answer.status, sealed: `${SEAL_VERSION}.${wrappedKey}.${sealed}` };
  }

  private async open(customerId: string, recordKey: string, stored: StoredAnswer): Promise<Answer> {
    const [version, wrappedKey, sealed] = stored.sealed.split('.');
    if (version !== SEAL_VERSION || !wrappedKey || !sealed) throw new DecryptionError();
    const dataKey = Buffer.from(
      await this.protection.cipher.decrypt(wrappedKey, customerContext(customerId, STORED_ANSWER_PURPOSE)),
      'base64',
    );
    try {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${customerId}\u0000${recordKey}`, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(json) as Answer;
    } catch {
      throw new DecryptionError();
    }
  }
}
