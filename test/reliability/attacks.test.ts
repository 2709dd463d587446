import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { request } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { routes as webhookRoutes } from '../../functions/webhooks/routes';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../local/gateway/dev-issuer';
import type { LambdaHandler } from '../../shared/http/types';
import { ADMIN_SCOPE, routes } from '../../shared/routes';
import { handlerWith } from '../../shared/runtime/function';
import { leakScanTest } from './support/leaks';
import { figures, noteSecrets, proves, reportFor, saveReport } from './support/report';
import {
  accountPath,
  activeCustomer,
  existingWiseUser,
  freshCustomer,
  completeLink,
  linkThroughCallback,
  partner,
  profilePath,
  startReliabilityStack,
  type ReliabilityStack,
} from './support/stack';
import type { CallResult } from '../support/stack';
import { waitUntil } from '../../shared/runtime/wait';

/**
 * What an attacker would try against the partner API: another customer's data, forged tokens,
 * forged and replayed OAuth state, open redirects, forged and replayed webhooks, spoofed hosts.
 */
reportFor(import.meta.url);

const ALLOWED = 'https://allowed.example.com/return/';
const webhookKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

let t: ReliabilityStack;
let webhooks: LambdaHandler | undefined;
let alice: Awaited<ReturnType<typeof activeCustomer>> & { reviewId: string };
beforeAll(async () => {
  t = await startReliabilityStack({
    subscribe: false,
    stack: {
      allowedReturnUrls: [ALLOWED],
      wrapHandler: (fn, handler) =>
        fn !== 'webhooks'
          ? handler
          : (event, context) => {
              const deps = t.stack.deps.webhooks;
              const trusted = `${t.sim.webhookPublicKeyPem}\n${webhookKey.publicKey.export({ type: 'spki', format: 'pem' }) as string}`;
              webhooks ??= handlerWith(
                'webhooks',
                { ...deps, config: { ...deps.config, webhookPublicKeys: trusted } },
                webhookRoutes,
              );
              return webhooks(event, context);
            },
    },
  });
  const a = await activeCustomer(t, 'alice');
  const review = await t.call('POST', `${profilePath(a.customerId, a.profileId)}/kyc-reviews`, {
    as: a.customerId,
    body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: `${ALLOWED}kyc` },
  });
  if (review.status !== 201) throw new Error(`kyc review: ${review.status} ${review.text}`);
  alice = { ...a, reviewId: review.body.id as string };
});
afterAll(async () => {
  saveReport();
  await t?.close();
});

const attack = <T>(p: Promise<T>): Promise<T> => {
  figures.attacksSent += 1;
  return p;
};

const bodies: Record<string, unknown> = {
  createAccount: {
    email: 'x@example.com',
    firstName: 'A',
    lastName: 'B',
    dateOfBirth: '1990-01-01',
    phoneNumber: '+442079460000',
    address: { addressFirstLine: '1 St', city: 'London', countryIso3Code: 'GBR', postCode: 'EC1A 1BB' },
  },
  checkVerification: { sourceCurrencies: ['GBP'] },
  startLink: { returnUrl: `${ALLOWED}x` },
  linkWithCode: { code: 'abc' },
  createKycReview: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: `${ALLOWED}x` },
};

const pathOf = (path: string, customerId: string) =>
  path
    .replace('{customerId}', customerId)
    .replace('{profileId}', String(alice.profileId))
    .replace('{reviewId}', alice.reviewId)
    .replace('{requirementKey}', 'ACCOUNT_PURPOSE');

const countItems = async () => t.countItems();

