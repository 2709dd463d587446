import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccountStore } from '../../shared/ports/accounts';
import type { AuditActor, AuditTrail } from '../../shared/ports/audit';
import type { Grants } from '../../shared/ports/grants';
import type { LinkResults } from '../../shared/ports/link-results';

export interface DisconnectionPorts {
  readonly accounts: Pick<AccountStore, 'get' | 'update'>;
  readonly grants: Pick<Grants, 'list' | 'forgetAll'>;
  readonly linkResults: Pick<LinkResults, 'forgetAllOf'>;
  readonly audit: Pick<AuditTrail, 'record'>;
  readonly logger: Logger;
}

/**
 * Route 19: the partner forgets every Wise grant of the customer and the registration code (their
 * ciphertexts are deleted, and so are codes kept for a completion), the status becomes
 * DISCONNECTED and the profiles stay listed with `access: "NONE"`. Repeating it changes nothing.
 * The customer keeps its identity on record and its profiles' ownership, so route 8 links again.
 */
export class Disconnection {
  constructor(private readonly ports: DisconnectionPorts) {}

  async disconnect(customerId: string, actor: AuditActor): Promise<void> {
    const { accounts, grants, linkResults, audit } = this.ports;
    const account = await accounts.get(customerId);
    if (!account) return;
    const held = await grants.list(customerId);
    const settled =
      account.status === 'DISCONNECTED' && held.length === 0 && !account.registrationCodeCiphertext;
    if (!settled) {
      await audit.record(customerId, {
        action: 'link.disconnected',
        actor,
        details: { previousStatus: account.status, status: 'DISCONNECTED', grants: held.length },
      });
      // The status first: a request that reads it now sees no access, whatever is deleted after.
      await accounts.update(
        customerId,
        { status: 'DISCONNECTED' },
        { remove: ['registrationCodeCiphertext'] },
      );
      await grants.forgetAll(customerId);
    }
    await linkResults.forgetAllOf(customerId);
    if (!settled) this.ports.logger.info('disconnected', { customerId, grants: held.length });
  }
}
