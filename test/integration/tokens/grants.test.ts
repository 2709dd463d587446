import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customerContext } from '../../../shared/ports/cipher';
import { GrantWriteRefused } from '../../../shared/ports/grants';
import {
  grantContext,
  LEASE_MARGIN_MS,
  longestRefreshMs,
  PLAIN_CACHE_ENTRIES,
} from '../../../shared/tokens/grants';
import { REGISTRATION_CODE_PURPOSE } from '../../../shared/tokens/remint';
import { defaultRetryPolicy } from '../../../shared/wise/transport';
import { WiseApiError } from '../../../shared/wise/errors';
import { problemOf } from '../../support/problems';
import { untilWiseHoldsARequest } from '../../support/stack';
import { businessBody, personalBody } from '../wise-sandbox/helpers';
import {
  anotherContainer,
  authorize,
  businessProfile,
  customerId,
  customerItems,
  deadline,
  deps,
  enterRefreshWindow,
  grantItem,
  keepGrant,
  linkedAccount,
  putItem,
  simTokens,
  startTokensStack,
  wiseUser,
  type SimUser,
  type TokensStack,
} from './support';

let t: TokensStack;

beforeAll(async () => {
  t = await startTokensStack();
});
afterEach(async () => {
  t.crasher.disarm();
  await t.sim_('DELETE', '/_sim/faults');
});
afterAll(async () => {
  await t?.close();
});