describe('cross-customer access', () => {
  proves(
    'attacks.cross-customer',
    "another customer's token gets 403 FORBIDDEN on every partner route, the same for a customer that does not exist",
    async () => {
      // Prepare
      const partnerRoutes = routes.filter((r) => r.auth === 'token');
      const before = await countItems();
      const ghost = `ghost-${randomUUID().slice(0, 8)}`;

      // Act
      const answers = await Promise.all(
        partnerRoutes.flatMap((r) =>
          [alice.customerId, ghost].map(async (target) => ({
            route: r.id,
            target,
            answer: await attack(
              t.call(r.method, pathOf(r.path, target), {
                as: 'mallory',
                body: r.method === 'GET' ? undefined : (bodies[r.id] ?? {}),
              }),
            ),
          })),
        ),
      );

      // Assess
      expect(partnerRoutes.length).toBeGreaterThanOrEqual(14);
      for (const { route, answer } of answers) {
        expect({ route, status: answer.status, code: answer.body?.code }).toEqual({
          route,
          status: 403,
          code: 'FORBIDDEN',
        });
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
      const aliceAnswer = answers.find((a) => a.target === alice.customerId)!.answer.body;
      const ghostAnswer = answers.find((a) => a.target === ghost)!.answer.body;
      expect(aliceAnswer).toEqual(ghostAnswer);
      expect(await countItems()).toBe(before);
    },
  );

  proves(
    'attacks.cross-customer',
    "the back office's admin scope is the only way to act on another customer",
    async () => {
      // Act
      const admin = await attack(
        t.call('GET', accountPath(alice.customerId), { as: { scope: ADMIN_SCOPE } }),
      );
      const otherScope = await attack(
        t.call('GET', accountPath(alice.customerId), {
          as: { customerId: 'mallory', scope: 'wise-onboarding/admins openid' },
        }),
      );

      // Assess
      expect(admin.status).toBe(200);
      expect(otherScope.status).toBe(403);
    },
  );
});

describe('forged JWTs', () => {
  proves(
    'attacks.jwt',
    'another key, alg none, expired, not yet valid, wrong audience, wrong issuer, HS256: all 401',
    async () => {
      // Prepare
      const issuerKey = Reflect.get(t.stack.issuer, 'privateKey') as CryptoKey;
      const { privateKey: otherKey } = await generateKeyPair('ES256');
      const now = Math.floor(Date.now() / 1000);
      const jwt = (claims: Record<string, unknown>, key: CryptoKey = issuerKey, alg = 'ES256') =>
        new SignJWT({
          sub: alice.customerId,
          iss: DEV_ISSUER,
          aud: DEV_AUDIENCE,
          iat: now,
          exp: now + 600,
          ...claims,
        })
          .setProtectedHeader({ alg, typ: 'JWT' })
          .sign(key);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const valid = await jwt({});
      const forged = {
        'another key': await jwt({}, otherKey as CryptoKey),
        'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: alice.customerId, iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now + 600 })}.`,
        expired: await jwt({ iat: now - 7200, exp: now - 3600 }),
        'not yet valid': await jwt({ nbf: now + 3600 }),
        'wrong audience': await jwt({ aud: 'another-api' }),
        'wrong issuer': await jwt({ iss: 'https://evil.example/' }),
        'HS256 with a guessable secret': await new SignJWT({
          sub: alice.customerId,
          iss: DEV_ISSUER,
          aud: DEV_AUDIENCE,
          exp: now + 600,
        })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('wise-onboarding')),
        'a valid token with its payload swapped': `${valid.split('.')[0]}.${b64({ sub: 'mallory', scope: ADMIN_SCOPE, iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now + 600 })}.${valid.split('.')[2]}`,
      };

      // Act
      const control = await t.call('GET', accountPath(alice.customerId), {
        as: null,
        headers: { authorization: `Bearer ${valid}` },
      });
      const answers = await Promise.all(
        Object.entries(forged).map(async ([kind, token]) => ({
          kind,
          answer: await attack(
            t.call('GET', accountPath(alice.customerId), {
              as: null,
              headers: { authorization: `Bearer ${token}` },
            }),
          ),
        })),
      );

      // Assess
      expect(control.status).toBe(200);
      for (const { kind, answer } of answers) {
        expect({ kind, status: answer.status, code: answer.body?.code }).toEqual({
          kind,
          status: 401,
          code: 'UNAUTHORIZED',
        });
      }
    },
  );
});

