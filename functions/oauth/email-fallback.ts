import { DomainError } from '../../shared/errors/domain-error';
import type { AuditActor } from '../../shared/ports/audit';
import type { CodeAttempts } from '../../shared/ports/code-attempts';
import type { IdentityRecords } from '../../shared/ports/identity';
import type { AccountLinker, CREATE_PERSONAL_PROFILE } from './account-linker';

export interface EmailFallbackPorts {
  readonly identities: Pick<IdentityRecords, 'summary'>;
  readonly attempts: CodeAttempts;
  readonly linker: Pick<AccountLinker, 'link'>;
}

export interface EmailedCode {
  readonly customerId: string;
  readonly code: string;
  readonly actor: AuditActor;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
}

export type LinkedByCode =
  { status: 'LINKED'; profileId: number } | { status: 'LINKED'; nextStep: typeof CREATE_PERSONAL_PROFILE };

/**
 * The email fallback (route 10): the customer typed the code Wise showed after granting access;
 * it is exchanged and checked exactly like route 17 (the identity on record, never anything the
 * caller sends). Codes cannot be guessed: an attempt is taken before Wise is asked, at most 5 fail
 * per customer per hour, and one that did not fail (linked, or Wise did not answer) is given back.
 */
export class EmailFallback {
  constructor(private readonly ports: EmailFallbackPorts) {}

  async link(input: EmailedCode): Promise<LinkedByCode> {
    const { customerId } = input;
    const onRecord = await this.ports.identities.summary(customerId);
    if (!onRecord.dateOfBirth && !onRecord.registrationNumber) throw new DomainError('IDENTITY_REQUIRED');
    const attempt = await this.ports.attempts.take(customerId);
    if (attempt.kind === 'exhausted')
      throw new DomainError('TOO_MANY_ATTEMPTS', { retryAfterSeconds: attempt.retryAfterSeconds });

    let failed = false;
    try {
      const outcome = await this.ports.linker.link({
        customerId,
        code: input.code,
        actor: input.actor,
        deadline: input.deadline,
      });
      switch (outcome.kind) {
        case 'linked':
          return { status: 'LINKED', profileId: outcome.profileId };
        case 'linked_without_profile':
          return { status: 'LINKED', nextStep: outcome.nextStep };
        case 'code_rejected':
          failed = true;
          throw new DomainError('LINK_CODE_REJECTED', {
            errors: [{ path: 'code', message: 'was not accepted by Wise' }],
          });
        case 'refused':
          failed = true;
          throw outcome.error;
        default:
          return outcome satisfies never;
      }
    } finally {
      if (!failed) await this.ports.attempts.giveBack(customerId, attempt.attempt).catch(() => undefined);
    }
  }
}
