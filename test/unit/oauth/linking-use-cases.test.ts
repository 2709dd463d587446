import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import {
  AccountLinker,
  type LinkCompleter,
  type LinkGrant,
  type LinkResult,
} from '../../../functions/oauth/account-linker';
import { CallbackCompletion } from '../../../functions/oauth/callback-completion';
import { EmailFallback } from '../../../functions/oauth/email-fallback';
import { LinkStarter } from '../../../functions/oauth/link-starter';
import { LocalCipher } from '../../../shared/adapters/local-cipher';
import { StaticCredentials } from '../../../shared/adapters/secrets-manager-credentials';
import { newLinkState, stateHash } from '../../../shared/domain/linking/link-state';
import { customerContext } from '../../../shared/ports/cipher';
import { REGISTRATION_CODE_PURPOSE } from '../../../shared/tokens/remint';
import {
  FakeWise,
  FakeWiseAccess,
  InMemoryAccountStore,
  InMemoryLinkStateStore,
  InMemoryUserTokens,
  ManualClock,
  wiseRefuses,
  wiseUnavailable,
} from '../../support/fakes';
import { problemOf } from '../../support/problems';

const allowed = ['https://app.example/'];
const logger = new Logger({ logLevel: 'SILENT' });

/** A completer that answers one result and keeps the grants it was given. */
class ScriptedLinker implements LinkCompleter {
  readonly grants: LinkGrant[] = [];
  constructor(private readonly result: LinkResult) {}
  async link(grant: LinkGrant): Promise<LinkResult> {
    this.grants.push(grant);
    return this.result;
  }
}

const linked: LinkResult = { kind: 'linked', profileId: 42, wiseUserId: 7 };

const callbackWith = (linker: LinkCompleter = new ScriptedLinker(linked)) => {
  const clock = new ManualClock(1_000_000);
  const linkStates = new InMemoryLinkStateStore();
  const callback = new CallbackCompletion({ linkStates, linker, clock, logger, allowedReturnUrls: allowed });
  const issue = async (state: string, returnUrl = 'https://app.example/back?x=1', dateOfBirth?: string) => {
    await linkStates.save(
      stateHash(state),
      newLinkState({ customerId: 'c1', returnUrl, dateOfBirth }, clock.now()),
    );
  };
  return { clock, linkStates, callback, issue };
};

describe('completing the callback (route 9)', () => {
  it('answers no usable state for a missing, unknown or replayed state, and never reaches Wise', async () => {
    // Prepare
    const linker = new ScriptedLinker(linked);
    const { callback, issue } = callbackWith(linker);
    await issue('s1');
    await callback.complete({ state: 's1', code: 'c' }, Date.now() + 5_000);

    // Act
    const answers = await Promise.all([
      callback.complete({}, Date.now() + 5_000),
      callback.complete({ state: 'never-issued', code: 'c' }, Date.now() + 5_000),
      callback.complete({ state: 's1', code: 'c' }, Date.now() + 5_000),
    ]);

    // Assess
    expect(answers).toEqual([
      { kind: 'no_usable_state' },
      { kind: 'no_usable_state' },
      { kind: 'no_usable_state' },
    ]);
    expect(linker.grants).toHaveLength(1);
  });

  it('consumes a state whose return URL left the allowlist, and sends the browser nowhere', async () => {
    // Prepare
    const { callback, issue, linkStates } = callbackWith();
    await issue('s2', 'https://old.example/back');

    // Act
    const answer = await callback.complete({ state: 's2', code: 'c' }, Date.now() + 5_000);

    // Assess
    expect(answer).toEqual({ kind: 'no_usable_state' });
    expect(linkStates.states.size).toBe(0);
  });

  it('sends the browser back with the outcome: linked, expired, refused at Wise, or no code', async () => {
    // Prepare
    const linker = new ScriptedLinker(linked);
    const { callback, issue, clock } = callbackWith(linker);
    for (const s of ['ok', 'late', 'denied', 'nocode'])
      await issue(s, 'https://app.example/back?x=1', '1990-01-02');

    // Act
    const ok = await callback.complete({ state: 'ok', code: 'c', profileId: 42 }, 9_999);
    const denied = await callback.complete({ state: 'denied', error: 'access_denied' }, 9_999);
    const noCode = await callback.complete({ state: 'nocode' }, 9_999);
    clock.advance(30 * 60 * 1000);
    const late = await callback.complete({ state: 'late', code: 'c' }, 9_999);

    // Assess
    const query = (a: Awaited<ReturnType<CallbackCompletion['complete']>>) =>
      a.kind === 'back_to_partner' ? Object.fromEntries(new URL(a.location).searchParams) : a;
    expect(query(ok)).toEqual({ x: '1', status: 'linked', profileId: '42' });
    expect(query(denied)).toEqual({ x: '1', status: 'error', reason: 'access_denied' });
    expect(query(noCode)).toEqual({ x: '1', status: 'error', reason: 'exchange_failed' });
    expect(query(late)).toEqual({ x: '1', status: 'error', reason: 'expired_state' });
    expect(linker.grants).toEqual([
      { customerId: 'c1', code: 'c', profileId: 42, partnerDateOfBirth: '1990-01-02', deadline: 9_999 },
    ]);
  });

  it('answers failed, never throws, when completing the link fails unexpectedly', async () => {
    // Prepare
    const broken: LinkCompleter = { link: async () => Promise.reject(new Error('table unreachable')) };
    const { callback, issue } = callbackWith(broken);
    await issue('s3');

    // Act
    const answer = await callback.complete({ state: 's3', code: 'c' }, Date.now() + 5_000);

    // Assess
    expect(answer).toEqual({ kind: 'failed' });
  });
});

