import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { AccountLinker, type CodeToLink, type LinkOutcome } from '../../../functions/oauth/account-linker';
import { CallbackCompletion } from '../../../functions/oauth/callback-completion';
import { Disconnection } from '../../../functions/oauth/disconnection';
import { EmailFallback } from '../../../functions/oauth/email-fallback';
import { IdentityRecording } from '../../../functions/oauth/identity-recording';
import { LinkCompletion } from '../../../functions/oauth/link-completion';
import { LinkStarter } from '../../../functions/oauth/link-starter';
import { LocalCipher } from '../../../shared/adapters/local-cipher';
import { StaticCredentials } from '../../../shared/adapters/secrets-manager-credentials';
import { AuthorizeLinks } from '../../../shared/domain/linking/authorize-links';
import { linkResultHash } from '../../../shared/domain/linking/link-result';
import { newLinkState, stateHash } from '../../../shared/domain/linking/link-state';
import { DomainError } from '../../../shared/errors/domain-error';
import type { AuditActor } from '../../../shared/ports/audit';
import { customerContext } from '../../../shared/ports/cipher';
import { linkResultContext, linkResultLease } from '../../../shared/ports/link-results';
import { REGISTRATION_CODE_PURPOSE } from '../../../shared/tokens/remint';
import type { TokenResponse } from '../../../shared/wise/schemas';
import {
  FakeWise,
  FakeWiseAccess,
  inMemoryStores,
  ManualClock,
  wiseRefuses,
  wiseUnavailable,
} from '../../support/fakes';
import { problemOf } from '../../support/problems';

const allowed = ['https://app.example/'];
const logger = new Logger({ logLevel: 'SILENT' });
const actor: AuditActor = { kind: 'customer', subject: 'c1' };
const cipher = new LocalCipher(Buffer.alloc(32, 7));
const tokenAnswer: TokenResponse = {
  access_token: 'at-1',
  token_type: 'bearer',
  expires_in: 43_200,
  refresh_token: 'rt-1',
};

/** Every fake on one clock, as the functions' services see them. */
const world = () => {
  const clock = new ManualClock(1_000_000);
  return { clock, ...inMemoryStores(clock) };
};

