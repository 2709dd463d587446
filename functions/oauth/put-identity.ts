import * as z from '../../shared/zod';
import { actorOf } from '../../shared/http/actor';
import { named, operationOf } from '../../shared/http/operation';
import { systemClock } from '../../shared/ports/clock';
import type { OauthServices } from './routes';
import { customerParams, identityBody } from './schemas';

const identitySchema = z.object({
  customerId: z.string(),
  dateOfBirth: z.boolean().check(z.describe('A date of birth is on record.')),
  registrationNumber: z.boolean().check(z.describe('A registration number is on record.')),
});

/** Route 18. A PUT is idempotent by nature; the same values twice write nothing. */
export const putIdentity = operationOf<OauthServices>()({
  route: 'putIdentity',
  summary: "Record the customer's identity",
  description:
    'Partner backend only. The identity on record that linking (routes 17 and 10) compares a granted Wise profile with: a personal ' +
    "profile's date of birth, a business profile's registration number. A field given replaces what is on record, `null` forgets " +
    'it, an absent one is kept (route 1 records the date of birth of a signup). Registration numbers are compared in upper case ' +
    'with letters and digits only (`HRB 12345` is `hrb-12345`). Stored only as keyed digests (HMAC-SHA256 under a key of the stack, ' +
    'bound to the customer), never in plain text; the answer says what is on record, never a value. Each change is an ' +
    '`identity.changed` audit event.',
  params: customerParams,
  // A date of birth must be in the past by the real clock: the declaration is built once, not per request.
  body: named('IdentityRequest', identityBody(systemClock)),
  responses: {
    200: { description: 'What is on record now.', body: named('IdentityOnRecord', identitySchema) },
  },
  problems: [],
  handle: async ({ params, body, caller }, { identityRecording }) => ({
    status: 200,
    body: {
      customerId: params.customerId,
      ...(await identityRecording.put(params.customerId, body, actorOf(caller, params.customerId))),
    },
  }),
});