describe('starting a link (route 8)', () => {
  const starter = () => {
    const clock = new ManualClock(1_000_000);
    const accounts = new InMemoryAccountStore(clock);
    const linkStates = new InMemoryLinkStateStore();
    const cipher = new LocalCipher(Buffer.alloc(32, 7));
    // Unscripted: any call to Wise the test does not expect fails it.
    const wise = new FakeWiseAccess();
    const linkStarter = new LinkStarter({
      accounts,
      linkStates,
      cipher,
      wiseAs: (customerId, options) => wise.wiseAs(customerId, options),
      credentials: new StaticCredentials({ clientId: 'cid', clientSecret: 'secret', clientKey: 'cid' }),
      clock,
      allowedReturnUrls: allowed,
      wiseWebBaseUrl: 'https://wise-sandbox.com',
      redirectUri: 'https://api.bank.example/v1/oauth/callback',
    });
    return { clock, accounts, linkStates, cipher, wise, linkStarter };
  };

  it('stores the state by its hash, marks the account LINK_PENDING and answers the authorize URL', async () => {
    // Prepare
    const { clock, accounts, linkStates, linkStarter } = starter();

    // Act
    const link = await linkStarter.start({
      customerId: 'c1',
      returnUrl: 'https://app.example/back',
      dateOfBirth: '1990-01-02',
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
      dateOfBirth: '1990-01-02',
    });
    expect((await accounts.get('c1'))?.status).toBe('LINK_PENDING');
  });

  it("claims a created account with Wise's claim code, asked for as the customer within the deadline", async () => {
    // Prepare
    const { accounts, cipher, wise, linkStarter } = starter();
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
      deadline: 12_345,
    });

    // Assess
    expect(new URL(link.authorizeUrl).searchParams.get('claim_account_code')).toBe('claim-for-reg-code');
    expect(wise.calls).toEqual([
      { customerId: 'c1', method: 'claimAccountCode', args: ['reg-code'], deadline: 12_345 },
    ]);
    expect((await accounts.get('c1'))?.status).toBe('ACTIVE');
  });

  it('refuses a return URL off the allowlist on returnUrl, before storing anything', async () => {
    // Prepare
    const { accounts, linkStates, linkStarter } = starter();

    // Act
    const err = await problemOf(
      linkStarter.start({ customerId: 'c1', returnUrl: 'https://app.example.evil.io/', deadline: 0 }),
    );

    // Assess
    expect(err.code).toBe('RETURN_URL_NOT_ALLOWED');
    expect(err.status).toBe(400);
    expect(err.errors?.map((e) => e.path)).toEqual(['returnUrl']);
    expect(await accounts.get('c1')).toBeUndefined();
    expect(linkStates.states.size).toBe(0);
  });

  it('refuses to claim an account this service did not create, before storing anything', async () => {
    // Prepare
    const { accounts, linkStates, linkStarter } = starter();
    await accounts.create({ customerId: 'c1', status: 'EXISTING_ACCOUNT' });

    // Act
    const err = await problemOf(
      linkStarter.start({
        customerId: 'c1',
        returnUrl: 'https://app.example/back',
        claimAccount: true,
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

describe('linking with an emailed code (route 10)', () => {
  const fallbackWith = (result: LinkResult) => {
    const clock = new ManualClock(1_000_000);
    const linker = new ScriptedLinker(result);
    const linkStates = new InMemoryLinkStateStore();
    const fallback = new EmailFallback({ accounts: new InMemoryAccountStore(clock), linkStates, linker });
    return { clock, linker, linkStates, fallback };
  };

  it("checks the latest pending link's date of birth when the partner gives none", async () => {
    // Prepare
    const { clock, linker, linkStates, fallback } = fallbackWith(linked);
    await linkStates.save(
      'h1',
      newLinkState(
        { customerId: 'c1', returnUrl: 'https://app.example/', dateOfBirth: '1980-01-01' },
        clock.now(),
      ),
    );
    await linkStates.save(
      'h2',
      newLinkState(
        { customerId: 'c1', returnUrl: 'https://app.example/', dateOfBirth: '1990-01-02' },
        clock.now() + 1,
      ),
    );

    // Act
    const answer = await fallback.link({ customerId: 'c1', code: 'CODE1', deadline: 9_999 });

    // Assess
    expect(answer).toEqual({ profileId: 42 });
    expect(linker.grants).toEqual([
      { customerId: 'c1', code: 'CODE1', partnerDateOfBirth: '1990-01-02', deadline: 9_999 },
    ]);
  });

  it.each([
    [{ kind: 'identity_mismatch' }, 'IDENTITY_MISMATCH', 422, undefined],
    [{ kind: 'exchange_failed', cause: 'rejected' }, 'LINK_CODE_REJECTED', 422, ['code']],
    [{ kind: 'exchange_failed', cause: 'unavailable' }, 'WISE_UNAVAILABLE', 503, undefined],
  ] as const)('refuses %o with %s', async (result, code, status, paths) => {
    // Prepare
    const { fallback } = fallbackWith(result);

    // Act
    const err = await problemOf(
      fallback.link({ customerId: 'c1', code: 'CODE1', dateOfBirth: '1990-01-02', deadline: 9_999 }),
    );

    // Assess
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.errors?.map((e) => e.path)).toEqual(paths);
    if (code === 'WISE_UNAVAILABLE') expect(err.retryAfterSeconds).toBe(2);
  });
});

describe('completing a link (the AccountLinker)', () => {
  const tokenAnswer = {
    access_token: 'at-1',
    token_type: 'bearer',
    expires_in: 43_200,
    refresh_token: 'rt-1',
  };
  const linkerWith = (wise: FakeWise) => {
    const clock = new ManualClock(1_000_000);
    const accounts = new InMemoryAccountStore(clock);
    const tokens = new InMemoryUserTokens();
    const linker = new AccountLinker({
      wise,
      tokens,
      accounts,
      logger,
      redirectUri: 'https://api.bank.example/cb',
    });
    return { accounts, tokens, linker };
  };
  const grant = (more: Partial<LinkGrant> = {}): LinkGrant => ({
    customerId: 'c1',
    code: 'CODE1',
    deadline: 9_999,
    ...more,
  });

  it('keeps the tokens and marks the account LINKED once the granted profile is the same person', async () => {
    // Prepare
    const wise = new FakeWise()
      .on('authorizationCodeToken', async () => tokenAnswer)
      .on('getProfile', async (_token, id) => ({ id, type: 'PERSONAL', dateOfBirth: '1990-01-02' }))
      .on('me', async () => ({ id: 7 }));
    const { accounts, tokens, linker } = linkerWith(wise);

    // Act
    const result = await linker.link(grant({ profileId: 42, partnerDateOfBirth: '1990-01-02' }));

    // Assess
    expect(result).toEqual({ kind: 'linked', profileId: 42, wiseUserId: 7 });
    expect(wise.callsOf('authorizationCodeToken')).toEqual([
      ['CODE1', 'https://api.bank.example/cb', { deadline: 9_999 }],
    ]);
    expect(await tokens.accessToken('c1')).toBe('at-1');
    expect(await accounts.get('c1')).toMatchObject({
      status: 'LINKED',
      origin: 'LINKED',
      wiseUserId: 7,
      personalProfileId: 42,
    });
    expect(await accounts.customerOfProfile(42)).toBe('c1');
  });

  it('drops the tokens and marks LINK_REJECTED for another person, or a profile another customer holds', async () => {
    // Prepare
    const wise = new FakeWise()
      .on('authorizationCodeToken', async () => tokenAnswer)
      .on('listProfiles', async () => [{ id: 42, type: 'PERSONAL', dateOfBirth: '1975-11-30' }])
      .on('me', async () => ({ id: 7 }));
    const { accounts, tokens, linker } = linkerWith(wise);
    await accounts.create({ customerId: 'holder', status: 'LINKED' });
    await accounts.putProfile('holder', { id: 42, type: 'PERSONAL' });

    // Act
    const otherPerson = await linker.link(grant({ partnerDateOfBirth: '1990-01-02' }));
    const heldProfile = await linker.link(grant({ customerId: 'c2' }));

    // Assess
    expect(otherPerson).toEqual({ kind: 'identity_mismatch' });
    expect(heldProfile).toEqual({ kind: 'identity_mismatch' });
    for (const customerId of ['c1', 'c2']) {
      expect(await tokens.has(customerId)).toBe(false);
      expect((await accounts.get(customerId))?.status).toBe('LINK_REJECTED');
    }
    expect(await accounts.customerOfProfile(42)).toBe('holder');
  });

  it('tells a code Wise refused from Wise not answering, and keeps nothing', async () => {
    // Prepare
    const wise = new FakeWise()
      .once('authorizationCodeToken', async () =>
        Promise.reject(wiseRefuses(400, { error: 'invalid_grant' })),
      )
      .once('authorizationCodeToken', async () => Promise.reject(wiseUnavailable()));
    const { accounts, tokens, linker } = linkerWith(wise);

    // Act
    const refused = await linker.link(grant());
    const unavailable = await linker.link(grant());

    // Assess
    expect(refused).toEqual({ kind: 'exchange_failed', cause: 'rejected' });
    expect(unavailable).toEqual({ kind: 'exchange_failed', cause: 'unavailable' });
    expect(await tokens.has('c1')).toBe(false);
    expect(await accounts.get('c1')).toBeUndefined();
  });
});
