import * as z from 'zod';
import { publicAccount } from '../../shared/domain/account';
import { businessProfileSchema } from '../../shared/domain/onboarding/business-profile';
import { identityDocumentSchema } from '../../shared/domain/onboarding/identity-document';
import { newCustomerSchema } from '../../shared/domain/onboarding/personal-profile';
import { customerIdSchema, defineRoute } from '../../shared/http/handler-stack';
import { notFound } from '../../shared/http/problem';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { deadlineFrom, type RouteTable } from '../../shared/runtime/function';
import { createClaimLink } from './claim-account';
import { CreateWiseAccount } from './create-account';
import { checkVerification, createBusinessProfile, submitIdentityDocument, updateProfile, verificationCheckBody } from './profiles';

export const customerParams = z.object({ customerId: customerIdSchema });
export const profileParams = customerParams.extend({
  profileId: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a Wise profile id')
    .transform(Number),
});
/** Route 4's body depends on the profile's type, known only from the store: parsed in the use case. */
const anyObject = z.record(z.string(), z.unknown());

/** The onboarding function's routes (see shared/routes.ts): routes 1–7 of the partner API. */
export const routes = (deps: Dependencies): RouteTable => {
  const now = () => deps.clock.now();
  const signup = new CreateWiseAccount(deps);
  return {
    createAccount: defineRoute(
      { auth: 'customer', params: customerParams, body: newCustomerSchema(now), idempotent: true },
      ({ params, body, remainingMs }) => signup.run(params.customerId, body, deadlineFrom(remainingMs())),
    ),
    getAccount: defineRoute({ auth: 'customer', params: customerParams }, async ({ params }) => {
      const account = await deps.accounts.get(params.customerId);
      if (!account) throw notFound('CUSTOMER_NOT_FOUND', 'This customer has no Wise account here.');
      return { status: 200, body: publicAccount(account) };
    }),
    createBusinessProfile: defineRoute(
      { auth: 'customer', params: customerParams, body: businessProfileSchema, idempotent: true },
      ({ params, body, remainingMs }) => createBusinessProfile(deps, params.customerId, body, deadlineFrom(remainingMs())),
    ),
    updateProfile: defineRoute({ auth: 'customer', params: profileParams, body: anyObject }, ({ params, body, remainingMs }) =>
      updateProfile(deps, params.customerId, params.profileId, body, deadlineFrom(remainingMs())),
    ),
    checkVerification: defineRoute(
      { auth: 'customer', params: profileParams, body: verificationCheckBody, idempotent: true },
      ({ params, body, remainingMs }) =>
        checkVerification(deps, params.customerId, params.profileId, body.sourceCurrencies, deadlineFrom(remainingMs())),
    ),
    submitIdentityDocument: defineRoute(
      { auth: 'customer', params: profileParams, body: identityDocumentSchema, idempotent: true },
      ({ params, body, remainingMs }) =>
        submitIdentityDocument(deps, params.customerId, params.profileId, body, deadlineFrom(remainingMs())),
    ),
    // Not replayed by Idempotency-Key: the stored reply would keep a live claim code in plain text
    // for a day and replay a link dead after five minutes; every call safely makes a fresh link.
    createClaimLink: defineRoute({ auth: 'customer', params: customerParams }, ({ params, remainingMs }) =>
      createClaimLink(deps, params.customerId, deadlineFrom(remainingMs())),
    ),
  };
};
