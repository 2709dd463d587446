import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../../shared/wise/transport';
import { startTestStack, type TestStack } from '../../support/stack';
import { accountPath, customerBody, freshCustomer, simState, partner } from './fixtures';

/**
 * Wise did the work but its answer never arrived (a crash, a cut connection): the product's fetch
 * to Wise is cut for one path — the first request reaches Wise, its answer and every retry are lost —
 * so the call fails after Wise acted, like an invocation that died there.
 */
let cut: { path: string; reached: number } | undefined;
const cuttingFetch: FetchLike = async (url, init) => {
  const target = cut && new URL(url).pathname === cut.path && init.method === 'POST' ? cut : undefined;
  if (!target) return fetch(url, init);
  target.reached += 1;
  if (target.reached === 1) await fetch(url, init);
  throw new TypeError('fetch failed');
};

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({
    subscribe: false,
    stack: { overrides: { retry: { baseDelayMs: 20, maxDelayMs: 200 }, fetch: cuttingFetch } },
  });
});
beforeEach(() => {
  cut = undefined;
});
afterAll(async () => t?.close());

describe('route 1 after Wise acted but its answer was lost', () => {
  it('signup: the retry meets 409 NOT_UNIQUE, proves the user is ours with our registration code, and goes on', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('crash-signup');
    cut = { path: '/v1/user/signup/registration_code', reached: 0 };
    const failed = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const usersAfterCrash = (await simState(t)).users.filter((u) => u.email === email);
    cut = undefined;

    // Act
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(failed.status).toBe(503);
    expect(usersAfterCrash).toHaveLength(1);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ status: 'ACTIVE', wiseUserId: usersAfterCrash[0]!.id });
    const state = await simState(t);
    expect(state.users.filter((u) => u.email === email)).toHaveLength(1);
    expect(state.profiles.filter((p) => p.userId === usersAfterCrash[0]!.id)).toHaveLength(1);
  });

  it('personal profile: the retry with the same X-idempotence-uuid gets the profile Wise already made', async () => {
    // Prepare
    const { customerId, email } = freshCustomer('crash-profile');
    cut = { path: '/v2/profiles/personal-profile', reached: 0 };
    const failed = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });
    const afterCrash = await simState(t);
    const createdUser = afterCrash.users.find((u) => u.email === email)!;
    const profilesAfterCrash = afterCrash.profiles.filter((p) => p.userId === createdUser.id);
    cut = undefined;

    // Act
    const retried = await t.call('POST', accountPath(customerId), { as: partner, body: customerBody(email) });

    // Assess
    expect(failed.status).toBe(503);
    expect(retried.status).toBe(201);
    const state = await simState(t);
    const user = state.users.find((u) => u.email === email)!;
    const profiles = state.profiles.filter((p) => p.userId === user.id);
    expect(profiles).toHaveLength(1);
    expect(retried.body.profiles).toEqual([expect.objectContaining({ id: profiles[0]!.id })]);
    expect(profilesAfterCrash.map((p) => p.id)).toEqual(profiles.map((p) => p.id));
  });
});
