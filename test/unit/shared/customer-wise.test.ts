import { describe, expect, it } from 'vitest';
import { RelinkRequiredError } from '../../../shared/ports/user-tokens';
import { CustomerWiseAccess } from '../../../shared/tokens/customer-wise';
import { FakeWise, FakeWiseAccess, InMemoryUserTokens, invalidToken, wiseRefuses } from '../../support/fakes';
import { problemOf } from '../../support/problems';

const CUSTOMER = 'cust-1';
const DEADLINE = 1_900_000_000_000;
const profile = (id: number) => ({ id, type: 'PERSONAL' as const });

describe('Wise as one customer over the user tokens', () => {
  it("passes the customer's token and the request's deadline to every call", async () => {
    // Prepare
    const wise = new FakeWise().on('getProfile', async (_token, id) => profile(id));
    const access = new CustomerWiseAccess(wise, new InMemoryUserTokens().give(CUSTOMER, 'tok-1'));

    // Act
    const found = await access.wiseAs(CUSTOMER, { deadline: DEADLINE }).getProfile(42);

    // Assess
    expect(found.id).toBe(42);
    expect(wise.callsOf('getProfile')).toEqual([['tok-1', 42, { deadline: DEADLINE }]]);
  });

  it('refreshes once and retries when Wise refuses the token, and not a second time', async () => {
    // Prepare
    const tokens = new InMemoryUserTokens().give(CUSTOMER, 'tok-1');
    const wise = new FakeWise()
      .once('listKycReviews', async () => {
        throw invalidToken();
      })
      .once('listKycReviews', async () => [])
      .on('me', async () => {
        throw invalidToken();
      });
    const customerWise = new CustomerWiseAccess(wise, tokens).wiseAs(CUSTOMER, { deadline: DEADLINE });

    // Act
    const reviews = await customerWise.listKycReviews(7);
    const refused = await customerWise.me().catch((e: unknown) => e);

    // Assess
    expect(reviews).toEqual([]);
    expect(wise.callsOf('listKycReviews').map(([token]) => token)).toEqual(['tok-1', 'tok-1~refreshed1']);
    expect(wise.callsOf('me')).toHaveLength(2);
    expect(refused).toMatchObject({ status: 401, name: 'WiseApiError' });
  });

  it("lets Wise's other refusals through untouched, without a refresh", async () => {
    // Prepare
    const tokens = new InMemoryUserTokens().give(CUSTOMER);
    const wise = new FakeWise().on('createKycReview', async () => {
      throw wiseRefuses(422, { errors: [{ code: 'QUOTE_NOT_FOUND' }] });
    });

    // Act
    const error = await new CustomerWiseAccess(wise, tokens)
      .wiseAs(CUSTOMER, { deadline: DEADLINE })
      .createKycReview(7, { type: 'QUOTE' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 422, errorCodes: ['QUOTE_NOT_FOUND'] });
    expect(wise.callsOf('createKycReview')).toHaveLength(1);
    expect(tokens.refreshes.size).toBe(0);
  });

  it('answers ACCOUNT_NOT_READY without tokens and RELINK_REQUIRED once Wise refused them, before calling Wise', async () => {
    // Prepare
    const wise = new FakeWise();
    const access = new CustomerWiseAccess(
      wise,
      new InMemoryUserTokens().give('relink').requireRelink('relink'),
    );

    // Act
    const notReady = await problemOf(access.wiseAs('nobody', { deadline: DEADLINE }).me());
    const relink = await problemOf(access.wiseAs('relink', { deadline: DEADLINE }).me());

    // Assess
    expect(notReady.code).toBe('ACCOUNT_NOT_READY');
    expect(relink).toBeInstanceOf(RelinkRequiredError);
    expect([relink.code, relink.status]).toEqual(['RELINK_REQUIRED', 409]);
    expect(wise.calls).toEqual([]);
  });
});

describe('the scriptable WiseAccess fake', () => {
  it('answers as scripted with the customer id first, records calls with their deadline, and fails unscripted calls', async () => {
    // Prepare
    const access = new FakeWiseAccess().on('getProfile', async (customerId, id) => ({
      ...profile(id),
      customerId,
    }));

    // Act
    const found = await access.wiseAs(CUSTOMER, { deadline: DEADLINE }).getProfile(5);
    const unscripted = await access
      .wiseAs(CUSTOMER, { deadline: DEADLINE })
      .me()
      .catch((e: Error) => e.message);

    // Assess
    expect(found).toMatchObject({ id: 5, customerId: CUSTOMER });
    expect(access.calls).toEqual([
      { customerId: CUSTOMER, method: 'getProfile', args: [5], deadline: DEADLINE },
      { customerId: CUSTOMER, method: 'me', args: [], deadline: DEADLINE },
    ]);
    expect(unscripted).toMatch(/me was called but not scripted/);
  });

  it('fails every call as a customer given an error, as the token handling would', async () => {
    // Prepare
    const access = new FakeWiseAccess()
      .on('me', async () => ({ id: 1 }))
      .failAs(CUSTOMER, new RelinkRequiredError());

    // Act
    const error = await problemOf(access.wiseAs(CUSTOMER, {}).me());

    // Assess
    expect(error.code).toBe('RELINK_REQUIRED');
  });
});
