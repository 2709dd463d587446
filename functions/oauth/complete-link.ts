import { actorOf } from '../../shared/http/actor';
import { named, operationOf, wiseCallProblems } from '../../shared/http/operation';
import { linked } from './linked';
import type { OauthServices } from './routes';
import { completeLinkBody, customerParams } from './schemas';

/** Route 17. */
export const completeLink = operationOf<OauthServices>()({
  route: 'completeLink',
  summary: 'Complete a link with the result of the callback',
  description:
    "The second phase of linking: the partner's app, in the customer's own session (or the partner backend), posts the `result` " +
    "route 9 put on the return URL. Only now is Wise's code exchanged; the granted profile is compared with the identity on record " +
    '(a personal profile by date of birth, a business profile by registration number) and the grant is kept for that profile — ' +
    'another profile linked before keeps working. A result that is unknown, used, expired (10 minutes), that Wise no longer takes, ' +
    'or that belongs to another customer: 400 LINK_RESULT_INVALID, one answer for all. The profile is not the customer on record: ' +
    "422 IDENTITY_MISMATCH (status `LINK_REJECTED` unless the customer already has access). Nothing on record for the profile's " +
    'type: 422 IDENTITY_UNVERIFIABLE. The Wise profile is linked to another customer: 409 PROFILE_LINKED_ELSEWHERE (checked ' +
    "atomically with keeping the grant). The customer's account already belongs to another Wise user: 409 " +
    'LINKED_TO_ANOTHER_WISE_USER — an account is never moved to another Wise user silently; disconnect it first (route 19). In ' +
    'every refusal nothing is kept and the result is used up. Wise not answering: 503, and the result stays usable (once the code ' +
    'was exchanged, the answer is kept with it, so the retry does not need the code again). A Wise user with no profile yet: 200 ' +
    'with `nextStep` instead of `profileId`.',
  params: customerParams,
  body: named('CompleteLinkRequest', completeLinkBody),
  idempotencyKey: 'replayed',
  responses: { 200: { description: 'The Wise account is linked.', body: linked } },
  problems: [
    'LINK_RESULT_INVALID',
    'IDENTITY_MISMATCH',
    'IDENTITY_UNVERIFIABLE',
    'PROFILE_LINKED_ELSEWHERE',
    'LINKED_TO_ANOTHER_WISE_USER',
    'IN_PROGRESS',
    ...wiseCallProblems,
  ],
  handle: async ({ params, body, caller, deadline }, { linkCompletion }) => ({
    status: 200,
    body: await linkCompletion.complete({
      customerId: params.customerId,
      result: body.result,
      actor: actorOf(caller, params.customerId),
      deadline,
    }),
  }),
});
