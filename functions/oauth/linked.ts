import * as z from '../../shared/zod';
import { named } from '../../shared/http/operation';
import { CREATE_PERSONAL_PROFILE } from './account-linker';

/** Routes 17 and 10's answer: the account is LINKED, with the granted profile or the next step. */
export const linked = named(
  'Linked',
  z.object({
    status: z.literal('LINKED'),
    profileId: z
      .optional(z.number().check(z.int(), z.positive()))
      .check(z.describe('The granted Wise profile, now linked.')),
    nextStep: z
      .optional(z.enum([CREATE_PERSONAL_PROFILE]))
      .check(
        z.describe(
          'Present instead of `profileId` when the Wise user has no profile yet: the grant is kept and the partner backend creates ' +
            'the personal profile from its KYC data (route 1 for this customer); route 2 lists it once it exists.',
        ),
      ),
  }),
);
