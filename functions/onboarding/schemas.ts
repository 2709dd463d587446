/**
 * What several onboarding operations share: the path parameters, the request bodies and the
 * response schemas of the account and of a profile, and the person rules routes 1 and 4 describe.
 */
import * as z from '../../shared/zod';
import { accountStatuses } from '../../shared/domain/account';
import { businessProfileSchema } from '../../shared/domain/onboarding/business-profile';
import {
  OCCUPATION_COUNTRIES,
  OCCUPATION_US_STATES,
  STATE_CODE_COUNTRIES,
} from '../../shared/domain/onboarding/countries';
import { NAME_MAX } from '../../shared/domain/onboarding/fields';
import {
  newCustomerSchema,
  personalProfileUpdateSchema,
} from '../../shared/domain/onboarding/personal-profile';
import { customerIdSchema } from '../../shared/http/handler-stack';
import { named } from '../../shared/http/operation';
import { systemClock } from '../../shared/ports/clock';

export const customerParams = z.object({ customerId: customerIdSchema });
export const profileParams = z.extend(customerParams, {
  profileId: z.pipe(
    z.string().check(z.regex(/^[1-9]\d{0,15}$/, 'must be a Wise profile id')),
    z.transform(Number),
  ),
});

/** Every instant this service answers is `Date#toISOString()`: UTC, milliseconds, `Z`. */
export const isoInstant = z.iso.datetime();
export const wiseProfileId = z.number().check(z.int(), z.positive());
const profileType = z.enum(['PERSONAL', 'BUSINESS']);
const verification = z.enum(['verified', 'not_verified', 'unknown']);

const accountSchema = z.object({
  customerId: z.string(),
  status: z.enum(accountStatuses),
  wiseUserId: z.optional(z.number().check(z.int())).check(z.describe('Present once Wise knows the user.')),
  profiles: z.array(
    z.object({
      id: wiseProfileId,
      type: profileType,
      verification: verification.check(
        z.describe("From Wise's verification webhooks; `unknown` until the first one."),
      ),
      verificationUpdatedAt: z.optional(isoInstant),
      cdd: z
        .optional(z.object({ state: z.string(), requiredEvidences: z.array(z.string()) }))
        .check(z.describe("Wise's latest customer due-diligence state for the profile, when Wise sent one.")),
      access: z
        .optional(z.enum(['GRANTED', 'RELINK_REQUIRED', 'NONE']))
        .check(
          z.describe(
            'Route 2: whether this service can act at Wise for the profile — `GRANTED` (a usable grant covers it), `RELINK_REQUIRED` ' +
              '(Wise refused its grant: link it again), `NONE` (no grant covers it, e.g. after a disconnect).',
          ),
        ),
    }),
  ),
});

/** Wise's own profile fields pass through; `type` and `verification` are this service's view. */
const profileEnvelopeSchema = z.object({
  profile: z.looseObject({ id: wiseProfileId, type: profileType, verification }),
});

export const account = named('Account', accountSchema);
export const profileEnvelope = named('ProfileEnvelope', profileEnvelopeSchema);

// The dates of birth are checked against the system clock: the stack parses the body before
// anything else runs (an invalid body never reaches the Idempotency-Key records).
const now = () => systemClock.now();
export const newCustomer = named('NewCustomer', newCustomerSchema(now));
export const personalProfileUpdate = named('PersonalProfileUpdate', personalProfileUpdateSchema(now));
export const businessProfile = named('BusinessProfile', businessProfileSchema);

const upper = (codes: ReadonlySet<string>) => [...codes].map((c) => c.toUpperCase()).join(', ');
export const personRules =
  'Rules checked before any Wise call that JSON Schema cannot express: `dateOfBirth` is a real date after 1900-01-01 and in the past; ' +
  `\`address.stateCode\` is required for ${upper(STATE_CODE_COUNTRIES)}; \`occupations\` is required for residents of ` +
  `${upper(OCCUPATION_COUNTRIES)} and of the US states ${[...OCCUPATION_US_STATES].join(', ')} (the union of Wise's documents); ` +
  'country codes are ISO 3166-1 alpha-3 in any case (sent to Wise in ' +
  'lower case); `phoneNumber` is E.164 once spaces, dots, dashes and brackets are removed; names longer than ' +
  `${NAME_MAX} characters are truncated to ${NAME_MAX} (Wise's instruction).`;
