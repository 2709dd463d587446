import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/ports/clock';
import {
  CODE_ATTEMPT_WINDOW_MS,
  MAX_FAILED_CODES,
  type AttemptTaken,
  type CodeAttempts,
} from '../../../shared/ports/code-attempts';

/**
 * The {@link CodeAttempts} port in memory, with LeasedCodeAttempts' rules: at most
 * {@link MAX_FAILED_CODES} attempts held per customer, each for an hour from when it was taken by
 * the given clock; one given back no longer counts; when all are held, the seconds until the
 * oldest lapses.
 */
export class InMemoryCodeAttempts implements CodeAttempts {
  readonly held = new Map<string, Map<string, number>>();

  constructor(private readonly clock: Clock) {}

  private of(customerId: string): Map<string, number> {
    let attempts = this.held.get(customerId);
    if (!attempts) this.held.set(customerId, (attempts = new Map()));
    const now = this.clock.now();
    for (const [id, until] of attempts) if (until < now) attempts.delete(id);
    return attempts;
  }

  async take(customerId: string): Promise<AttemptTaken> {
    const attempts = this.of(customerId);
    if (attempts.size >= MAX_FAILED_CODES) {
      const soonest = Math.min(...attempts.values());
      return {
        kind: 'exhausted',
        retryAfterSeconds: Math.max(1, Math.ceil((soonest - this.clock.now()) / 1000)),
      };
    }
    const attempt = randomUUID();
    attempts.set(attempt, this.clock.now() + CODE_ATTEMPT_WINDOW_MS);
    return { kind: 'taken', attempt };
  }

  async giveBack(customerId: string, attempt: string): Promise<void> {
    this.of(customerId).delete(attempt);
  }
}