/** A LINKED customer whose personal and business profiles of one Wise user are each linked by their own grant. */
const twoGrants = async (label: string) => {
  const id = customerId(label);
  const user = await wiseUser(t);
  const businessId = await businessProfile(t, user);
  await linkedAccount(t, id, user, businessId);
  const personal = await keepGrant(t, id, user, user.personalId);
  const business = await keepGrant(t, id, user, businessId);
  return { id, user, businessId, personal, business };
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('one grant per linked profile', () => {
  it("two grants of one Wise user: each reaches its own profile, and Wise refuses each on the other's", async () => {
    // Prepare
    const { id, user, businessId } = await twoGrants('two');
    const d = deps(t);

    // Act
    const wise = d.wiseAs(id, { deadline: deadline() });
    const personal = await wise.getProfile(user.personalId);
    const business = await wise.getProfile(businessId);
    const personalToken = (await d.grants.accessToken(id, user.personalId, { deadline: deadline() }))
      .accessToken;
    const businessToken = (await d.grants.accessToken(id, businessId, { deadline: deadline() })).accessToken;
    const crossed = await refusal(d.wise.getProfile(personalToken, businessId));
    const crossedBack = await refusal(d.wise.getProfile(businessToken, user.personalId));
    const listedForBusiness = await d
      .wiseAs(id, { deadline: deadline(), profileId: businessId })
      .listProfiles();

    // Assess
    expect([personal.id, business.id]).toEqual([user.personalId, businessId]);
    expect(personalToken).not.toBe(businessToken);
    expect(crossed).toBeInstanceOf(WiseApiError);
    expect(crossed).toMatchObject({ status: 403 });
    expect(crossedBack).toMatchObject({ status: 403 });
    expect(listedForBusiness.map((p) => p.id)).toEqual([businessId]);
    const kept = (await d.grants.list(id)).map((g) => [g.kind, g.profileIds]);
    expect(kept).toHaveLength(2);
    expect(kept).toEqual(
      expect.arrayContaining([
        ['authorization_code', [user.personalId]],
        ['authorization_code', [businessId]],
      ]),
    );
    expect(await d.grants.accessOf(id)).toEqual(
      new Map([
        [user.personalId, 'GRANTED'],
        [businessId, 'GRANTED'],
      ]),
    );
  });

  it('refreshing one grant leaves the other as it was, still working', async () => {
    // Prepare
    const { id, user, businessId, business } = await twoGrants('refresh-one');
    const d = deps(t);
    const businessBefore = (await d.grants.accessToken(id, businessId, { deadline: deadline() })).accessToken;
    enterRefreshWindow(t);

    // Act
    const personal = await anotherContainer(t).accessToken(id, user.personalId, { deadline: deadline() });

    // Assess
    const held = await simTokens(t, user.userId);
    expect(held.find((x) => x.access_token === personal.accessToken)?.profileIds).toEqual([user.personalId]);
    expect((await grantItem(t, id, personal.grantId))?.version).toBe(2);
    expect((await grantItem(t, id, business.grantId))?.version).toBe(1);
    const businessNow = await d.grants.accessToken(id, businessId, {
      deadline: deadline(),
      minValidityMs: 0,
    });
    expect(businessNow.accessToken).toBe(businessBefore);
    expect(held.find((x) => x.access_token === businessBefore)?.revoked).toBe(false);
    expect((await d.wise.getProfile(businessBefore, businessId)).id).toBe(businessId);
  });

  it('a grant Wise revokes is RELINK_REQUIRED for its profile only; the account needs a relink once no grant works', async () => {
    // Prepare: a new consent for the personal profile elsewhere kills the kept personal grant's refresh token.
    const { id, user, businessId } = await twoGrants('revoke-one');
    const d = deps(t);
    await authorize(t, user, user.personalId);
    enterRefreshWindow(t);

    // Act
    const refused = await problemOf(d.grants.accessToken(id, user.personalId, { deadline: deadline() }));
    const business = await d.wiseAs(id, { deadline: deadline() }).getProfile(businessId);
    const accessAfterOne = await d.grants.accessOf(id, [user.personalId, businessId]);
    const statusAfterOne = (await d.accounts.get(id))?.status;
    await t.sim_('POST', `/_sim/users/${user.userId}/revoke-tokens`);
    const refusedToo = await problemOf(d.wiseAs(id, { deadline: deadline() }).getProfile(businessId));

    // Assess
    expect([refused.code, refused.status]).toEqual(['RELINK_REQUIRED', 409]);
    expect(business.id).toBe(businessId);
    expect(accessAfterOne).toEqual(
      new Map([
        [user.personalId, 'RELINK_REQUIRED'],
        [businessId, 'GRANTED'],
      ]),
    );
    expect(statusAfterOne).toBe('LINKED');
    expect(refusedToo.code).toBe('RELINK_REQUIRED');
    expect((await d.accounts.get(id))?.status).toBe('RELINK_REQUIRED');
    const grants = (await customerItems(t, id)).filter((i) => String(i.sk).startsWith('GRANT#'));
    expect(grants.map((g) => [g.relinkRequired, g.ciphertext])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
  });

  it("linking a profile again replaces its refused grant; the other profile's grant is kept", async () => {
    // Prepare
    const { id, user, businessId, personal, business } = await twoGrants('relink');
    const d = deps(t);
    await authorize(t, user, user.personalId);
    enterRefreshWindow(t);
    await refusal(d.grants.accessToken(id, user.personalId, { deadline: deadline() }));

    // Act
    const again = await keepGrant(t, id, user, user.personalId);

    // Assess
    expect(await grantItem(t, id, personal.grantId)).toBeUndefined();
    expect((await d.grants.list(id)).map((g) => g.grantId)).toEqual([business.grantId, again.grantId]);
    expect((await d.grants.accessOf(id)).get(user.personalId)).toBe('GRANTED');
    expect((await d.wiseAs(id, { deadline: deadline() }).getProfile(user.personalId)).id).toBe(
      user.personalId,
    );
    expect((await d.wiseAs(id, { deadline: deadline() }).getProfile(businessId)).id).toBe(businessId);
  });

  it('a user this service created: the registration-code grant covers the profiles made with it, and is re-minted when Wise refuses its refresh', async () => {
    // Prepare: signup as route 1 does it, through Wise's own calls.
    const d = deps(t);
    const id = customerId('created');
    const email = `${id}@example.com`;
    const code = randomUUID();
    await d.accounts.create({
      customerId: id,
      status: 'ACTIVE',
      origin: 'CREATED',
      email,
      registrationCodeCiphertext: await d.cipher.encrypt(
        code,
        customerContext(id, REGISTRATION_CODE_PURPOSE),
      ),
    });
    const client = await d.wise.clientCredentialsToken();
    const user = await d.wise.signupWithRegistrationCode(client.access_token, {
      email,
      registrationCode: code,
    });
    await d.grants.keep(id, await d.wise.registrationCodeToken(email, code), {
      kind: 'registration_code',
      profileIds: [],
    });
    const wise = d.wiseAs(id, { deadline: deadline() });
    const personal = await wise.createPersonalProfile(
      personalBody({ contactDetails: { email, phoneNumber: '+14085551234' } }),
      randomUUID(),
    );
    const business = await wise.createBusinessProfile(
      businessBody({ registrationNumber: `R${Date.now()}` }),
      randomUUID(),
    );
    await t.sim_('POST', `/_sim/users/${user.id}/revoke-tokens`);

    // Act
    const found = await d.wiseAs(id, { deadline: deadline() }).getProfile(business.id);

    // Assess
    expect(found.id).toBe(business.id);
    const [grant] = await d.grants.list(id);
    expect(grant).toMatchObject({
      kind: 'registration_code',
      profileIds: [personal.id, business.id],
      relinkRequired: false,
    });
    expect(grant?.version).toBe(2);
    expect((await d.accounts.get(id))?.status).toBe('ACTIVE');
    const live = (await simTokens(t, user.id)).filter((x) => !x.revoked);
    expect(live.map((x) => x.profileIds)).toEqual([[personal.id, business.id]]);
  });
});

describe('fenced refresh', () => {
  it('20 concurrent callers in 20 containers cause exactly one refresh at Wise, and all get the same new token', async () => {
    // Prepare
    const { id, user } = await twoGrants('concurrent');
    const [original] = await simTokens(t, user.userId);
    enterRefreshWindow(t);
    const containers = Array.from({ length: 20 }, () => anotherContainer(t));

    // Act
    const tokens = await Promise.all(
      containers.map((c) => c.accessToken(id, user.personalId, { deadline: deadline(15_000) })),
    );

    // Assess
    const refreshed = (await simTokens(t, user.userId)).filter(
      (x) => x.refresh_token === original?.refresh_token && x.access_token !== original?.access_token,
    );
    expect(refreshed).toHaveLength(1);
    expect(new Set(tokens.map((x) => x.accessToken))).toEqual(new Set([refreshed[0]?.access_token]));
    expect((await deps(t).wise.getProfile(tokens[0]!.accessToken, user.personalId)).id).toBe(user.personalId);
  });

  it('the lease outlives the longest refresh the transport can make within the deadline', async () => {
    // Prepare
    const { id, user, personal } = await twoGrants('lease-length');
    enterRefreshWindow(t);
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', delayMs: 400, times: 1 });
    const due = deadline(12_000);

    // Act
    const pending = anotherContainer(t).accessToken(id, user.personalId, { deadline: due });
    await untilWiseHoldsARequest(t);
    const during = await grantItem(t, id, personal.grantId);
    await pending;

    // Assess: the refresh's calls end by the deadline; the lease lasts until then, plus the write's margin.
    expect(longestRefreshMs(defaultRetryPolicy)).toBe(4 * 8000 + 3 * 4000);
    expect(during?.leaseOwner).toBeDefined();
    const leaseLeft = Number(during?.leaseUntil) - deps(t).clock.now();
    expect(leaseLeft).toBeGreaterThanOrEqual(due - Date.now() + LEASE_MARGIN_MS);
    expect((await grantItem(t, id, personal.grantId))?.leaseOwner).toBeUndefined();
  });

  it("a refresh whose answer was lost: nobody is handed the token Wise invalidated, and the next caller's refresh works", async () => {
    // Prepare: under an hour left, so the facade refreshes; a route-20 caller would take 5 minutes.
    const { id, user, personal } = await twoGrants('lost-answer');
    const d = deps(t);
    const stale = (await d.grants.accessToken(id, user.personalId, { deadline: deadline() })).accessToken;
    enterRefreshWindow(t);
    t.crasher.arm('POST', '/oauth/token', 'grant_type=refresh_token');

    // Act
    const crashed = await refusal(d.wiseAs(id, { deadline: deadline() }).getProfile(user.personalId));
    t.crasher.disarm();
    const marked = await grantItem(t, id, personal.grantId);
    const next = await anotherContainer(t).accessToken(id, user.personalId, {
      deadline: deadline(),
      minValidityMs: 5 * 60_000,
    });

    // Assess
    expect(t.crasher.reached).toBeGreaterThanOrEqual(1);
    expect(crashed).toMatchObject({ name: 'WiseUnavailableError' });
    expect(marked).toMatchObject({ accessInDoubt: true, version: 1 });
    expect(marked?.leaseOwner).toBeUndefined();
    const held = await simTokens(t, user.userId);
    expect(held.find((x) => x.access_token === stale)?.revoked).toBe(true);
    expect(next.accessToken).not.toBe(stale);
    expect((await d.wise.getProfile(next.accessToken, user.personalId)).id).toBe(user.personalId);
    expect(await grantItem(t, id, personal.grantId)).toMatchObject({ version: 2 });
    expect((await grantItem(t, id, personal.grantId))?.accessInDoubt).toBeUndefined();
  });

  it('a refresher that died holding the lease: callers wait for it, then one takes over once it lapsed and refreshes', async () => {
    // Prepare: the crashed refresher took the lease and reached Wise (which invalidated the stored token).
    const { id, user, personal } = await twoGrants('died');
    const d = deps(t);
    const stale = (await d.grants.accessToken(id, user.personalId, { deadline: deadline() })).accessToken;
    const [held] = (await simTokens(t, user.userId)).filter((x) => x.access_token === stale);
    expect(
      await d.lease.take(
        { key: { pk: `CUSTOMER#${id}`, sk: `GRANT#${personal.grantId}` }, guard: { version: 1 } },
        'crashed',
        30_000,
      ),
    ).toBe(true);
    await d.wise.refreshToken(held!.refresh_token!);

    // Act
    const whileHeld = await problemOf(
      anotherContainer(t).accessToken(id, user.personalId, { deadline: deadline(300), minValidityMs: 0 }),
    );
    t.clock.advance(30_001);
    const after = await anotherContainer(t).accessToken(id, user.personalId, {
      deadline: deadline(),
      minValidityMs: 0,
    });

    // Assess
    expect(whileHeld.code).toBe('WISE_UNAVAILABLE');
    expect(after.accessToken).not.toBe(stale);
    expect((await d.wise.getProfile(after.accessToken, user.personalId)).id).toBe(user.personalId);
    expect((await grantItem(t, id, personal.grantId))?.leaseOwner).toBeUndefined();
  });

  it('a refresh in flight writes nothing once its grant is forgotten', async () => {
    // Prepare
    const { id, user } = await twoGrants('forgotten');
    enterRefreshWindow(t);
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', delayMs: 500, times: 1 });

    // Act
    const pending = problemOf(anotherContainer(t).accessToken(id, user.personalId, { deadline: deadline() }));
    await untilWiseHoldsARequest(t);
    await deps(t).grants.forgetAll(id);
    const outcome = await pending;

    // Assess
    expect(outcome.code).toBe('ACCOUNT_NOT_READY');
    expect((await customerItems(t, id)).filter((i) => String(i.sk).startsWith('GRANT#'))).toEqual([]);
  });

  it('a caller whose token Wise refuses refreshes once, and another container reuses that refresh', async () => {
    // Prepare: someone refreshes at Wise out of band, which kills the access token we hold.
    const { id, user } = await twoGrants('rotated');
    const d = deps(t);
    const [a, b] = [anotherContainer(t), anotherContainer(t)];
    const stale = (await a.accessToken(id, user.personalId, { deadline: deadline() })).accessToken;
    const [held] = (await simTokens(t, user.userId)).filter((x) => x.access_token === stale);
    await d.wise.refreshToken(held!.refresh_token!);
    const before = (await simTokens(t, user.userId)).length;

    // Act
    const call = (token: string) => d.wise.getProfile(token, user.personalId);
    const first = await a.withAccessToken(id, user.personalId, call, { deadline: deadline() });
    const second = await b.withAccessToken(id, user.personalId, call, { deadline: deadline() });

    // Assess
    expect([first.id, second.id]).toEqual([user.personalId, user.personalId]);
    expect((await simTokens(t, user.userId)).length).toBe(before + 1);
  });

  it('keeps the grant when a refresh fails for a reason that is not invalid_grant, and releases the lease', async () => {
    // Prepare
    const { id, user, personal } = await twoGrants('keep');
    enterRefreshWindow(t);
    await t.sim_('POST', '/_sim/faults', { method: 'POST', path: '/oauth/token', status: 401, times: 1 });

    // Act
    const failed = await refusal(
      anotherContainer(t).accessToken(id, user.personalId, { deadline: deadline() }),
    );
    const next = await anotherContainer(t).accessToken(id, user.personalId, { deadline: deadline() });

    // Assess
    expect(failed).toMatchObject({ name: 'WiseApiError' });
    expect(next.accessToken).toBeDefined();
    expect(await grantItem(t, id, personal.grantId)).toMatchObject({ version: 2 });
    expect((await deps(t).accounts.get(id))?.status).toBe('LINKED');
  });

  it.each([400, 401, 403])(
    'a refresh refused with invalid_grant (HTTP %i) makes the grant RELINK_REQUIRED',
    async (status) => {
      // Prepare: the simulator answers invalid_grant with 400; 401 and 403 are what other Wise docs suggest.
      const { id, user, businessId } = await twoGrants(`grant${status}`);
      const d = deps(t);
      await authorize(t, user, user.personalId);
      enterRefreshWindow(t);
      const container = anotherContainer(t, {
        wise: {
          refreshToken: (token, options) =>
            d.wise.refreshToken(token, options).catch((e: WiseApiError) => {
              throw new WiseApiError(status, e.pathTemplate, e.body);
            }),
        },
      });

      // Act
      const error = await problemOf(container.accessToken(id, user.personalId, { deadline: deadline() }));

      // Assess
      expect([error.code, error.status]).toEqual(['RELINK_REQUIRED', 409]);
      expect((await d.grants.accessOf(id)).get(user.personalId)).toBe('RELINK_REQUIRED');
      expect((await d.grants.accessOf(id)).get(businessId)).toBe('GRANTED');
    },
  );
});

describe('a v1 single pair', () => {
  const v1Pair = async (id: string, user: SimUser, options: { relinkRequired?: boolean } = {}) => {
    const d = deps(t);
    const tokens = await authorize(t, user, user.personalId);
    const pair = JSON.stringify({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
    await putItem(t, {
      pk: `CUSTOMER#${id}`,
      sk: 'TOKENS',
      ...(options.relinkRequired
        ? { relinkRequired: true }
        : { ciphertext: await d.cipher.encrypt(pair, customerContext(id, 'wise-user-tokens')) }),
      accessExpiresAt: d.clock.now() + tokens.expires_in * 1000,
      version: 3,
    });
    return tokens;
  };

  it("is moved on first use into a grant covering the account's profiles, re-encrypted under the grant's context, and deleted", async () => {
    // Prepare
    const id = customerId('v1');
    const user = await wiseUser(t);
    await linkedAccount(t, id, user);
    const tokens = await v1Pair(id, user);
    const d = deps(t);

    // Act
    const profile = await d.wiseAs(id, { deadline: deadline() }).getProfile(user.personalId);

    // Assess
    expect(profile.id).toBe(user.personalId);
    const items = await customerItems(t, id);
    expect(items.find((i) => i.sk === 'TOKENS')).toBeUndefined();
    const grants = items.filter((i) => String(i.sk).startsWith('GRANT#'));
    expect(grants).toHaveLength(1);
    const [grant] = grants;
    expect(grant).toMatchObject({ kind: 'authorization_code', profileIds: [user.personalId], version: 1 });
    const opened = JSON.parse(await d.cipher.decrypt(grant!.ciphertext, grantContext(id, grant!.grantId, 1)));
    expect(opened.accessToken).toBe(tokens.access_token);
    await expect(
      d.cipher.decrypt(grant!.ciphertext, customerContext(id, 'wise-user-tokens')),
    ).rejects.toThrow();
    await expect(d.cipher.decrypt(grant!.ciphertext, grantContext(id, grant!.grantId, 2))).rejects.toThrow();
  });

  it('of a user this service created becomes its registration-code grant; a v1 tombstone a RELINK_REQUIRED grant', async () => {
    // Prepare
    const d = deps(t);
    const [created, tombstone] = [customerId('v1-created'), customerId('v1-tombstone')];
    const user = await wiseUser(t);
    await d.accounts.create({
      customerId: created,
      status: 'ACTIVE',
      origin: 'CREATED',
      wiseUserId: user.userId,
    });
    await d.accounts.putProfile(created, { id: user.personalId, type: 'PERSONAL' });
    await v1Pair(created, user);
    await linkedAccount(t, tombstone, user);
    await v1Pair(tombstone, user, { relinkRequired: true });

    // Act
    const grants = await d.grants.list(created);
    const refused = await problemOf(
      d.grants.accessToken(tombstone, user.personalId, { deadline: deadline() }),
    );

    // Assess
    expect(grants.map((g) => [g.kind, g.profileIds])).toEqual([['registration_code', [user.personalId]]]);
    expect(refused.code).toBe('RELINK_REQUIRED');
    expect((await d.grants.accessOf(tombstone)).get(user.personalId)).toBe('RELINK_REQUIRED');
  });

  it('migrated by two containers at once makes one grant', async () => {
    // Prepare
    const id = customerId('v1-race');
    const user = await wiseUser(t);
    await linkedAccount(t, id, user);
    await v1Pair(id, user);

    // Act
    const seen = await Promise.all(Array.from({ length: 5 }, () => anotherContainer(t).list(id)));

    // Assess
    const grants = (await customerItems(t, id)).filter((i) => String(i.sk).startsWith('GRANT#'));
    expect(grants).toHaveLength(1);
    expect(new Set(seen.map((s) => s.map((g) => g.grantId).join()))).toEqual(new Set([grants[0]!.grantId]));
  });
});

describe('keeping and forgetting', () => {
  it('a keep whose extra write is refused keeps nothing; one whose extra writes succeed commits them with the grant', async () => {
    // Prepare
    const id = customerId('also');
    const user = await wiseUser(t);
    await linkedAccount(t, id, user);
    const owner = { pk: `WISEPROFILE#${user.personalId}`, sk: 'OWNER' };
    await putItem(t, { ...owner, customerId: 'somebody-else' });
    const claim = (me: string) => ({
      Put: {
        TableName: t.tableName,
        Item: { ...owner, customerId: me },
        ConditionExpression: 'attribute_not_exists(pk) OR customerId = :me',
        ExpressionAttributeValues: { ':me': me },
      },
    });
    const tokens = await authorize(t, user, user.personalId);
    const d = deps(t);

    // Act
    const refused = await refusal(
      d.grants.keep(id, tokens, {
        kind: 'authorization_code',
        profileIds: [user.personalId],
        alsoWrite: [claim(id)],
      }),
    );
    const afterRefusal = await d.grants.list(id);
    await putItem(t, { ...owner, customerId: id });
    const kept = await d.grants.keep(id, tokens, {
      kind: 'authorization_code',
      profileIds: [user.personalId],
      alsoWrite: [claim(id)],
    });

    // Assess
    expect(refused).toBeInstanceOf(GrantWriteRefused);
    expect((refused as GrantWriteRefused).refusedWrites).toEqual([0]);
    expect(afterRefusal).toEqual([]);
    expect((await d.grants.list(id)).map((g) => g.grantId)).toEqual([kept.grantId]);
  });

  it('forgetAll deletes every grant and a v1 pair: access NONE, ACCOUNT_NOT_READY, and again without error', async () => {
    // Prepare
    const { id, user, businessId } = await twoGrants('forget');
    await putItem(t, { pk: `CUSTOMER#${id}`, sk: 'TOKENS', ciphertext: 'x', accessExpiresAt: 0, version: 1 });
    const d = deps(t);

    // Act
    await d.grants.forgetAll(id);
    await d.grants.forgetAll(id);

    // Assess
    const left = (await customerItems(t, id)).filter(
      (i) => String(i.sk).startsWith('GRANT#') || i.sk === 'TOKENS',
    );
    expect(left).toEqual([]);
    expect(await d.grants.accessOf(id, [user.personalId, businessId])).toEqual(
      new Map([
        [user.personalId, 'NONE'],
        [businessId, 'NONE'],
      ]),
    );
    expect((await problemOf(d.wiseAs(id, { deadline: deadline() }).me())).code).toBe('ACCOUNT_NOT_READY');
  });

  it('the plaintext cache is bounded and keyed by grant and version: an evicted grant is decrypted again', async () => {
    // Prepare
    const container = anotherContainer(t, { cacheEntries: 2 });
    const user = await wiseUser(t);
    const ids = [customerId('cache'), customerId('cache'), customerId('cache')];
    for (const id of ids) await linkedAccount(t, id, user);
    const kept: string[] = [];
    for (const id of ids) {
      const tokens = await authorize(t, user, user.personalId);
      await container.keep(id, tokens, { kind: 'authorization_code', profileIds: [user.personalId] });
      kept.push(tokens.access_token);
    }

    // Act
    const sizeAfterKeeps = container.cachedPairs;
    const first = await container.accessToken(ids[0]!, user.personalId, {
      deadline: deadline(),
      minValidityMs: 0,
    });

    // Assess
    expect(PLAIN_CACHE_ENTRIES).toBe(1_000);
    expect(sizeAfterKeeps).toBe(2);
    expect(first.accessToken).toBe(kept[0]);
    expect(container.cachedPairs).toBe(2);
  });
});