describe('the callback (route 9)', () => {
  const callbackWith = () => {
    const w = world();
    const callback = new CallbackCompletion({
      linkStates: w.linkStates,
      linkResults: w.linkResults,
      cipher,
      clock: w.clock,
      logger,
      allowedReturnUrls: allowed,
    });
    const issue = (state: string, returnUrl = 'https://app.example/back?x=1') =>
      w.linkStates.save(stateHash(state), newLinkState({ customerId: 'c1', returnUrl }, w.clock.now()));
    return { ...w, callback, issue };
  };
  const query = (a: Awaited<ReturnType<CallbackCompletion['complete']>>) =>
    a.kind === 'back_to_partner' ? Object.fromEntries(new URL(a.location).searchParams) : a;

  it('keeps the code encrypted under the customer and this result, and sends the one-time result back', async () => {
    // Prepare
    const { callback, issue, linkResults, clock } = callbackWith();
    await issue('s1');

    // Act
    const answer = await callback.complete({ state: 's1', code: 'the-code', profileId: 42 });

    // Assess
    const back = query(answer) as Record<string, string>;
    expect(back).toMatchObject({ x: '1', status: 'authorized', profileId: '42' });
    const hash = linkResultHash(back.result ?? '');
    const kept = await linkResults.find(hash);
    expect(kept).toMatchObject({ customerId: 'c1', profileId: 42, expiresAt: clock.now() + 10 * 60 * 1000 });
    expect(kept?.codeCiphertext).not.toContain('the-code');
    expect(await cipher.decrypt(kept?.codeCiphertext ?? '', linkResultContext('c1', hash, 'code'))).toBe(
      'the-code',
    );
    await expect(
      cipher.decrypt(kept?.codeCiphertext ?? '', linkResultContext('c2', hash, 'code')),
    ).rejects.toThrow();
  });

  it('answers no usable state for a missing, unknown or replayed state, and not_finished for an error without one', async () => {
    // Prepare
    const { callback, issue, linkResults } = callbackWith();
    await issue('s1');
    await callback.complete({ state: 's1', code: 'c' });

    // Act
    const answers = await Promise.all([
      callback.complete({}),
      callback.complete({ state: 'never-issued', code: 'c' }),
      callback.complete({ state: 's1', code: 'c' }),
      callback.complete({ error: 'access_denied' }),
    ]);

    // Assess
    expect(answers).toEqual([
      { kind: 'no_usable_state' },
      { kind: 'no_usable_state' },
      { kind: 'no_usable_state' },
      { kind: 'not_finished' },
    ]);
    expect(linkResults.hashesOf('c1')).toHaveLength(1);
  });

  it('consumes a state whose return URL left the allowlist, and sends the browser nowhere', async () => {
    // Prepare
    const { callback, issue, linkStates } = callbackWith();
    await issue('s2', 'https://old.example/back');

    // Act
    const answer = await callback.complete({ state: 's2', code: 'c' });

    // Assess
    expect(answer).toEqual({ kind: 'no_usable_state' });
    expect(linkStates.states.size).toBe(0);
  });

  it('sends the browser back with the failure: expired, refused at Wise, no code, or the code could not be kept', async () => {
    // Prepare
    const { callback, issue, clock, linkResults } = callbackWith();
    for (const s of ['late', 'denied', 'nocode', 'broken']) await issue(s);
    linkResults.keep = async () => Promise.reject(new Error('table unreachable'));

    // Act
    const denied = await callback.complete({ state: 'denied', error: 'access_denied' });
    const noCode = await callback.complete({ state: 'nocode' });
    const broken = await callback.complete({ state: 'broken', code: 'c' });
    clock.advance(30 * 60 * 1000);
    const late = await callback.complete({ state: 'late', code: 'c' });

    // Assess
    expect(query(denied)).toEqual({ x: '1', status: 'error', reason: 'access_denied' });
    expect(query(noCode)).toEqual({ x: '1', status: 'error', reason: 'exchange_failed' });
    expect(query(broken)).toEqual({ x: '1', status: 'error', reason: 'exchange_failed' });
    expect(query(late)).toEqual({ x: '1', status: 'error', reason: 'expired_state' });
  });

  it('answers failed, never throws, when the state cannot be read', async () => {
    // Prepare
    const { callback, linkStates } = callbackWith();
    linkStates.consume = async () => Promise.reject(new Error('table unreachable'));

    // Act
    const answer = await callback.complete({ state: 's3', code: 'c' });

    // Assess
    expect(answer).toEqual({ kind: 'failed' });
  });
});