describe('OAuth state', () => {
  proves(
    'attacks.oauth-state',
    'a forged, a tampered or a replayed state is refused with the 400 page, never a redirect, never a link',
    async () => {
      // Prepare
      const { customerId } = freshCustomer('state');
      const user = await existingWiseUser(t);
      const linked = await linkThroughCallback(t, customerId, user, `${ALLOWED}linked`);
      const completed = await completeLink(t, customerId, linked.result);
      const tokensAfterLink = (await t.state()).tokens.filter((k) => k.userId === user.userId).length;
      const callback = (query: string) =>
        attack(fetch(`${t.stack.url}/v1/oauth/callback?${query}`, { redirect: 'manual' }));
      const code = linked.callbackUrl.searchParams.get('code') ?? '';
      const tampered = `${linked.state.slice(0, -1)}${linked.state.endsWith('A') ? 'B' : 'A'}`;
      const forged = randomBytes(32).toString('base64url');

      // Act
      const answers = await Promise.all([
        callback(linked.callbackUrl.search.slice(1)),
        callback(`code=${code}&state=${encodeURIComponent(tampered)}`),
        callback(`code=${code}&state=${forged}`),
        callback(`code=${code}&state=${createHash('sha256').update(linked.state).digest('hex')}`),
        callback(`code=${code}`),
        callback(`state=${linked.state}&error=access_denied`),
      ]);

      // Assess
      expect(new URL(linked.location!).searchParams.get('status')).toBe('authorized');
      expect(completed.status).toBe(200);
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.headers.get('location')).toBeNull();
        expect(answer.headers.get('cache-control')).toBe('no-store');
      }
      expect((await t.state()).tokens.filter((k) => k.userId === user.userId)).toHaveLength(tokensAfterLink);
      const account = await t.call('GET', accountPath(customerId), { as: customerId });
      expect(account.body).toMatchObject({ status: 'LINKED', wiseUserId: user.userId });
    },
  );
});

