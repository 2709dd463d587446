import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistrationCodeRemint } from '../../../shared/tokens/remint';
import { problemOf } from '../../support/problems';
import { REFRESH_WINDOW_MS, UserTokenService } from '../../../shared/tokens/user-tokens';
import {
  existingWiseUser,
  linkCustomer,
  simState,
  startLinkingStack,
  tokensItem,
  type LinkingStack,
  type WiseUser,
} from '../oauth/linking-stack';

let t: LinkingStack;
let n = 0;
const customer = (label: string) => `${label}-${Date.now()}-${++n}`;

beforeAll(async () => {
  t = await startLinkingStack();
});
afterAll(async () => {
  await t?.close();
});

/** Another container's token service: same table, key and Wise client, its own memory and lease owner id. */
const anotherContainer = (): UserTokenService => {
  const d = t.stack.deps.oauth;
  return new UserTokenService(
    d.table,
    d.cipher,
    d.wise,
    d.clock,
    new RegistrationCodeRemint(d.accounts, d.cipher, d.wise),
    d.lease,
  );
};

const linked = async (label: string): Promise<{ customerId: string; user: WiseUser }> => {
  const customerId = customer(label);
  const user = await existingWiseUser(t);
  const back = await linkCustomer(t, customerId, user);
  expect(back.searchParams.get('status')).toBe('linked');
  return { customerId, user };
};

const userTokens = async (userId: number) =>
  (await simState(t)).tokens.filter(
    (x: { kind: string; userId?: number }) => x.kind === 'user' && x.userId === userId,
  ) as Array<{
    access_token: string;
    refresh_token: string;
    revoked: boolean;
  }>;

/** Moves both clocks into the refresh window: the access token still works but has under an hour left. */
const enterRefreshWindow = () => t.clock.advance(43_199 * 1000 - REFRESH_WINDOW_MS + 60_000);

describe('refreshing under a DynamoDB lease', () => {
  it('20 concurrent requests from 20 containers cause exactly one refresh at Wise and all get the same new token', async () => {
    // Prepare
    const { customerId, user } = await linked('concurrent');
    const [original] = await userTokens(user.userId);
    enterRefreshWindow();
    const containers = Array.from({ length: 20 }, anotherContainer);

    // Act
    const tokens = await Promise.all(containers.map((c) => c.accessToken(customerId)));

    // Assess
    const minted = await userTokens(user.userId);
    const refreshed = minted.filter(
      (x) => x.refresh_token === original?.refresh_token && x.access_token !== original?.access_token,
    );
    expect(refreshed).toHaveLength(1);
    expect(new Set(tokens)).toEqual(new Set([refreshed[0]?.access_token]));
    const profile = await t.stack.deps.oauth.wise.getProfile(tokens[0] ?? '', user.profileId);
    expect(profile.id).toBe(user.profileId);
  });

  it('a caller whose token Wise refuses refreshes once, and the other containers reuse that refresh', async () => {
    // Prepare: someone refreshes at Wise out of band, which kills the access token we hold.
    const { customerId, user } = await linked('rotated');
    const d = t.stack.deps.oauth;
    const [a, b] = [anotherContainer(), anotherContainer()];
    const stale = await a.accessToken(customerId);
    const [held] = await userTokens(user.userId);
    await d.wise.refreshToken(held?.refresh_token ?? '');
    const before = (await userTokens(user.userId)).length;

    // Act
    const first = await a.withAccessToken(customerId, (token) => d.wise.getProfile(token, user.profileId));
    const second = await b.withAccessToken(customerId, (token) => d.wise.getProfile(token, user.profileId));

    // Assess
    expect(first.id).toBe(user.profileId);
    expect(second.id).toBe(user.profileId);
    expect((await userTokens(user.userId)).length).toBe(before + 1);
    expect(await b.accessToken(customerId)).not.toBe(stale);
  });

  it('keeps the tokens when a refresh fails for a reason that is not invalid_grant, and releases the lease', async () => {
    // Prepare
    const { customerId, user } = await linked('keep');
    enterRefreshWindow();
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', status: 401, times: 1 });

    // Act
    const failed = await anotherContainer()
      .accessToken(customerId)
      .then(
        () => 'ok',
        (e: { name?: string }) => e.name,
      );
    const next = await anotherContainer().accessToken(customerId);

    // Assess
    await t.sim_('DELETE', '/_sim/faults');
    expect(failed).toBe('WiseApiError');
    const item = await tokensItem(t, customerId);
    expect(item?.ciphertext).toBeDefined();
    expect(item?.leaseOwner).toBeUndefined();
    expect((await userTokens(user.userId)).map((x) => x.access_token)).toContain(next);
    expect((await t.stack.deps.oauth.accounts.get(customerId))?.status).toBe('LINKED');
  });
});

