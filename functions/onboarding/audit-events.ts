import type { AuditTrail, RecordedAuditEvent } from '../../shared/ports/audit';
import { AUDIT_POSITION, decodeCursor, encodeCursor } from './cursor';

export interface AuditEventsPage {
  items: RecordedAuditEvent[];
  nextCursor?: string;
}

/** A cursor of route 21 belongs to one customer's trail. */
const bindingOf = (customerId: string) => `audit-events:${customerId}`;

/**
 * Route 21: a customer's audit trail, newest first, a page at a time. A customer this service
 * never saw has an empty trail (not a 404): an erased one still shows its tombstone.
 */
export class AuditEvents {
  constructor(private readonly audit: Pick<AuditTrail, 'list'>) {}

  async page(customerId: string, limit: number, cursor?: string): Promise<AuditEventsPage> {
    const binding = bindingOf(customerId);
    const after = cursor === undefined ? undefined : decodeCursor(binding, cursor, AUDIT_POSITION);
    const page = await this.audit.list(customerId, { limit, ...(after !== undefined ? { after } : {}) });
    return {
      items: [...page.items],
      ...(page.next !== undefined ? { nextCursor: encodeCursor(binding, page.next) } : {}),
    };
  }
}