describe('open redirects', () => {
  const host = 'allowed.example.com';
  const variants = [
    'https://evil.example/return/',
    `https://${host}.evil.io/return/`,
    `https://${host}@evil.io/return/`,
    `https://allowed@evil.io/return/`,
    `https://user:pass@${host}/return/`,
    `//evil.io/return/`,
    `javascript:alert(document.domain)//${host}/return/`,
    `JaVaScRiPt:alert(1)`,
    `data:text/html,<script>alert(1)</script>`,
    `http://${host}/return/`,
    `https://${host}:8443/return/`,
    `https://${host}/other/`,
    `https://${host}/returnevil/`,
    `https://${host}%2F@evil.io/return/`,
    `https://${host}%2eevil.io/return/`,
    `https://evil.io%23@${host}/return/`,
    `https://evil.io\\@${host}/return/`,
    `https:\\\\evil.io\\return\\`,
    `https://evil.io/#https://${host}/return/`,
    `https://evil.io/?https://${host}/return/`,
    `https://${host}\u3002evil.io/return/`,
    `https://${host}．evil.io/return/`,
    `https://xn--${host}/return/`,
    ` https://evil.io/return/`,
    `https://evil.io\t/return/`,
    `/\\evil.io/return/`,
    `https://${host}/return/`
      .toUpperCase()
      .replace('HTTPS://ALLOWED.EXAMPLE.COM/RETURN/', 'https://evil.io/RETURN/'),
  ];

  proves(
    'attacks.open-redirect',
    `route 8 refuses ${variants.length} return URLs off the allowlist and stores nothing`,
    async () => {
      // Prepare
      const before = await countItems();
      const { customerId } = freshCustomer('redirect');

      // Act
      const answers = await Promise.all(
        variants.map(async (returnUrl) => ({
          returnUrl,
          answer: await attack(
            t.call('POST', `/v1/customers/${customerId}/wise-link`, { as: customerId, body: { returnUrl } }),
          ),
        })),
      );

      // Assess
      for (const { returnUrl, answer } of answers) {
        expect({ returnUrl, status: answer.status }).toEqual({ returnUrl, status: 400 });
        expect(['RETURN_URL_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(answer.body.code);
      }
      expect(await countItems()).toBe(before);
    },
  );

  proves(
    'attacks.open-redirect',
    `routes 12 and 15 refuse the same redirect URLs and store nothing`,
    async () => {
      // Prepare
      const before = await countItems();
      const base = profilePath(alice.customerId, alice.profileId);

      // Act
      const answers = await Promise.all(
        variants.flatMap((redirectUrl) => [
          attack(
            t.call('POST', `${base}/kyc-reviews`, {
              as: alice.customerId,
              body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl },
            }),
          ),
          attack(
            t.call('POST', `${base}/kyc-reviews/${alice.reviewId}/link`, {
              as: alice.customerId,
              body: { redirectUrl },
            }),
          ),
        ]),
      );

      // Assess
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(['RETURN_URL_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(answer.body.code);
      }
      expect(await countItems()).toBe(before);
    },
  );
});

describe('webhooks', () => {
  const envelope = (profileId: number, state: string, occurredAt: number) =>
    JSON.stringify({
      data: {
        resource: { type: 'profile', id: profileId },
        current_state: state,
        occurred_at: new Date(occurredAt).toISOString(),
      },
      subscription_id: randomUUID(),
      event_type: 'profiles#verification-state-change',
      schema_version: '2.0.0',
      sent_at: new Date(occurredAt).toISOString(),
    });
  const signed = (body: string, key = webhookKey.privateKey) =>
    sign('RSA-SHA256', Buffer.from(body), key).toString('base64');
  const deliver = (body: string, signature?: string): Promise<CallResult> =>
    attack(
      t.call('POST', '/v1/webhooks/wise', {
        as: null,
        rawBody: body,
        headers: {
          'content-type': 'application/json',
          'x-delivery-id': randomUUID(),
          ...(signature ? { 'x-signature-sha256': signature } : {}),
        },
      }),
    );
  const webhookItems = async () => {
    const table = t.stack.deps.webhooks.table;
    const out = await table.db.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'WEBHOOK#' },
        ConsistentRead: true,
      }),
    );
    return out.Items?.length ?? 0;
  };
  const verificationOf = async () =>
    (await t.call('GET', accountPath(alice.customerId), { as: alice.customerId })).body.profiles.find(
      (p: { id: number }) => p.id === alice.profileId,
    ).verification as string;

  proves(
    'attacks.webhooks',
    'no signature, another key, a tampered body, a signature of another body: 401 and nothing stored',
    async () => {
      // Prepare
      const before = await countItems();
      const body = envelope(alice.profileId, 'verified', t.clock.now());
      const other = envelope(alice.profileId, 'verified', t.clock.now() + 1);

      // Act
      const answers = await Promise.all([
        deliver(body),
        deliver(body, ''),
        deliver(body, signed(body, strangerKey.privateKey)),
        deliver(body.replace('"verified"', '"not_verified"'), signed(body)),
        deliver(other, signed(body)),
        deliver(body, `${signed(body)}AA`),
        deliver(body, Buffer.from('x').toString('base64')),
      ]);

      // Assess
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('INVALID_SIGNATURE');
      }
      expect(await countItems()).toBe(before);
      expect(await verificationOf()).not.toBe('verified');
    },
  );

  proves(
    'attacks.webhooks',
    'a replayed genuine delivery is answered 200 and changes nothing, even after a newer event',
    async () => {
      // Prepare
      const older = envelope(alice.profileId, 'verified', t.clock.now() - 60_000);
      const newer = envelope(alice.profileId, 'not_verified', t.clock.now());
      const first = await deliver(older, signed(older));
      const second = await deliver(newer, signed(newer));
      const records = await webhookItems();
      await waitUntil(async () => ((await verificationOf()) === 'not_verified' ? true : undefined), {
        every: 25,
        deadline: Date.now() + 10_000,
      });

      // Act
      const replays = await Promise.all([deliver(older, signed(older)), deliver(newer, signed(newer))]);

      // Assess: recorded, then applied from the table's stream (storage-first).
      expect([first.body.result, second.body.result]).toEqual(['recorded', 'recorded']);
      expect(replays.map((r) => [r.status, r.body.result])).toEqual([
        [200, 'duplicate'],
        [200, 'duplicate'],
      ]);
      expect(await webhookItems()).toBe(records);
      const projected = await waitUntil(
        async () => ((await verificationOf()) === 'not_verified' ? true : undefined),
        {
          every: 25,
          deadline: Date.now() + 10_000,
        },
      );
      expect(projected).toBe(true);
    },
  );
});