describe('RELINK_REQUIRED', () => {
  it('after Wise revokes the tokens: the next Wise call answers 409 RELINK_REQUIRED, tokens deleted, status RELINK_REQUIRED', async () => {
    // Prepare
    const { customerId, user } = await linked('revoked');
    const d = t.stack.deps.oauth;
    await t.sim_('POST', `/_sim/users/${user.userId}/revoke-tokens`);

    // Act
    const error = await d.tokens
      .withAccessToken(customerId, (token) => d.wise.getProfile(token, user.profileId))
      .catch((e: unknown) => e);
    const again = await anotherContainer()
      .accessToken(customerId)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 409, code: 'RELINK_REQUIRED' });
    expect(again).toMatchObject({ status: 409, code: 'RELINK_REQUIRED' });
    const item = await tokensItem(t, customerId);
    expect(item?.ciphertext).toBeUndefined();
    expect(await d.tokens.has(customerId)).toBe(false);
    const account = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    if (account.status !== 501) expect(account.body.status).toBe('RELINK_REQUIRED');
    expect((await d.accounts.get(customerId))?.status).toBe('RELINK_REQUIRED');
  });

  it.each([400, 401, 403])(
    'marks RELINK_REQUIRED when the refresh is refused with invalid_grant (HTTP %i)',
    async (status) => {
      // Prepare: the simulator answers invalid_grant with 400; 401 and 403 are what other Wise docs suggest.
      const { customerId, user } = await linked(`grant${status}`);
      await t.sim_('POST', `/_sim/users/${user.userId}/revoke-tokens`);
      enterRefreshWindow();
      const d = t.stack.deps.oauth;
      const service = new UserTokenService(
        d.table,
        d.cipher,
        {
          refreshToken: async (token: string, options: object) =>
            d.wise.refreshToken(token, options).catch((e: { status: number }) => {
              Object.defineProperty(e, 'status', { value: status });
              throw e;
            }),
        } as unknown as typeof d.wise,
        d.clock,
        new RegistrationCodeRemint(d.accounts, d.cipher, d.wise),
        d.lease,
      );

      // Act
      const error = await service.accessToken(customerId).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ status: 409, code: 'RELINK_REQUIRED' });
      expect((await d.accounts.get(customerId))?.status).toBe('RELINK_REQUIRED');
      expect((await tokensItem(t, customerId))?.ciphertext).toBeUndefined();
    },
  );

  it('linking again after RELINK_REQUIRED stores fresh tokens and the customer is LINKED again', async () => {
    // Prepare
    const { customerId, user } = await linked('relink');
    await t.sim_('POST', `/_sim/users/${user.userId}/revoke-tokens`);
    const d = t.stack.deps.oauth;
    await d.tokens
      .withAccessToken(customerId, (token) => d.wise.getProfile(token, user.profileId))
      .catch(() => undefined);

    // Act
    const back = await linkCustomer(t, customerId, user);

    // Assess
    expect(back.searchParams.get('status')).toBe('linked');
    expect((await d.accounts.get(customerId))?.status).toBe('LINKED');
    const profile = await anotherContainer().withAccessToken(customerId, (token) =>
      d.wise.getProfile(token, user.profileId),
    );
    expect(profile.id).toBe(user.profileId);
  });
});

describe('Wise as one customer (deps.wiseAs)', () => {
  it("calls Wise with the customer's token, refreshing once when Wise refuses it", async () => {
    // Prepare: an out-of-band refresh kills the access token the service holds.
    const { customerId, user } = await linked('facade');
    const d = t.stack.deps.oauth;
    const [held] = await userTokens(user.userId);
    await d.wise.refreshToken(held?.refresh_token ?? '');
    const before = (await userTokens(user.userId)).length;

    // Act
    const wise = d.wiseAs(customerId, { deadline: Date.now() + 10_000 });
    const profile = await wise.getProfile(user.profileId);
    const profiles = await wise.listProfiles();

    // Assess
    expect(profile.id).toBe(user.profileId);
    expect(profiles.map((p) => p.id)).toContain(user.profileId);
    expect((await userTokens(user.userId)).length).toBe(before + 1);
  });

  it('answers ACCOUNT_NOT_READY for a customer without tokens, before calling Wise', async () => {
    // Prepare
    const d = t.stack.deps.oauth;

    // Act
    const error = await problemOf(d.wiseAs(customer('none'), { deadline: Date.now() + 10_000 }).me());

    // Assess
    expect(error.code).toBe('ACCOUNT_NOT_READY');
    expect(error.status).toBe(409);
  });
});
