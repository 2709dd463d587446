import type { IdentityChange, IdentitySummary } from '../../shared/domain/identity';
import type { AuditActor, AuditTrail } from '../../shared/ports/audit';
import type { IdentityRecords } from '../../shared/ports/identity';

export interface IdentityRecordingPorts {
  readonly identities: Pick<IdentityRecords, 'record'>;
  readonly audit: Pick<AuditTrail, 'transactItem'>;
}

/**
 * Route 18: the partner backend records what it knows of its customer, which linking compares a
 * granted profile with. Only digests are kept; the answer says what is on record, never a value.
 * A change and its audit event commit together; repeating the same values writes nothing.
 */
export class IdentityRecording {
  constructor(private readonly ports: IdentityRecordingPorts) {}

  async put(customerId: string, change: IdentityChange, actor: AuditActor): Promise<IdentitySummary> {
    const { summary } = await this.ports.identities.record(customerId, change, {
      alsoWrite: (onRecord) => [
        this.ports.audit.transactItem(customerId, {
          action: 'identity.changed',
          actor,
          details: { ...onRecord },
        }),
      ],
    });
    return summary;
  }
}