describe('spoofed Host and X-Forwarded-Host', () => {
  const spoofed = {
    host: 'evil.example',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    forwarded: 'host=evil.example;proto=https',
    'x-original-host': 'evil.example',
  };
  /** A raw request, so that the Host header really is the attacker's. */
  const rawPost = async (path: string, customerId: string, body: unknown) => {
    const url = new URL(t.stack.url);
    const token = await t.stack.token(customerId);
    const payload = Buffer.from(JSON.stringify(body));
    figures.attacksSent += 1;
    return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path,
          headers: {
            ...spoofed,
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': payload.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };

  proves(
    'attacks.host-headers',
    "change neither the authorize URL's redirect_uri, nor the claim URL, nor the KYC links",
    async () => {
      // Prepare
      const callbackUrl = t.stack.deps.oauth.config.oauthCallbackUrl;
      const { customerId } = freshCustomer('host');
      await t.call('PUT', `/v1/customers/${customerId}/identity`, {
        as: partner,
        body: { dateOfBirth: '1990-01-01' },
      });
      const base = profilePath(alice.customerId, alice.profileId);

      // Act
      const link = await rawPost(`/v1/customers/${customerId}/wise-link`, customerId, {
        returnUrl: `${ALLOWED}x`,
      });
      const claim = await rawPost(`${accountPath(alice.customerId)}/claim`, alice.customerId, {});
      const review = await rawPost(`${base}/kyc-reviews`, alice.customerId, {
        trigger: { type: 'PROACTIVE_SEND_MONEY' },
        redirectUrl: `${ALLOWED}kyc`,
      });
      // A new review is NEW for a few seconds at Wise (no link to give yet): move the simulator past it.
      await t.sim.advance(3000);
      const fresh = await rawPost(
        `${base}/kyc-reviews/${review.body.id as string}/link`,
        alice.customerId,
        {},
      );

      // Assess
      expect([link.status, claim.status, [200, 201].includes(review.status), fresh.status]).toEqual([
        201,
        201,
        true,
        200,
      ]);
      const authorizeUrl = new URL(link.body.authorizeUrl as string);
      noteSecrets('oauth state', [authorizeUrl.searchParams.get('state')]);
      const claimUrl = new URL(claim.body.claimUrl as string);
      expect(authorizeUrl.origin).toBe(new URL(t.sim.url).origin);
      expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(callbackUrl);
      expect(claimUrl.origin).toBe(new URL(t.sim.url).origin);
      expect(claimUrl.searchParams.get('redirect_uri')).toBe(callbackUrl);
      const reviewLink = review.body.link as { url: string } | null;
      if (reviewLink) expect(new URL(reviewLink.url).origin).toBe(new URL(t.sim.url).origin);
      expect(new URL(fresh.body.url as string).origin).toBe(new URL(t.sim.url).origin);
      expect(JSON.stringify([link.body, claim.body, review.body, fresh.body])).not.toContain('evil');
    },
  );
});

describe('linking across customers (two-phase completion)', () => {
  proves(
    'attacks.cross-customer-link',
    "a link started by one customer and consented to by someone else fails at route 17 in the victim's and the attacker's session; no Wise token is obtained",
    async () => {
      // Prepare: the attacker starts a link and sends the genuine authorize URL to the victim, who consents at Wise.
      const attacker = freshCustomer('attacker').customerId;
      const victim = freshCustomer('victim').customerId;
      const person = await existingWiseUser(t, '1999-09-09');
      for (const [customerId, dateOfBirth] of [
        [attacker, '1980-01-01'],
        [victim, person.dateOfBirth],
      ] as const)
        await t.call('PUT', `/v1/customers/${customerId}/identity`, { as: partner, body: { dateOfBirth } });
      const start = await t.call('POST', `/v1/customers/${attacker}/wise-link`, {
        as: attacker,
        body: { returnUrl: `${ALLOWED}linked` },
      });
      const authorizeUrl = new URL(start.body.authorizeUrl as string);
      noteSecrets('oauth state', [authorizeUrl.searchParams.get('state')]);
      const consent = await t.sim_('POST', '/_sim/oauth/authorize', {
        client_id: authorizeUrl.searchParams.get('client_id'),
        redirect_uri: authorizeUrl.searchParams.get('redirect_uri'),
        state: authorizeUrl.searchParams.get('state'),
        email: person.email,
        password: person.password,
        decision: 'allow',
      });
      const location = new URL(consent.body.location as string);
      const code = location.searchParams.get('code') ?? '';
      // The callback sends the victim's own browser back to the partner's app, with the result.
      const callback = await fetch(new URL(location.pathname + location.search, t.stack.url), {
        redirect: 'manual',
      });
      const result = new URL(callback.headers.get('location') ?? '').searchParams.get('result') ?? '';
      noteSecrets('link result', [result]);

      // Act
      const inVictimSession = await attack(completeLink(t, victim, result));
      const inAttackerSession = await attack(
        completeLink(t, attacker, randomBytes(32).toString('base64url')),
      );
      const attackerOnVictim = await attack(
        t.call('POST', `/v1/customers/${victim}/wise-link/complete`, { as: attacker, body: { result } }),
      );
      const exchangedSoFar = (await t.state()).tokens.filter((k) => k.userId === person.userId);
      const codeSoFar = (await t.state()).authorizationCodes?.find((c) => c.code === code);
      // Defence in depth: even a leaked result, used in the attacker's own session, is refused (another person).
      const leaked = await attack(completeLink(t, attacker, result));

      // Assess
      expect(callback.status).toBe(302);
      expect([inVictimSession.status, inVictimSession.body.code]).toEqual([400, 'LINK_RESULT_INVALID']);
      expect([inAttackerSession.status, inAttackerSession.body.code]).toEqual([400, 'LINK_RESULT_INVALID']);
      expect([attackerOnVictim.status, attackerOnVictim.body.code]).toEqual([403, 'FORBIDDEN']);
      expect(exchangedSoFar).toEqual([]);
      expect(codeSoFar?.used).toBe(false);
      expect([leaked.status, leaked.body.code]).toEqual([422, 'IDENTITY_MISMATCH']);
      for (const customerId of [attacker, victim]) {
        const grants = await t.stack.deps.oauth.grants.list(customerId);
        expect(grants).toEqual([]);
      }
      const victimAccount = await t.call('GET', accountPath(victim), { as: partner });
      expect(victimAccount.status).toBe(404);
    },
  );
});

describe('callers', () => {
  const partnerOnly = [
    {
      route: 'createAccount',
      method: 'POST',
      path: (c: string) => accountPath(c),
      body: bodies.createAccount,
    },
    {
      route: 'createBusinessProfile',
      method: 'POST',
      path: (c: string) => `${accountPath(c)}/business-profiles`,
      body: { businessName: 'X Ltd', registrationNumber: '1' },
    },
    {
      route: 'updateProfile',
      method: 'PUT',
      path: (c: string) => profilePath(c, alice.profileId),
      body: { firstName: 'Mallory' },
    },
    {
      route: 'submitIdentityDocument',
      method: 'POST',
      path: (c: string) => `${profilePath(c, alice.profileId)}/identity-documents`,
      body: { type: 'CPF', uniqueIdentifier: '12345678909' },
    },
    {
      route: 'putIdentity',
      method: 'PUT',
      path: (c: string) => `/v1/customers/${c}/identity`,
      body: { dateOfBirth: '1970-01-01' },
    },
  ];

  proves(
    'attacks.partner-only',
    'a customer token on its own partner-only routes (1, 3, 4, 6, 18) gets 403 FORBIDDEN; nothing stored, Wise not called',
    async () => {
      // Prepare
      const before = await countItems();
      const wiseBefore = JSON.stringify(await t.state());
      const stranger = freshCustomer('self-service').customerId;

      // Act
      const answers = await Promise.all(
        partnerOnly.flatMap(({ route, method, path, body }) =>
          [alice.customerId, stranger].map(async (customerId) => ({
            route,
            answer: await attack(t.call(method, path(customerId), { as: customerId, body })),
          })),
        ),
      );

      // Assess
      for (const { route, answer } of answers) {
        expect({ route, status: answer.status, code: answer.body?.code }).toEqual({
          route,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
      expect(await countItems()).toBe(before);
      const wiseAfter = await t.state();
      expect(wiseAfter.users.length).toBe(JSON.parse(wiseBefore).users.length);
      expect(wiseAfter.profiles).toEqual(JSON.parse(wiseBefore).profiles);
    },
  );

  proves(
    'attacks.scope-parsing',
    'a comma-joined, bracketed, array or scp admin scope grants nothing: 403 on another customer',
    async () => {
      // Prepare
      const issuerKey = Reflect.get(t.stack.issuer, 'privateKey') as CryptoKey;
      const now = Math.floor(Date.now() / 1000);
      const jwt = (claims: Record<string, unknown>) =>
        new SignJWT({
          sub: 'mallory',
          iss: DEV_ISSUER,
          aud: DEV_AUDIENCE,
          iat: now,
          exp: now + 600,
          ...claims,
        })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
          .sign(issuerKey);
      const tokens = {
        'one legal scope with a comma': await jwt({ scope: `x,${ADMIN_SCOPE}` }),
        'comma-separated scopes': await jwt({ scope: `openid,${ADMIN_SCOPE}` }),
        'a bracketed list': await jwt({ scope: `[openid ${ADMIN_SCOPE}]` }),
        'an array': await jwt({ scope: ['openid', ADMIN_SCOPE] }),
        'the scp claim': await jwt({ scp: ADMIN_SCOPE }),
        'the scp claim as an array': await jwt({ scp: [ADMIN_SCOPE] }),
      };
      const control = await t.call('GET', accountPath(alice.customerId), {
        as: null,
        headers: { authorization: `Bearer ${await jwt({ scope: `openid ${ADMIN_SCOPE}` })}` },
      });

      // Act
      const answers = await Promise.all(
        Object.entries(tokens).map(async ([kind, token]) => ({
          kind,
          answer: await attack(
            t.call('GET', accountPath(alice.customerId), {
              as: null,
              headers: { authorization: `Bearer ${token}` },
            }),
          ),
        })),
      );

      // Assess
      expect(control.status).toBe(200);
      for (const { kind, answer } of answers) {
        expect({ kind, status: answer.status, code: answer.body?.code }).toEqual({
          kind,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
    },
  );
});

describe('encoded traversal in return URLs', () => {
  const tricks = [
    `${ALLOWED}..%2fadmin`,
    `${ALLOWED}..%2Fadmin`,
    `${ALLOWED}%2e%2e/admin`,
    `${ALLOWED}.%2e/admin`,
    `${ALLOWED}..%5cadmin`,
    `${ALLOWED}..%5Cadmin`,
    `${ALLOWED}..\\admin`,
    `${ALLOWED}../admin`,
    `${ALLOWED}./x`,
    `${ALLOWED}..%252fadmin`,
    `${ALLOWED}x%2f..%2f..%2fadmin`,
    `https://allowed.example.com/return%2f..%2fadmin`,
  ];

  proves(
    'attacks.encoded-traversal',
    `routes 8, 12 and 15 refuse ${tricks.length} return URLs with encoded traversal and store nothing; the normalised URL is what is stored`,
    async () => {
      // Prepare
      const { customerId } = freshCustomer('traversal');
      await t.call('PUT', `/v1/customers/${customerId}/identity`, {
        as: partner,
        body: { dateOfBirth: '1990-01-01' },
      });
      const base = profilePath(alice.customerId, alice.profileId);
      const before = await countItems();

      // Act
      const answers = await Promise.all(
        tricks.flatMap((url) => [
          attack(
            t.call('POST', `/v1/customers/${customerId}/wise-link`, {
              as: customerId,
              body: { returnUrl: url },
            }),
          ),
          attack(
            t.call('POST', `${base}/kyc-reviews`, {
              as: alice.customerId,
              body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: url },
            }),
          ),
          attack(
            t.call('POST', `${base}/kyc-reviews/${alice.reviewId}/link`, {
              as: alice.customerId,
              body: { redirectUrl: url },
            }),
          ),
        ]),
      );
      const stored = await countItems();
      const normal = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
        as: customerId,
        body: { returnUrl: 'HTTPS://ALLOWED.EXAMPLE.COM:443/return/Next?x=1' },
      });
      const states = await t.stack.deps.oauth.table.db.send(
        new ScanCommand({
          TableName: t.stack.deps.oauth.table.name,
          FilterExpression: 'begins_with(pk, :p) AND customerId = :c',
          ExpressionAttributeValues: { ':p': 'LINKSTATE#', ':c': customerId },
          ConsistentRead: true,
        }),
      );

      // Assess
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(['RETURN_URL_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(answer.body.code);
      }
      expect(stored).toBe(before);
      expect(normal.status).toBe(201);
      noteSecrets('oauth state', [new URL(normal.body.authorizeUrl as string).searchParams.get('state')]);
      expect(states.Items?.map((i) => i.returnUrl)).toEqual(['https://allowed.example.com/return/Next?x=1']);
    },
  );
});

leakScanTest(() => t);
