import { DomainError, InProgressError } from '../../../shared/errors/domain-error';
import type { Clock } from '../../../shared/ports/clock';
import {
  IDEMPOTENCY_WINDOW_SECONDS,
  STALE_IN_PROGRESS_MS,
  type IdempotencyOutcome,
  type IdempotencyStore,
  type StoredAnswer,
} from '../../../shared/ports/idempotency';

interface IdempotencyRecord {
  requestHash: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  startedAt: number;
  /** Epoch seconds, as the table's TTL attribute. */
  expiresAt: number;
  /** The stored answer as JSON, so a replay is a copy as it is from DynamoDB. */
  answer?: string;
}

/**
 * The {@link IdempotencyStore} port in memory, with IdempotencyRecords' rules: a key is fresh when
 * unknown, expired, or left in progress for longer than {@link STALE_IN_PROGRESS_MS}; the same key
 * with another request hash is IDEMPOTENCY_KEY_REUSED; one still running is IN_PROGRESS; a
 * completed one replays its stored answer.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();

  constructor(private readonly clock: Clock) {}

  private static id(scope: string, key: string): string {
    return `${scope}\u0000${key}`;
  }

  async begin(scope: string, key: string, requestHash: string): Promise<IdempotencyOutcome> {
    const now = this.clock.now();
    const id = InMemoryIdempotencyStore.id(scope, key);
    const existing = this.records.get(id);
    const free =
      !existing ||
      (existing.state === 'IN_PROGRESS' && existing.startedAt < now - STALE_IN_PROGRESS_MS) ||
      existing.expiresAt < Math.floor(now / 1000);
    if (free) {
      this.records.set(id, {
        requestHash,
        state: 'IN_PROGRESS',
        startedAt: now,
        expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
      });
      return { kind: 'fresh' };
    }
    if (existing.requestHash !== requestHash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    if (existing.state !== 'COMPLETED' || existing.answer === undefined) {
      throw new InProgressError('IN_PROGRESS', {
        detail: 'A request with this Idempotency-Key is still in progress; retry shortly.',
      });
    }
    return { kind: 'replay', answer: JSON.parse(existing.answer) as StoredAnswer };
  }

  async complete(scope: string, key: string, answer: StoredAnswer): Promise<void> {
    const id = InMemoryIdempotencyStore.id(scope, key);
    // As the table's conditional update: a record that is gone (expired, erased) is not made again.
    const existing = this.records.get(id);
    if (!existing) return;
    this.records.set(id, { ...existing, state: 'COMPLETED', answer: JSON.stringify(answer) });
  }

  async release(scope: string, key: string): Promise<void> {
    this.records.delete(InMemoryIdempotencyStore.id(scope, key));
  }
}