describe('starting a link (route 8)', () => {
  const starter = () => {
    const w = world();
    // Unscripted: any call to Wise the test does not expect fails it.
    const wise = new FakeWiseAccess();
    const authorizeLinks = new AuthorizeLinks({
      accounts: w.accounts,
      linkStates: w.linkStates,
      identities: w.identities,
      credentials: new StaticCredentials({ clientId: 'cid', clientSecret: 'secret', clientKey: 'cid' }),
      audit: w.audit,
      clock: w.clock,
      allowedReturnUrls: allowed,
      wiseWebBaseUrl: 'https://wise-sandbox.com',
      redirectUri: 'https://api.bank.example/v1/oauth/callback',
    });
    const linkStarter = new LinkStarter({ authorizeLinks, cipher, wiseAs: wise.wiseAsFn });
    return { ...w, wise, linkStarter };
  };

  it('stores the state by its hash with the normalised return URL, marks LINK_PENDING, and records link.started', async () => {
    // Prepare
    const { clock, accounts, linkStates, linkStarter, identities, audit } = starter();
    await identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const link = await linkStarter.start({
      customerId: 'c1',
      returnUrl: 'HTTPS://APP.example/back',
      actor,
      deadline: 0,
    });

    // Assess
    const url = new URL(link.authorizeUrl);
    const state = url.searchParams.get('state') ?? '';
    expect(`${url.origin}${url.pathname}`).toBe('https://wise-sandbox.com/oauth/authorize/');
    expect(url.searchParams.get('client_id')).toBe('cid');
    expect(url.searchParams.get('redirect_uri')).toBe('https://api.bank.example/v1/oauth/callback');
    expect(url.searchParams.has('claim_account_code')).toBe(false);
    expect(link.expiresAt).toBe(new Date(clock.now() + 30 * 60 * 1000).toISOString());
    expect([...linkStates.states.keys()]).toEqual([stateHash(state)]);
    expect(linkStates.states.get(stateHash(state))).toMatchObject({
      customerId: 'c1',
      returnUrl: 'https://app.example/back',
    });
    expect((await accounts.get('c1'))?.status).toBe('LINK_PENDING');
    expect(audit.events('c1')).toEqual([
      expect.objectContaining({ action: 'link.started', actor, details: { status: 'LINK_PENDING' } }),
    ]);
  });

  it("claims a created account with Wise's claim code, asked for as the customer; the link lives 5 minutes", async () => {
    // Prepare
    const { accounts, wise, linkStarter, identities, clock } = starter();
    await identities.record('c1', { dateOfBirth: '1990-01-02' });
    const ciphertext = await cipher.encrypt('reg-code', customerContext('c1', REGISTRATION_CODE_PURPOSE));
    await accounts.create({
      customerId: 'c1',
      status: 'ACTIVE',
      origin: 'CREATED',
      registrationCodeCiphertext: ciphertext,
    });
    wise.on('claimAccountCode', async (_customerId, registrationCode) => `claim-for-${registrationCode}`);

    // Act
    const link = await linkStarter.start({
      customerId: 'c1',
      returnUrl: 'https://app.example/back',
      claimAccount: true,
      actor,
      deadline: 12_345,
    });

    // Assess
    expect(new URL(link.authorizeUrl).searchParams.get('claim_account_code')).toBe('claim-for-reg-code');
    expect(link.expiresAt).toBe(new Date(clock.now() + 5 * 60 * 1000).toISOString());
    expect(wise.calls).toEqual([
      { customerId: 'c1', method: 'claimAccountCode', args: ['reg-code'], deadline: 12_345 },
    ]);
    expect((await accounts.get('c1'))?.status).toBe('ACTIVE');
  });

  it.each([
    ['a return URL off the allowlist', 'https://app.example.evil.io/', true, 'RETURN_URL_NOT_ALLOWED'],
    ['encoded traversal', 'https://app.example/..%2fadmin', true, 'RETURN_URL_NOT_ALLOWED'],
    ['nothing on record', 'https://app.example/back', false, 'IDENTITY_REQUIRED'],
  ] as const)(
    'refuses %s before storing anything or asking Wise',
    async (_label, returnUrl, withIdentity, code) => {
      // Prepare
      const { accounts, linkStates, linkStarter, identities, audit, wise } = starter();
      if (withIdentity) await identities.record('c1', { registrationNumber: 'HRB 1' });

      // Act
      const err = await problemOf(
        linkStarter.start({ customerId: 'c1', returnUrl, claimAccount: true, actor, deadline: 0 }),
      );

      // Assess
      expect(err.code).toBe(code);
      if (code === 'RETURN_URL_NOT_ALLOWED') expect(err.errors?.map((e) => e.path)).toEqual(['returnUrl']);
      expect(await accounts.get('c1')).toBeUndefined();
      expect(linkStates.states.size).toBe(0);
      expect(audit.actions('c1')).toEqual([]);
      expect(wise.calls).toEqual([]);
    },
  );

  it('refuses to claim an account this service did not create, before storing anything', async () => {
    // Prepare
    const { accounts, linkStates, linkStarter, identities } = starter();
    await identities.record('c1', { dateOfBirth: '1990-01-02' });
    await accounts.create({ customerId: 'c1', status: 'EXISTING_ACCOUNT' });

    // Act
    const err = await problemOf(
      linkStarter.start({
        customerId: 'c1',
        returnUrl: 'https://app.example/back',
        claimAccount: true,
        actor,
        deadline: 0,
      }),
    );

    // Assess
    expect(err.code).toBe('CLAIM_NOT_AVAILABLE');
    expect(err.status).toBe(409);
    expect((await accounts.get('c1'))?.status).toBe('EXISTING_ACCOUNT');
    expect(linkStates.states.size).toBe(0);
  });
});

