import * as z from 'zod';
import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import type { LinkStateStore } from '../../shared/ports/link-states';
import type { LinkCompleter } from './account-linker';

export interface EmailFallbackPorts {
  readonly accounts: AccountStore;
  readonly linkStates: LinkStateStore;
  readonly linker: LinkCompleter;
}

export interface EmailedCode {
  readonly customerId: string;
  readonly code: string;
  /** The partner's date of birth to check, when it gives one with the code. */
  readonly dateOfBirth?: string;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
}

/** A date of birth the onboarding flow may keep on the account item (read only when it is well formed). */
const accountDateOfBirth = z.object({ dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

/** How long a caller should wait after Wise did not answer the exchange in time. */
const WISE_RETRY_AFTER_SECONDS = 2;

/**
 * The email fallback (route 10): the customer typed the code Wise showed after granting access;
 * it is exchanged and checked exactly like a callback. The date of birth to check comes from the
 * input, else the account, else the customer's latest pending link.
 */
export class EmailFallback {
  constructor(private readonly ports: EmailFallbackPorts) {}

  /** The linked profile's id; throws IDENTITY_MISMATCH, LINK_CODE_REJECTED or WISE_UNAVAILABLE. */
  async link(input: EmailedCode): Promise<{ profileId: number }> {
    const { customerId } = input;
    const partnerDateOfBirth = input.dateOfBirth ?? (await this.storedDateOfBirth(customerId));
    const result = await this.ports.linker.link({
      customerId,
      code: input.code,
      partnerDateOfBirth,
      deadline: input.deadline,
    });
    switch (result.kind) {
      case 'linked':
        return { profileId: result.profileId };
      case 'identity_mismatch':
        throw new DomainError('IDENTITY_MISMATCH');
      case 'exchange_failed':
        if (result.cause === 'unavailable')
          throw new DomainError('WISE_UNAVAILABLE', { retryAfterSeconds: WISE_RETRY_AFTER_SECONDS });
        throw new DomainError('LINK_CODE_REJECTED', {
          errors: [{ path: 'code', message: 'was not accepted by Wise' }],
        });
    }
  }

  private async storedDateOfBirth(customerId: string): Promise<string | undefined> {
    const fromAccount = accountDateOfBirth.safeParse(await this.ports.accounts.get(customerId));
    if (fromAccount.success) return fromAccount.data.dateOfBirth;
    return (await this.ports.linkStates.latestFor(customerId))?.dateOfBirth;
  }
}
