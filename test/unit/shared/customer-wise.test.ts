import { describe, expect, it } from 'vitest';
import { RelinkRequiredError } from '../../../shared/ports/user-tokens';
import { CustomerWiseAccess } from '../../../shared/tokens/customer-wise';
import { LruCache } from '../../../shared/tokens/plain-cache';
import { FakeWise, FakeWiseAccess, InMemoryGrants, invalidToken, wiseRefuses } from '../../support/fakes';
import { problemOf } from '../../support/problems';

const CUSTOMER = 'cust-1';
const DEADLINE = 1_900_000_000_000;
const profile = (id: number) => ({ id, type: 'PERSONAL' as const });

describe('Wise as one customer over the grants', () => {
  it("passes the token of the grant covering the profile and the request's deadline to every call", async () => {
    // Prepare
    const wise = new FakeWise().on('getProfile', async (_token, id) => profile(id));
    const grants = new InMemoryGrants();
    grants.give(CUSTOMER, { profileIds: [42], accessToken: 'tok-1' });
    const access = new CustomerWiseAccess(wise, grants);

    // Act
    const found = await access.wiseAs(CUSTOMER, { deadline: DEADLINE }).getProfile(42);

    // Assess
    expect(found.id).toBe(42);
    expect(wise.callsOf('getProfile')).toEqual([['tok-1', 42, { deadline: DEADLINE }]]);
  });

  it('uses each profile its own grant: personal and business of one Wise user', async () => {
    // Prepare
    const wise = new FakeWise()
      .on('getProfile', async (_token, id) => profile(id))
      .on('listKycReviews', async () => []);
    const grants = new InMemoryGrants();
    grants.give(CUSTOMER, { profileIds: [1], accessToken: 'personal-token' });
    grants.give(CUSTOMER, { profileIds: [2], accessToken: 'business-token' });
    const customerWise = new CustomerWiseAccess(wise, grants).wiseAs(CUSTOMER, { deadline: DEADLINE });

    // Act
    await customerWise.getProfile(1);
    await customerWise.listKycReviews(2);

    // Assess
    expect(wise.callsOf('getProfile').map(([token]) => token)).toEqual(['personal-token']);
    expect(wise.callsOf('listKycReviews').map(([token]) => token)).toEqual(['business-token']);
  });

  it("calls that are not profile-scoped use the registration-code grant, else the personal profile's, else the profile the facade was opened for", async () => {
    // Prepare
    const wise = new FakeWise().on('me', async () => ({ id: 9 }));
    const grants = new InMemoryGrants().personal('linked', 1);
    grants.give('linked', { profileIds: [2], accessToken: 'business-token' });
    grants.give('linked', { profileIds: [1], accessToken: 'personal-token' });
    grants.give('created', { profileIds: [1], accessToken: 'personal-token' });
    grants.give('created', { kind: 'registration_code', profileIds: [3], accessToken: 'registration-token' });
    const access = new CustomerWiseAccess(wise, grants);

    // Act
    await access.wiseAs('linked', { deadline: DEADLINE }).me();
    await access.wiseAs('created', { deadline: DEADLINE }).me();
    await access.wiseAs('linked', { deadline: DEADLINE, profileId: 2 }).me();

    // Assess
    expect(wise.callsOf('me').map(([token]) => token)).toEqual([
      'personal-token',
      'registration-token',
      'business-token',
    ]);
  });

  it('a profile created through the facade joins the grant whose token created it', async () => {
    // Prepare
    const wise = new FakeWise().on('createBusinessProfile', async () => ({ id: 77 }));
    const grants = new InMemoryGrants();
    const personal = grants.give(CUSTOMER, { profileIds: [1] });

    // Act
    const created = await new CustomerWiseAccess(wise, grants)
      .wiseAs(CUSTOMER, { deadline: DEADLINE })
      .createBusinessProfile({ businessName: 'Acme' }, 'uuid-1');

    // Assess
    expect(created.id).toBe(77);
    expect((await grants.forProfile(CUSTOMER, 77))?.grantId).toBe(personal.grantId);
    expect(await grants.accessOf(CUSTOMER)).toEqual(
      new Map([
        [1, 'GRANTED'],
        [77, 'GRANTED'],
      ]),
    );
  });

  it('refreshes once and retries when Wise refuses the token, and not a second time', async () => {
    // Prepare
    const grants = new InMemoryGrants();
    const grant = grants.give(CUSTOMER, { profileIds: [7], accessToken: 'tok-1' });
    const wise = new FakeWise()
      .once('listKycReviews', async () => {
        throw invalidToken();
      })
      .once('listKycReviews', async () => [])
      .on('me', async () => {
        throw invalidToken();
      });
    const customerWise = new CustomerWiseAccess(wise, grants).wiseAs(CUSTOMER, { deadline: DEADLINE });

    // Act
    const reviews = await customerWise.listKycReviews(7);
    const refused = await customerWise.me().catch((e: unknown) => e);

    // Assess
    expect(reviews).toEqual([]);
    expect(wise.callsOf('listKycReviews').map(([token]) => token)).toEqual(['tok-1', 'tok-1~refreshed1']);
    expect(wise.callsOf('me')).toHaveLength(2);
    expect(refused).toMatchObject({ status: 401, name: 'WiseApiError' });
    expect(grants.refreshes.get(grant.grantId)).toBe(2);
  });

  it("lets Wise's other refusals through untouched, without a refresh", async () => {
    // Prepare
    const grants = new InMemoryGrants();
    grants.give(CUSTOMER, { profileIds: [7] });
    const wise = new FakeWise().on('createKycReview', async () => {
      throw wiseRefuses(422, { errors: [{ code: 'QUOTE_NOT_FOUND' }] });
    });

    // Act
    const error = await new CustomerWiseAccess(wise, grants)
      .wiseAs(CUSTOMER, { deadline: DEADLINE })
      .createKycReview(7, { type: 'QUOTE' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 422, errorCodes: ['QUOTE_NOT_FOUND'] });
    expect(wise.callsOf('createKycReview')).toHaveLength(1);
    expect(grants.refreshes.size).toBe(0);
  });

  it('answers ACCOUNT_NOT_READY without a covering grant and RELINK_REQUIRED for a refused one, before calling Wise; other grants keep working', async () => {
    // Prepare
    const wise = new FakeWise().on('getProfile', async (_token, id) => profile(id));
    const grants = new InMemoryGrants();
    grants.give('relink', { profileIds: [1] });
    grants.give('relink', { profileIds: [2] });
    grants.requireRelink('relink', { profileId: 1 });
    const access = new CustomerWiseAccess(wise, grants);

    // Act
    const notReady = await problemOf(access.wiseAs('nobody', { deadline: DEADLINE }).me());
    const uncovered = await problemOf(access.wiseAs('relink', { deadline: DEADLINE }).getProfile(3));
    const relink = await problemOf(access.wiseAs('relink', { deadline: DEADLINE }).getProfile(1));
    const other = await access.wiseAs('relink', { deadline: DEADLINE }).getProfile(2);

    // Assess
    expect(notReady.code).toBe('ACCOUNT_NOT_READY');
    expect(uncovered.code).toBe('ACCOUNT_NOT_READY');
    expect(relink).toBeInstanceOf(RelinkRequiredError);
    expect([relink.code, relink.status]).toEqual(['RELINK_REQUIRED', 409]);
    expect(other.id).toBe(2);
    expect(wise.callsOf('getProfile').map(([, id]) => id)).toEqual([2]);
    expect(await grants.accessOf('relink', [1, 2, 3])).toEqual(
      new Map([
        [1, 'RELINK_REQUIRED'],
        [2, 'GRANTED'],
        [3, 'NONE'],
      ]),
    );
  });
});

