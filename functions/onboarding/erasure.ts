import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError } from '../../shared/errors/domain-error';
import { auditSk, type AuditActor, type AuditTrail } from '../../shared/ports/audit';
import type { CustomerErasure } from '../../shared/ports/erasure';

export interface ErasurePorts {
  audit: Pick<AuditTrail, 'list' | 'record'>;
  erasure: CustomerErasure;
  logger: Logger;
}

/**
 * Route 23, done within the request: the `customer.erased` tombstone is recorded first, then every
 * item of the customer is deleted, and its older audit events with them. A customer with hundreds
 * of items takes a few dozen batch writes, well inside the budget; if the deadline still comes
 * first, the answer is 503 and the repeat carries on (the tombstone is found again, not doubled).
 * Only events older than the tombstone go: of two erasures racing, the later tombstone stays, and
 * whatever is recorded after it (a new signup) is not erased.
 */
export class Erasure {
  constructor(private readonly ports: ErasurePorts) {}

  async erase(customerId: string, actor: AuditActor, deadline: number): Promise<void> {
    const { audit, erasure, logger } = this.ports;
    const newest = (await audit.list(customerId, { limit: 1 })).items[0];
    const tombstone =
      newest?.action === 'customer.erased'
        ? newest
        : await audit.record(customerId, { action: 'customer.erased', actor });
    const outcome = await erasure.eraseAllBefore(customerId, auditSk(tombstone), { deadline });
    logger.info('customer erasure', { customerId, deleted: outcome.deleted, complete: outcome.complete });
    if (!outcome.complete) {
      throw new DomainError('STORE_UNAVAILABLE', {
        detail: "The customer's items are not all deleted yet; repeat the request to finish the erasure.",
        retryAfterSeconds: 1,
      });
    }
  }
}
