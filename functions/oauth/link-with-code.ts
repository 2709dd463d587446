import * as z from 'zod';
import { defineRoute } from '../../shared/http/handler-stack';
import { ProblemError, wiseUnavailable } from '../../shared/http/problem';
import { deadlineFrom } from '../../shared/runtime/function';
import type { Dependencies } from '../../shared/runtime/dependencies';
import type { LinkStateStore } from '../../shared/store/link-state-store';
import type { AccountLinker } from './account-linker';
import { customerParams, linkCodeBody } from './schemas';

/** A date of birth the onboarding flow may keep on the account item (read only when it is well formed). */
const accountDateOfBirth = z.object({ dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

/**
 * Route 10: the email fallback. The customer typed the code Wise showed after granting access;
 * it is exchanged and checked exactly like a callback. The date of birth to check comes from the
 * body, else the account, else the customer's latest pending link.
 */
export const linkWithCode = (deps: Dependencies, linkStates: LinkStateStore, linker: AccountLinker) =>
  defineRoute(
    { auth: 'customer', params: customerParams, body: linkCodeBody(deps.clock), idempotent: true },
    async ({ params, body, remainingMs }) => {
      const { customerId } = params;
      const partnerDateOfBirth = body.dateOfBirth ?? (await storedDateOfBirth(deps, linkStates, customerId));
      const result = await linker.link({
        customerId,
        code: body.code,
        partnerDateOfBirth,
        deadline: deadlineFrom(remainingMs()),
      });
      switch (result.kind) {
        case 'linked':
          return { status: 200, body: { status: 'LINKED', profileId: result.profileId } };
        case 'identity_mismatch':
          throw new ProblemError(
            422,
            'IDENTITY_MISMATCH',
            "The Wise profile's date of birth does not match the customer's; the link was not kept.",
          );
        case 'exchange_failed':
          if (result.cause === 'unavailable') throw wiseUnavailable(2);
          throw new ProblemError(422, 'LINK_CODE_REJECTED', 'Wise did not accept this code: it is wrong, expired or already used.', {
            errors: [{ path: 'code', message: 'was not accepted by Wise' }],
          });
      }
    },
  );

const storedDateOfBirth = async (deps: Dependencies, linkStates: LinkStateStore, customerId: string) => {
  const account = await deps.accounts.get(customerId);
  const fromAccount = accountDateOfBirth.safeParse(account);
  if (fromAccount.success) return fromAccount.data.dateOfBirth;
  return (await linkStates.latestFor(customerId))?.dateOfBirth;
};
