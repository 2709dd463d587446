import { publicAccount } from '../../shared/domain/account';
import { actorOf } from '../../shared/http/actor';
import { operationOf, wiseCallProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { account, customerParams, newCustomer, personRules } from './schemas';

/** Route 1: 201 when this call finished the signup, 200 when the account was already active. */
export const createAccount = operationOf<OnboardingServices>()({
  route: 'createAccount',
  summary: "Create the customer's Wise account",
  description:
    "Creates a Wise user with a registration code, then its personal profile, from the partner's KYC data (Wise's personal-profile " +
    'field names). A resumable state machine: a retry after a failure continues where it stopped and never makes a second Wise user. ' +
    `201 with the account; a repeat after success answers 200 with the same body. ${personRules} ` +
    "`acceptedTermsAt` is required: the instant the customer accepted Wise's Terms and Conditions in the partner's app (Wise " +
    'requires new users to accept them at sign-up), ISO 8601 with a zone, not in the future; it is kept with the account and in ' +
    'the audit trail. ' +
    '`sendAuthorizationCodeAsEmail: true` on a customer in `EXISTING_ACCOUNT` asks Wise to email the customer a code for route 10. ' +
    'The date of birth becomes the identity on record that linking compares with (route 18), also when Wise already knows the email ' +
    '(409). Once a signup reached Wise the email is fixed: another one is 409 EMAIL_FIXED.',
  params: customerParams,
  body: newCustomer,
  idempotencyKey: 'replayed',
  responses: {
    201: { description: 'The Wise user and personal profile were created.', body: account },
    200: {
      description:
        'The account already exists (a repeat after success, or a concurrent request finished it).',
      body: account,
    },
  },
  problems: [
    'EXISTING_WISE_ACCOUNT',
    'EMAIL_FIXED',
    'IN_PROGRESS',
    'LINK_IN_PROGRESS',
    'RELINK_REQUIRED',
    'ACCOUNT_DEACTIVATED',
    ...wiseCallProblems,
  ],
  handle: async ({ params, body, caller, deadline }, { signup, grants }) => {
    const { created, account } = await signup.run(
      params.customerId,
      body,
      deadline,
      actorOf(caller, params.customerId),
    );
    // The same account as route 2 shows, each profile with its access.
    const access = await grants.accessOf(
      params.customerId,
      account.profiles.map((p) => p.id),
    );
    return created
      ? { status: 201, body: publicAccount(account, access) }
      : { status: 200, body: publicAccount(account, access) };
  },
});
