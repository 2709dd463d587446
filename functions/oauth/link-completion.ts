import { randomUUID } from 'node:crypto';
import { isResultExpired, linkResultHash } from '../../shared/domain/linking/link-result';
import { DomainError, InProgressError } from '../../shared/errors/domain-error';
import type { AuditActor } from '../../shared/ports/audit';
import type { Cipher } from '../../shared/ports/cipher';
import type { Clock } from '../../shared/ports/clock';
import type { Lease } from '../../shared/ports/lease';
import { linkResultContext, linkResultLease, type LinkResults } from '../../shared/ports/link-results';
import type { TokenResponse } from '../../shared/ports/wise';
import type { AccountLinker, CREATE_PERSONAL_PROFILE } from './account-linker';

export interface LinkCompletionPorts {
  readonly linkResults: LinkResults;
  readonly lease: Lease;
  readonly cipher: Cipher;
  readonly clock: Clock;
  readonly linker: Pick<AccountLinker, 'link'>;
}

export interface ResultToComplete {
  readonly customerId: string;
  /** Route 9's one-time result, as the partner's app received it. Never logged. */
  readonly result: string;
  readonly actor: AuditActor;
  /** Epoch ms by which every Wise call must be over. */
  readonly deadline: number;
}

export type Linked =
  { status: 'LINKED'; profileId: number } | { status: 'LINKED'; nextStep: typeof CREATE_PERSONAL_PROFILE };

/** How long one completion holds a result: the exchange and the checks are a few Wise calls. */
const COMPLETION_LEASE_MS = 30_000;

// One answer for every unusable result, so that nobody can tell another customer's result from none.
const invalid = () => new DomainError('LINK_RESULT_INVALID');

/**
 * Route 17, the second phase of linking: only here is Wise's code exchanged, and only for the
 * customer whose state the callback consumed (the code is encrypted under that customer and this
 * result). A result stays usable until it succeeds, fails for good, or expires; Wise not answering
 * keeps it, and once the code was exchanged the answer is kept with it, so a retry resumes instead
 * of losing the grant.
 */
export class LinkCompletion {
  constructor(private readonly ports: LinkCompletionPorts) {}

  async complete(input: ResultToComplete): Promise<Linked> {
    const { linkResults, lease, cipher, clock } = this.ports;
    const hash = linkResultHash(input.result);
    const kept = await linkResults.find(hash);
    if (!kept || kept.customerId !== input.customerId || isResultExpired(kept, clock.now())) throw invalid();

    const owner = randomUUID();
    if (!(await lease.take(linkResultLease(hash), owner, COMPLETION_LEASE_MS))) {
      // Taken by a completion still at work, or the result was used up a moment ago.
      if (!(await linkResults.find(hash))) throw invalid();
      throw new InProgressError('IN_PROGRESS', {
        detail: 'This link is being completed by another request; retry shortly.',
      });
    }
    let usedUp = false;
    try {
      const tokens = kept.tokensCiphertext
        ? (JSON.parse(
            await cipher.decrypt(kept.tokensCiphertext, linkResultContext(kept.customerId, hash, 'tokens')),
          ) as TokenResponse)
        : undefined;
      const code = tokens
        ? undefined
        : await cipher.decrypt(kept.codeCiphertext, linkResultContext(kept.customerId, hash, 'code'));
      const outcome = await this.ports.linker.link({
        customerId: input.customerId,
        code,
        tokens,
        profileId: kept.profileId,
        actor: input.actor,
        deadline: input.deadline,
        onExchanged: async (answer) => {
          try {
            await linkResults.exchanged(
              hash,
              await cipher.encrypt(
                JSON.stringify(answer),
                linkResultContext(kept.customerId, hash, 'tokens'),
              ),
            );
          } catch {
            // KMS or the table failed for a moment: the link goes on with the tokens in hand. The copy
            // only serves a retry after a later failure, and failing here would lose the grant for
            // good (Wise never exchanges a code twice).
          }
        },
      });
      usedUp = true;
      switch (outcome.kind) {
        case 'linked':
          return { status: 'LINKED', profileId: outcome.profileId };
        case 'linked_without_profile':
          return { status: 'LINKED', nextStep: outcome.nextStep };
        case 'code_rejected':
          // Wise no longer takes the code (expired or used at Wise): for the partner, an unusable result.
          throw invalid();
        case 'refused':
          throw outcome.error;
        default:
          return outcome satisfies never;
      }
    } finally {
      // Forgetting a used-up result is tidying (it expires anyway): its failure must neither turn the
      // link's answer into an error nor keep a retry waiting on the lease.
      if (usedUp)
        await linkResults
          .forget(hash)
          .catch(() => lease.release(linkResultLease(hash), owner).catch(() => undefined));
      else await lease.release(linkResultLease(hash), owner).catch(() => undefined);
    }
  }
}
