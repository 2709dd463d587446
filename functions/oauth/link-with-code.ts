import { actorOf } from '../../shared/http/actor';
import { named, operationOf, wiseCallProblems } from '../../shared/http/operation';
import { linked } from './linked';
import type { OauthServices } from './routes';
import { customerParams, linkCodeBody } from './schemas';

/** Route 10. */
export const linkWithCode = operationOf<OauthServices>()({
  route: 'linkWithCode',
  summary: 'Link with a code the customer typed',
  description:
    'The email fallback: the code Wise showed the customer after granting access, exchanged and checked exactly like route 17 (the ' +
    'identity on record, never a value from the caller: a `dateOfBirth` in the body is refused), with the same answers; a code Wise ' +
    'does not take: 422 LINK_CODE_REJECTED. Nothing on record: 409 IDENTITY_REQUIRED, before Wise is asked. At most 5 codes may fail ' +
    'per customer per hour (counted when tried, so that concurrent guesses cannot overtake the limit; a good code, or Wise not ' +
    'answering, does not count): then 429 TOO_MANY_ATTEMPTS with `Retry-After`, and Wise is not asked.',
  params: customerParams,
  body: named('LinkCodeRequest', linkCodeBody),
  idempotencyKey: 'replayed',
  responses: { 200: { description: 'The Wise account is linked.', body: linked } },
  problems: [
    'IDENTITY_REQUIRED',
    'TOO_MANY_ATTEMPTS',
    'LINK_CODE_REJECTED',
    'IDENTITY_MISMATCH',
    'IDENTITY_UNVERIFIABLE',
    'PROFILE_LINKED_ELSEWHERE',
    'LINKED_TO_ANOTHER_WISE_USER',
    ...wiseCallProblems,
  ],
  handle: async ({ params, body, caller, deadline }, { emailFallback }) => ({
    status: 200,
    body: await emailFallback.link({
      customerId: params.customerId,
      code: body.code,
      actor: actorOf(caller, params.customerId),
      deadline,
    }),
  }),
});