describe('completing a link (the AccountLinker)', () => {
  const linkerWith = (wise: FakeWise) => {
    const w = world();
    const linker = new AccountLinker({
      wise,
      grants: w.grants,
      accounts: w.accounts,
      identities: w.identities,
      owners: w.profileOwners,
      audit: w.audit,
      logger,
      redirectUri: 'https://api.bank.example/cb',
    });
    return { ...w, linker };
  };
  const code = (more: Partial<CodeToLink> = {}): CodeToLink => ({
    customerId: 'c1',
    code: 'CODE1',
    actor,
    deadline: 9_999,
    ...more,
  });
  const wiseWith = (profile: Record<string, unknown> | undefined, userId = 7) =>
    new FakeWise()
      .on('authorizationCodeToken', async () => tokenAnswer)
      .on('getProfile', async (_token, id) => ({ id, ...(profile ?? {}) }) as never)
      .on('listProfiles', async () => (profile ? [{ id: 42, ...profile }] : []) as never)
      .on('me', async () => ({ id: userId }));
  const refusedWith = (outcome: LinkOutcome) =>
    outcome.kind === 'refused' ? outcome.error.code : outcome.kind;

  it('keeps one grant for the granted profile with its owner and link.completed in the same transaction, then LINKED', async () => {
    // Prepare
    const wise = wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' });
    const { accounts, grants, identities, linker, audit } = linkerWith(wise);
    await identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const outcome = await linker.link(code({ profileId: 42 }));

    // Assess
    expect(outcome).toEqual({ kind: 'linked', profileId: 42 });
    expect(wise.callsOf('authorizationCodeToken')).toEqual([
      ['CODE1', 'https://api.bank.example/cb', { deadline: 9_999 }],
    ]);
    expect((await grants.list('c1')).map((g) => [g.kind, g.profileIds])).toEqual([
      ['authorization_code', [42]],
    ]);
    const writes = grants.transactWrites.map((w) => String(w.Put?.Item?.pk));
    expect(writes).toEqual(['WISEPROFILE#42', 'AUDIT#c1']);
    for (const w of grants.transactWrites) audit.commit(w);
    expect(audit.events('c1')).toEqual([
      expect.objectContaining({ action: 'link.completed', details: { profileId: 42, status: 'LINKED' } }),
    ]);
    expect(await accounts.get('c1')).toMatchObject({
      status: 'LINKED',
      origin: 'LINKED',
      wiseUserId: 7,
      personalProfileId: 42,
    });
    expect(await accounts.customerOfProfile(42)).toBe('c1');
  });

  it('compares a business profile by registration number, in any spelling', async () => {
    // Prepare
    const { identities, linker } = linkerWith(
      wiseWith({ type: 'BUSINESS', registrationNumber: 'HRB 12345' }),
    );
    await identities.record('c1', { registrationNumber: 'hrb-12345' });

    // Act
    const outcome = await linker.link(code({ profileId: 43 }));

    // Assess
    expect(outcome).toEqual({ kind: 'linked', profileId: 43 });
  });

  it('refuses another person (LINK_REJECTED), nothing on record for the type, and keeps nothing', async () => {
    // Prepare
    const other = linkerWith(wiseWith({ type: 'PERSONAL', dateOfBirth: '1975-11-30' }));
    await other.identities.record('c1', { dateOfBirth: '1990-01-02' });
    const business = linkerWith(wiseWith({ type: 'BUSINESS', registrationNumber: 'X1' }));
    await business.identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const mismatch = await other.linker.link(code({ profileId: 42 }));
    const unverifiable = await business.linker.link(code({ profileId: 43 }));

    // Assess
    expect(refusedWith(mismatch)).toBe('IDENTITY_MISMATCH');
    expect(refusedWith(unverifiable)).toBe('IDENTITY_UNVERIFIABLE');
    expect(await other.grants.list('c1')).toEqual([]);
    expect(await business.grants.list('c1')).toEqual([]);
    expect((await other.accounts.get('c1'))?.status).toBe('LINK_REJECTED');
    expect(await business.accounts.get('c1')).toBeUndefined();
    expect(other.audit.events('c1')).toEqual([
      expect.objectContaining({
        action: 'link.rejected',
        details: { reason: 'IDENTITY_MISMATCH', profileId: 42, status: 'LINK_REJECTED' },
      }),
    ]);
  });

  it('leaves a LINKED customer LINKED when a second profile is not theirs', async () => {
    // Prepare
    const { accounts, identities, linker, grants } = linkerWith(
      wiseWith({ type: 'PERSONAL', dateOfBirth: '1975-11-30' }),
    );
    await identities.record('c1', { dateOfBirth: '1990-01-02' });
    await accounts.create({ customerId: 'c1', status: 'LINKED', wiseUserId: 7 });
    grants.give('c1', { profileIds: [41] });

    // Act
    const outcome = await linker.link(code({ profileId: 42 }));

    // Assess
    expect(refusedWith(outcome)).toBe('IDENTITY_MISMATCH');
    expect((await accounts.get('c1'))?.status).toBe('LINKED');
    expect((await grants.list('c1')).map((g) => g.profileIds)).toEqual([[41]]);
  });

  it('refuses a profile another customer holds: by its owner, by its profile item, or when the owner write is refused', async () => {
    // Prepare
    const byOwner = linkerWith(wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' }));
    byOwner.profileOwners.own(42, 'holder');
    const byItem = linkerWith(wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' }));
    await byItem.accounts.create({ customerId: 'holder', status: 'ACTIVE' });
    await byItem.accounts.putProfile('holder', { id: 42, type: 'PERSONAL' });
    const raced = linkerWith(wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' }));
    raced.grants.refuseNextKeep([0]);
    for (const w of [byOwner, byItem, raced]) await w.identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const outcomes = [
      await byOwner.linker.link(code({ profileId: 42 })),
      await byItem.linker.link(code({ profileId: 42 })),
      await raced.linker.link(code({ profileId: 42 })),
    ];

    // Assess
    expect(outcomes.map(refusedWith)).toEqual([
      'PROFILE_LINKED_ELSEWHERE',
      'PROFILE_LINKED_ELSEWHERE',
      'PROFILE_LINKED_ELSEWHERE',
    ]);
    for (const w of [byOwner, byItem, raced]) expect(await w.grants.list('c1')).toEqual([]);
  });

  it('never moves an account to another Wise user unless it was disconnected', async () => {
    // Prepare
    const linked = linkerWith(wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' }, 8));
    await linked.accounts.create({ customerId: 'c1', status: 'LINKED', wiseUserId: 7 });
    const disconnected = linkerWith(wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' }, 8));
    await disconnected.accounts.create({ customerId: 'c1', status: 'DISCONNECTED', wiseUserId: 7 });
    for (const w of [linked, disconnected]) await w.identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const refused = await linked.linker.link(code({ profileId: 42 }));
    const relinked = await disconnected.linker.link(code({ profileId: 42 }));

    // Assess
    expect(refusedWith(refused)).toBe('LINKED_TO_ANOTHER_WISE_USER');
    expect(await linked.accounts.get('c1')).toMatchObject({ status: 'LINKED', wiseUserId: 7 });
    expect(relinked).toEqual({ kind: 'linked', profileId: 42 });
    expect(await disconnected.accounts.get('c1')).toMatchObject({ status: 'LINKED', wiseUserId: 8 });
  });

  it('keeps the grant of a Wise user with no profile yet, and names the next step', async () => {
    // Prepare
    const { accounts, grants, identities, linker } = linkerWith(wiseWith(undefined));
    await identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const outcome = await linker.link(code());

    // Assess
    expect(outcome).toEqual({ kind: 'linked_without_profile', nextStep: 'CREATE_PERSONAL_PROFILE' });
    expect((await grants.list('c1')).map((g) => g.profileIds)).toEqual([[]]);
    expect(await accounts.get('c1')).toMatchObject({ status: 'LINKED', wiseUserId: 7, profiles: [] });
  });

  it('tells a code Wise refused from Wise not answering, hands the exchanged answer back, and resumes from it', async () => {
    // Prepare
    const wise = wiseWith({ type: 'PERSONAL', dateOfBirth: '1990-01-02' })
      .once('authorizationCodeToken', async () =>
        Promise.reject(wiseRefuses(400, { error: 'invalid_grant' })),
      )
      .once('authorizationCodeToken', async () => Promise.reject(wiseUnavailable()));
    const { linker, grants, identities } = linkerWith(wise);
    await identities.record('c1', { dateOfBirth: '1990-01-02' });
    const exchanged: TokenResponse[] = [];

    // Act
    const refused = await linker.link(code());
    const unavailable = await linker.link(code()).catch((e: unknown) => e);
    const resumed = await linker.link(
      code({
        code: undefined,
        tokens: tokenAnswer,
        profileId: 42,
        onExchanged: async (t) => void exchanged.push(t),
      }),
    );

    // Assess
    expect(refused).toEqual({ kind: 'code_rejected' });
    expect((unavailable as Error).name).toBe('WiseUnavailableError');
    expect(resumed).toEqual({ kind: 'linked', profileId: 42 });
    expect(exchanged).toEqual([]);
    expect(wise.callsOf('authorizationCodeToken')).toHaveLength(2);
    expect((await grants.list('c1')).length).toBe(1);
  });
});

describe('completing with a result (route 17)', () => {
  const completionWith = (outcome: LinkOutcome | (() => Promise<LinkOutcome>)) => {
    const w = world();
    const calls: CodeToLink[] = [];
    const linker = {
      link: async (input: CodeToLink) => {
        calls.push(input);
        return typeof outcome === 'function' ? outcome() : outcome;
      },
    };
    const completion = new LinkCompletion({
      linkResults: w.linkResults,
      lease: w.lease,
      cipher,
      clock: w.clock,
      linker,
    });
    const keep = async (result: string, customerId = 'c1') => {
      const hash = linkResultHash(result);
      await w.linkResults.keep(hash, {
        customerId,
        codeCiphertext: await cipher.encrypt('the-code', linkResultContext(customerId, hash, 'code')),
        profileId: 42,
        createdAt: w.clock.now(),
        expiresAt: w.clock.now() + 10 * 60 * 1000,
      });
      return hash;
    };
    return { ...w, completion, keep, calls };
  };
  const complete = (c: LinkCompletion, result: string, customerId = 'c1') =>
    c.complete({ customerId, result, actor, deadline: 9_999 });

  it("opens the code under the result's customer, links, and uses the result up", async () => {
    // Prepare
    const { completion, keep, calls, linkResults } = completionWith({ kind: 'linked', profileId: 42 });
    const hash = await keep('r1');

    // Act
    const linked = await complete(completion, 'r1');
    const again = await problemOf(complete(completion, 'r1'));

    // Assess
    expect(linked).toEqual({ status: 'LINKED', profileId: 42 });
    expect(calls).toEqual([
      expect.objectContaining({ customerId: 'c1', code: 'the-code', profileId: 42, deadline: 9_999 }),
    ]);
    expect(await linkResults.find(hash)).toBeUndefined();
    expect(again.code).toBe('LINK_RESULT_INVALID');
  });

  it("answers one LINK_RESULT_INVALID for an unknown, another customer's or an expired result, and keeps them", async () => {
    // Prepare
    const { completion, keep, calls, clock, linkResults } = completionWith({ kind: 'linked', profileId: 42 });
    const others = await keep('theirs', 'c2');
    const late = await keep('late');
    clock.advance(10 * 60 * 1000);

    // Act
    const errors = [
      await problemOf(complete(completion, 'never')),
      await problemOf(complete(completion, 'theirs')),
      await problemOf(complete(completion, 'late')),
    ];

    // Assess
    expect(errors.map((e) => [e.code, e.status, e.detail])).toEqual(
      Array(3).fill(['LINK_RESULT_INVALID', 400, errors[0]?.detail]),
    );
    expect(calls).toEqual([]);
    expect(await linkResults.find(others)).toBeDefined();
    expect(await linkResults.find(late)).toBeDefined();
  });

  it('answers IN_PROGRESS while another completion holds the result', async () => {
    // Prepare
    const { completion, keep, lease, calls } = completionWith({ kind: 'linked', profileId: 42 });
    const hash = await keep('r1');
    await lease.take(linkResultLease(hash), 'someone-else', 30_000);

    // Act
    const err = await problemOf(complete(completion, 'r1'));

    // Assess
    expect(err.code).toBe('IN_PROGRESS');
    expect(calls).toEqual([]);
  });

  it('uses the result up when Wise refuses the code or a rule refuses the link, and keeps it when Wise does not answer', async () => {
    // Prepare
    const rejected = completionWith({ kind: 'code_rejected' });
    const refused = completionWith({ kind: 'refused', error: new DomainError('IDENTITY_MISMATCH') });
    const outage = completionWith(async () => Promise.reject(wiseUnavailable()));
    const hashes = [await rejected.keep('r'), await refused.keep('r'), await outage.keep('r')];

    // Act
    const errors = [
      (await problemOf(complete(rejected.completion, 'r'))).code,
      (await problemOf(complete(refused.completion, 'r'))).code,
      await complete(outage.completion, 'r').catch((e: Error) => e.name),
    ];

    // Assess
    expect(errors).toEqual(['LINK_RESULT_INVALID', 'IDENTITY_MISMATCH', 'WiseUnavailableError']);
    expect(await rejected.linkResults.find(hashes[0] ?? '')).toBeUndefined();
    expect(await refused.linkResults.find(hashes[1] ?? '')).toBeUndefined();
    expect(await outage.linkResults.find(hashes[2] ?? '')).toBeDefined();
    expect(outage.lease.holder(linkResultLease(hashes[2] ?? ''))).toBeUndefined();
  });

  it('keeps the exchanged answer encrypted with the result, and a retry resumes from it without the code', async () => {
    // Prepare
    let attempt = 0;
    const w = completionWith(async () => {
      attempt += 1;
      if (attempt === 1) {
        await w.calls[0]?.onExchanged?.(tokenAnswer);
        throw wiseUnavailable();
      }
      return { kind: 'linked', profileId: 42 };
    });
    const hash = await w.keep('r1');

    // Act
    await complete(w.completion, 'r1').catch(() => undefined);
    const kept = await w.linkResults.find(hash);
    const linked = await complete(w.completion, 'r1');

    // Assess
    expect(kept?.tokensCiphertext).toBeDefined();
    expect(kept?.tokensCiphertext).not.toContain('at-1');
    expect(linked).toEqual({ status: 'LINKED', profileId: 42 });
    expect(w.calls[1]).toMatchObject({ code: undefined, tokens: tokenAnswer });
  });
});

describe('linking with a typed code (route 10)', () => {
  const fallbackWith = (outcome: LinkOutcome | (() => Promise<LinkOutcome>)) => {
    const w = world();
    const calls: CodeToLink[] = [];
    const linker = {
      link: async (input: CodeToLink) => {
        calls.push(input);
        return typeof outcome === 'function' ? outcome() : outcome;
      },
    };
    const fallback = new EmailFallback({ identities: w.identities, attempts: w.codeAttempts, linker });
    return { ...w, fallback, calls };
  };
  const typed = (f: EmailFallback, code = 'CODE1') =>
    f.link({ customerId: 'c1', code, actor, deadline: 9_999 });

  it('refuses with IDENTITY_REQUIRED before anything when nothing is on record', async () => {
    // Prepare
    const { fallback, calls } = fallbackWith({ kind: 'linked', profileId: 42 });

    // Act
    const err = await problemOf(typed(fallback));

    // Assess
    expect(err.code).toBe('IDENTITY_REQUIRED');
    expect(calls).toEqual([]);
  });

  it.each([
    [{ kind: 'code_rejected' } as const, 'LINK_CODE_REJECTED', 422, ['code']],
    [
      { kind: 'refused', error: new DomainError('IDENTITY_MISMATCH') } as const,
      'IDENTITY_MISMATCH',
      422,
      undefined,
    ],
  ])('refuses %o with %s, and the attempt counts', async (outcome, code, status, paths) => {
    // Prepare
    const { fallback, identities, codeAttempts } = fallbackWith(outcome);
    await identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const err = await problemOf(typed(fallback));

    // Assess
    expect([err.code, err.status]).toEqual([code, status]);
    expect(err.errors?.map((e) => e.path)).toEqual(paths);
    expect(codeAttempts.held.get('c1')?.size).toBe(1);
  });

  it('answers the sixth failed code in an hour with TOO_MANY_ATTEMPTS and when to retry, without trying it', async () => {
    // Prepare
    const { fallback, identities, calls, clock } = fallbackWith({ kind: 'code_rejected' });
    await identities.record('c1', { dateOfBirth: '1990-01-02' });
    for (let i = 0; i < 5; i++) {
      await problemOf(typed(fallback));
      clock.advance(60_000);
    }

    // Act
    const sixth = await problemOf(typed(fallback));
    clock.advance(56 * 60_000);
    const later = await problemOf(typed(fallback));

    // Assess
    expect(sixth.code).toBe('TOO_MANY_ATTEMPTS');
    expect(sixth.status).toBe(429);
    expect(sixth.retryAfterSeconds).toBe(55 * 60);
    expect(later.code).toBe('LINK_CODE_REJECTED');
    expect(calls).toHaveLength(6);
  });

  it('gives the attempt back when the code links or Wise does not answer', async () => {
    // Prepare
    const linked = fallbackWith({ kind: 'linked', profileId: 42 });
    const outage = fallbackWith(async () => Promise.reject(wiseUnavailable()));
    for (const w of [linked, outage]) await w.identities.record('c1', { dateOfBirth: '1990-01-02' });

    // Act
    const answer = await typed(linked.fallback);
    await typed(outage.fallback).catch(() => undefined);

    // Assess
    expect(answer).toEqual({ status: 'LINKED', profileId: 42 });
    expect(linked.codeAttempts.held.get('c1')?.size).toBe(0);
    expect(outage.codeAttempts.held.get('c1')?.size).toBe(0);
  });
});

describe('recording the identity (route 18) and disconnecting (route 19)', () => {
  it('records a change with its audit event, and a repeat writes nothing', async () => {
    // Prepare
    const w = world();
    const recording = new IdentityRecording({ identities: w.identities, audit: w.audit });

    // Act
    const first = await recording.put(
      'c1',
      { dateOfBirth: '1990-01-02', registrationNumber: 'HRB 1' },
      actor,
    );
    const repeat = await recording.put('c1', { dateOfBirth: '1990-01-02' }, actor);
    const forget = await recording.put('c1', { registrationNumber: null }, actor);

    // Assess
    expect(first).toEqual({ dateOfBirth: true, registrationNumber: true });
    expect(repeat).toEqual({ dateOfBirth: true, registrationNumber: true });
    expect(forget).toEqual({ dateOfBirth: true, registrationNumber: false });
    expect(w.identities.transactWrites.map((x) => x.Put?.Item?.details)).toEqual([
      { dateOfBirth: true, registrationNumber: true },
      { dateOfBirth: true, registrationNumber: false },
    ]);
    expect(JSON.stringify([...w.items.partition('CUSTOMER#c1')])).not.toContain('1990-01-02');
  });

  it('forgets every grant and the registration code, marks DISCONNECTED once, and is a no-op when repeated', async () => {
    // Prepare
    const w = world();
    await w.accounts.create({
      customerId: 'c1',
      status: 'LINKED',
      origin: 'CREATED',
      registrationCodeCiphertext: 'sealed',
    });
    w.grants.give('c1', { kind: 'registration_code', profileIds: [41] });
    w.grants.give('c1', { profileIds: [42] });
    const disconnection = new Disconnection({
      accounts: w.accounts,
      grants: w.grants,
      linkResults: w.linkResults,
      audit: w.audit,
      logger,
    });

    // Act
    await disconnection.disconnect('c1', actor);
    await disconnection.disconnect('c1', actor);
    await disconnection.disconnect('never-seen', actor);

    // Assess
    const account = await w.accounts.get('c1');
    expect(account?.status).toBe('DISCONNECTED');
    expect(account?.registrationCodeCiphertext).toBeUndefined();
    expect(await w.grants.list('c1')).toEqual([]);
    expect(w.audit.events('c1')).toEqual([
      expect.objectContaining({
        action: 'link.disconnected',
        details: { previousStatus: 'LINKED', status: 'DISCONNECTED', grants: 2 },
      }),
    ]);
    expect(await w.accounts.get('never-seen')).toBeUndefined();
  });
});
