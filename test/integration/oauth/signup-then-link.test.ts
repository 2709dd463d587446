import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountPath, customerBody } from '../onboarding/fixtures';
import {
  authorize,
  completeLink,
  existingWiseUser,
  partner,
  simState,
  startLinkingStack,
  type LinkingStack,
} from './linking-stack';

let t: LinkingStack;
let n = 0;
const customer = (label: string) => `${label}-${Date.now()}-${++n}`;
const acceptedTermsAt = () => new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  t = await startLinkingStack();
});
afterAll(async () => {
  await t?.close();
});

describe('route 1 and the identity on record', () => {
  it('keeps the date of birth when Wise already knows the email, so the customer links that account instead', async () => {
    // Prepare: a person with a Wise account of their own, whom the partner tries to sign up.
    const customerId = customer('known');
    const person = await existingWiseUser(t, '1985-05-05');

    // Act
    const signup = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: {
        ...customerBody(person.email),
        dateOfBirth: person.dateOfBirth,
        acceptedTermsAt: acceptedTermsAt(),
      },
    });
    const { result } = await authorize(t, customerId, person);
    const linked = await completeLink(t, customerId, result);

    // Assess
    expect(signup.status).toBe(409);
    expect(signup.body.code).toBe('EXISTING_WISE_ACCOUNT');
    expect(await t.stack.deps.oauth.identities.summary(customerId)).toEqual({
      dateOfBirth: true,
      registrationNumber: false,
    });
    expect(linked.status, linked.text).toBe(200);
    expect(linked.body).toEqual({ status: 'LINKED', profileId: person.profileId });
  });

  it('fixes the email once a signup reached Wise: another email is 409 EMAIL_FIXED and Wise hears nothing of it', async () => {
    // Prepare
    const customerId = customer('fixed');
    const first = `${customerId}@example.com`;
    const created = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: { ...customerBody(first), acceptedTermsAt: acceptedTermsAt() },
    });
    const known = await existingWiseUser(t);
    const usersBefore = (await simState(t)).users.length;

    // Act
    const other = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: { ...customerBody(`other-${first}`), acceptedTermsAt: acceptedTermsAt() },
    });
    const probe = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: {
        ...customerBody(known.email),
        sendAuthorizationCodeAsEmail: true,
        acceptedTermsAt: acceptedTermsAt(),
      },
    });
    const sameInOtherCase = await t.call('POST', accountPath(customerId), {
      as: partner,
      body: { ...customerBody(first.toUpperCase()), acceptedTermsAt: acceptedTermsAt() },
    });

    // Assess
    expect(created.status, created.text).toBe(201);
    expect(created.body.profiles).toEqual([expect.objectContaining({ access: 'GRANTED' })]);
    for (const refused of [other, probe]) {
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('EMAIL_FIXED');
    }
    expect(sameInOtherCase.status).toBe(200);
    const state = await simState(t);
    expect(state.users.length).toBe(usersBefore);
    expect(state.emailedAuthorizationCodes.filter((e) => e.email === known.email)).toEqual([]);
  });

  it('lets route 8 start for a customer route 1 created, with no route 18 needed', async () => {
    // Prepare
    const customerId = customer('created');
    await t.call('POST', accountPath(customerId), {
      as: partner,
      body: { ...customerBody(`${customerId}@example.com`), acceptedTermsAt: acceptedTermsAt() },
    });

    // Act
    const start = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${t.publicUrl}/app` },
    });

    // Assess
    expect(start.status, start.text).toBe(201);
  });
});
