import * as z from 'zod';
import { named, operationOf, wiseCallProblems } from '../../shared/http/operation';
import { systemClock } from '../../shared/ports/clock';
import type { OauthServices } from './routes';
import { customerParams, linkCodeBody } from './schemas';

const linkedSchema = z.object({ status: z.literal('LINKED'), profileId: z.number().int().positive() });

/** Route 10. */
export const linkWithCode = operationOf<OauthServices>()({
  route: 'linkWithCode',
  summary: 'Link with a code the customer typed',
  description:
    'The email fallback: the code Wise showed the customer after granting access, exchanged and checked exactly like a callback. The ' +
    "date of birth to compare comes from the body, else from the account, else from the customer's latest pending link.",
  params: customerParams,
  // As route 8: a date of birth must be in the past by the real clock.
  body: named('LinkCodeRequest', linkCodeBody(systemClock)),
  idempotencyKey: 'replayed',
  responses: { 200: { description: 'The Wise account is linked.', body: named('Linked', linkedSchema) } },
  problems: ['IDENTITY_MISMATCH', 'LINK_CODE_REJECTED', ...wiseCallProblems],
  handle: async ({ params, body, deadline }, { emailFallback }) => {
    const { profileId } = await emailFallback.link({ customerId: params.customerId, ...body, deadline });
    return { status: 200, body: { status: 'LINKED' as const, profileId } };
  },
});
