import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf } from '../../support/problems';
import {
  authorize,
  businessProfile,
  customerId,
  deadline,
  deps,
  linkedAccount,
  startTokensStack,
  wiseUser,
  type TokensStack,
} from './support';

let t: TokensStack;

beforeAll(async () => {
  t = await startTokensStack();
});
afterAll(async () => {
  await t?.close();
});

describe('the v1 UserTokens port, on the grants', () => {
  it('store keeps an authorization answer as a grant covering the profile Wise granted; has, accessToken and discard follow it', async () => {
    // Prepare
    const d = deps(t);
    const id = customerId('compat');
    const user = await wiseUser(t);
    const businessId = await businessProfile(t, user);
    await linkedAccount(t, id, user, businessId);
    const tokens = await authorize(t, user, businessId);

    // Act
    const before = await d.tokens.has(id);
    await d.tokens.store(id, tokens);
    const after = await d.tokens.has(id);
    const token = await d.tokens.accessToken(id);
    const profile = await d.tokens.withAccessToken(id, (tok) => d.wise.getProfile(tok, businessId), {
      deadline: deadline(),
    });
    await d.tokens.discard(id);

    // Assess
    expect([before, after]).toEqual([false, true]);
    expect(token).toBe(tokens.access_token);
    expect(profile.id).toBe(businessId);
    expect((await d.grants.list(id)).length).toBe(0);
    expect(await d.tokens.has(id)).toBe(false);
    expect((await problemOf(d.tokens.accessToken(id))).code).toBe('ACCOUNT_NOT_READY');
  });

  it('answers ACCOUNT_NOT_READY for a customer without grants, before calling Wise', async () => {
    // Act
    const error = await problemOf(deps(t).wiseAs(customerId('none'), { deadline: deadline() }).me());

    // Assess
    expect([error.code, error.status]).toEqual(['ACCOUNT_NOT_READY', 409]);
  });
});