describe('the grants fake', () => {
  it('a new grant for a covered profile takes it from the older grant, which is deleted once it covers nothing', async () => {
    // Prepare
    const grants = new InMemoryGrants();
    const registration = grants.give(CUSTOMER, { kind: 'registration_code', profileIds: [1, 2] });
    const tokens = { access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 43_199 };

    // Act
    const personal = await grants.keep(CUSTOMER, tokens, { kind: 'authorization_code', profileIds: [1] });
    const afterFirst = await grants.list(CUSTOMER);
    await grants.keep(CUSTOMER, tokens, { kind: 'authorization_code', profileIds: [2] });

    // Assess
    expect(afterFirst.map((g) => [g.grantId, g.profileIds])).toEqual([
      [registration.grantId, [2]],
      [personal.grantId, [1]],
    ]);
    expect((await grants.list(CUSTOMER)).map((g) => g.profileIds)).toEqual([[1], [2]]);
  });
});

describe('the plaintext token cache', () => {
  it('holds at most its capacity, dropping the least recently used entry', () => {
    // Prepare
    const cache = new LruCache<string>(2);
    cache.set('a', '1');
    cache.set('b', '2');

    // Act
    cache.get('a');
    cache.set('c', '3');

    // Assess
    expect(cache.size).toBe(2);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['1', undefined, '3']);
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
