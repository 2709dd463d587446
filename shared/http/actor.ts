import type { AuditActor } from '../ports/audit';
import type { CallerKind } from '../routes';
import { callerKinds, type Caller } from './caller';

/**
 * The audit actor of a request on `customerId`: the caller's kind and token subject. A token that
 * is several kinds at once (a customer's token with the admin scope) is recorded as the first of
 * `customer`, `partner`, `wise-access`, unless `as` names the kind the route admitted it as
 * (route 20 passes `wise-access`). No caller (a public route): the product itself, `system`.
 *
 * @example await audit.record(cid, { action: 'access_token.issued', actor: actorOf(request.caller, cid, 'wise-access') });
 */
export const actorOf = (caller: Caller | undefined, customerId: string, as?: CallerKind): AuditActor => {
  if (!caller) return { kind: 'system' };
  const kinds = callerKinds(caller, customerId);
  const kind = as !== undefined && kinds.includes(as) ? as : kinds[0];
  // A caller the guard admitted always has a kind; the fallback keeps the subject on record anyway.
  return { kind: kind ?? 'partner', subject: caller.subject };
};
