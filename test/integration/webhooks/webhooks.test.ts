import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes as webhookRoutes } from '../../../functions/webhooks/routes';
import { publicAccount } from '../../../shared/domain/account';
import type { GatewayEvent, LambdaHandler } from '../../../shared/http/types';
import { handlerWith } from '../../../shared/runtime/function';
import { SUBSCRIBED_EVENTS } from '../../../shared/webhooks/subscriptions';
import { subscribe } from '../../../scripts/wise-subscribe';
import { dedupKeyOf } from '../../../shared/webhooks/webhook-event';
import { eventually, startTestStack, type TestStack } from '../../support/stack';

/**
 * Route 11 against the whole local stack: the simulator's own signed deliveries, and crafted
 * deliveries signed with a test key that the webhook function trusts beside the simulator's
 * (WISE_WEBHOOK_PUBLIC_KEYS holds both, as during a key rotation).
 */
const testKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const testKeyPem = testKey.publicKey.export({ type: 'spki', format: 'pem' }) as string;

let t: TestStack;
let webhooks: LambdaHandler | undefined;

const WEBHOOK_PATH = '/v1/webhooks/wise';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const envelope = (eventType: string, data: Record<string, unknown>) =>
  JSON.stringify({
    data,
    subscription_id: randomUUID(),
    event_type: eventType,
    schema_version: '2.0.0',
    sent_at: iso(Date.now()),
  });

const signed = (body: string | Buffer, key: KeyObject = testKey.privateKey) =>
  sign('RSA-SHA256', Buffer.from(body), key).toString('base64');

const deliver = (
  body: string | Buffer,
  headers: Record<string, string> = {},
  init: { signature?: string | null; contentType?: string } = {},
) => {
  const signature = init.signature === undefined ? signed(body) : init.signature;
  return t.call('POST', WEBHOOK_PATH, {
    as: null,
    rawBody: body,
    headers: {
      'content-type': init.contentType ?? 'application/json',
      'x-delivery-id': randomUUID(),
      ...(signature === null ? {} : { 'x-signature-sha256': signature }),
      ...headers,
    },
  });
};

const webhookRecords = async () => {
  const out = await t.stack.deps.webhooks.table.db.send(
    new ScanCommand({
      TableName: t.tableName,
      FilterExpression: 'begins_with(pk, :p)',
      ExpressionAttributeValues: { ':p': 'WEBHOOK#' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
};

const item = async (pk: string, sk: string) =>
  (
    await t.stack.deps.webhooks.table.db.send(
      new GetCommand({ TableName: t.tableName, Key: { pk, sk }, ConsistentRead: true }),
    )
  ).Item;

/** A customer of ours whose Wise user and personal profile exist at the simulator. */
const seedCustomer = async () => {
  const customerId = `c-${randomUUID().slice(0, 8)}`;
  const created = await t.sim_('POST', '/_sim/users', {
    email: `${customerId}@example.com`,
    password: 'pass-word-1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1990-01-01',
  });
  expect(created.status).toBe(201);
  const { userId, profileId } = created.body as { userId: number; profileId: number };
  const accounts = t.stack.deps.webhooks.accounts;
  await accounts.create({ customerId, status: 'LINKED', origin: 'LINKED' });
  await accounts.update(customerId, { wiseUserId: userId });
  await accounts.putProfile(customerId, { id: profileId, type: 'PERSONAL' });
  return { customerId, userId, profileId };
};

const verificationEvent = (profileId: number, state: 'verified' | 'not_verified', occurredAt: number) =>
  envelope('profiles#verification-state-change', {
    resource: { type: 'profile', id: profileId },
    current_state: state,
    occurred_at: iso(occurredAt),
  });

const clientToken = async () => {
  const res = await fetch(`${t.sim.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('local-partner:local-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
};

beforeAll(async () => {
  t = await startTestStack({
    stack: {
      // The webhook function as deployed, with the simulator's key and the test key configured.
      wrapHandler: (fn, handler) =>
        fn !== 'webhooks'
          ? handler
          : (event, context) => {
              webhooks ??= handlerWith(
                'webhooks',
                {
                  ...t.stack.deps.webhooks,
                  config: {
                    ...t.stack.deps.webhooks.config,
                    webhookPublicKeys: `${t.sim.webhookPublicKeyPem}\n${testKeyPem}`,
                  },
                },
                webhookRoutes,
              );
              return webhooks(event, context);
            },
    },
  });
});

afterAll(async () => {
  await t?.close();
});

describe('route 11 with the simulator', () => {
  it('shows the profile verified on GET wise-account within seconds of the simulator verifying it', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const token = await clientToken();

    // Act
    const started = Date.now();
    const sim = await t.sim_('POST', `/v1/simulation/profiles/${profileId}/verifications`, undefined, {
      authorization: `Bearer ${token}`,
    });

    // Assess
    expect(sim.status).toBe(200);
    const profile = await eventually(async () => {
      const res = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
      const shown =
        res.status === 200
          ? (res.body as ReturnType<typeof publicAccount>).profiles.find((p) => p.id === profileId)
          : undefined;
      return shown?.verification === 'verified' ? shown : undefined;
    }, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(profile.verificationUpdatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // The simulator notes our answer just after receiving it.
    const delivered = await eventually(async () => {
      const state = await t.sim_('GET', '/_sim/state');
      const deliveries = (
        state.body.deliveries as { event_type: string; responseStatus: number | null }[]
      ).filter((d) => d.event_type === 'profiles#verification-state-change');
      return deliveries.at(-1)?.responseStatus ?? undefined;
    }, 5_000);
    expect(delivered).toBe(200);
  });

  it('deactivates the account when the simulator deactivates the Wise user', async () => {
    // Prepare
    const { customerId, userId } = await seedCustomer();

    // Act
    const res = await t.sim_('POST', `/_sim/users/${userId}/deactivate`, {});

    // Assess
    expect(res.status).toBe(200);
    const account = await eventually(async () => {
      const a = await t.stack.deps.webhooks.accounts.get(customerId);
      return a?.status === 'DEACTIVATED' ? a : undefined;
    }, 5_000);
    expect(account.status).toBe('DEACTIVATED');
  });

  it('accepts the simulator test notification and applies nothing', async () => {
    // Prepare
    const token = await clientToken();
    const subs = await t.sim_('GET', '/v3/applications/local-partner/subscriptions', undefined, {
      authorization: `Bearer ${token}`,
    });
    const sub = (subs.body as { id: string; trigger_on: string }[]).find(
      (s) => s.trigger_on === 'profiles#verification-state-change',
    );
    expect(sub).toBeDefined();

    // Act
    const res = await t.sim_(
      'POST',
      `/v3/applications/local-partner/subscriptions/${sub!.id}/test-notifications`,
      undefined,
      {
        authorization: `Bearer ${token}`,
      },
    );

    // Assess
    expect(res.status).toBe(200);
    const record = await eventually(
      async () => (await webhookRecords()).find((r) => r.status === 'TEST'),
      5_000,
    );
    expect(record.eventType).toBe('profiles#verification-state-change');
  });
});

describe('route 11 refuses what Wise did not sign', () => {
  const refusals: [string, () => Promise<{ status: number }>][] = [
    [
      'altered bytes',
      async () => {
        const body = verificationEvent(424242, 'verified', Date.now());
        return deliver(body.replace('"verified"', '"verifiee"'), {}, { signature: signed(body) });
      },
    ],
    [
      're-serialised JSON',
      async () => {
        const body = verificationEvent(424242, 'verified', Date.now());
        return deliver(JSON.stringify(JSON.parse(body), null, 2), {}, { signature: signed(body) });
      },
    ],
    [
      "another key's signature",
      async () => {
        const body = verificationEvent(424242, 'verified', Date.now());
        return deliver(body, {}, { signature: signed(body, strangerKey.privateKey) });
      },
    ],
    [
      'a missing signature header',
      async () => deliver(verificationEvent(424242, 'verified', Date.now()), {}, { signature: null }),
    ],
    [
      'a legacy SHA-1 X-Signature only',
      async () => {
        const body = verificationEvent(424242, 'verified', Date.now());
        const sha1 = sign('RSA-SHA1', Buffer.from(body), testKey.privateKey).toString('base64');
        return deliver(body, { 'x-signature': sha1 }, { signature: null });
      },
    ],
    [
      'a signature that is not Base64',
      async () =>
        deliver(verificationEvent(424242, 'verified', Date.now()), {}, { signature: 'not base64 !' }),
    ],
  ];

  it.each(refusals)('answers 401 and stores nothing for %s', async (_name, send) => {
    // Prepare
    const before = (await webhookRecords()).length;

    // Act
    const res = await send();

    // Assess
    expect(res.status).toBe(401);
    expect((await webhookRecords()).length).toBe(before);
  });

  it('answers 413 to a body over 256 KiB, signed or not, and stores nothing', async () => {
    // Prepare
    const before = (await webhookRecords()).length;
    const body = envelope('balances#update', { padding: 'x'.repeat(256 * 1024) });

    // Act
    const res = await deliver(body);

    // Assess
    expect(res.status).toBe(413);
    expect((await webhookRecords()).length).toBe(before);
  });
});

describe('route 11 records and applies each event once, in order of occurrence', () => {
  it('applies ten concurrent copies of one delivery once, records it once and answers every copy 200', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());
    const signature = signed(body);

    // Act
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(body, {}, { signature })));

    // Assess
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const results = answers.map((a) => (a.body as { result: string }).result);
    // One copy's write changed the store; the copy that created the record may be another one,
    // whose own write then found the state already there ("stale"); the rest are duplicates.
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(results.filter((r) => r === 'stale').length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r !== 'applied' && r !== 'stale').every((r) => r === 'duplicate')).toBe(true);
    const records = (await webhookRecords()).filter((r) => r.resourceId === String(profileId));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'APPLIED', customerId });
    expect(records[0]!.expiresAt - Math.floor(t.clock.now() / 1000)).toBeGreaterThanOrEqual(16 * 24 * 3600);
    expect((await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification).toBe('verified');
  });

  it('answers a later redelivery with 200 and changes nothing', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());
    await deliver(body);
    const before = await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId);

    // Act: Wise's retry carries a new X-Delivery-Id and the same body.
    const again = await deliver(body, { 'x-delivery-id': randomUUID() });

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ result: 'duplicate' });
    expect(await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId)).toEqual(before);
  });

  it.each([
    ['newest first', [1, 0]],
    ['oldest first', [0, 1]],
  ])('ends in the newest verification state when events arrive %s', async (_name, order) => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const events = [
      verificationEvent(profileId, 'not_verified', t0),
      verificationEvent(profileId, 'verified', t0 + 60_000),
    ];

    // Act
    for (const i of order) expect((await deliver(events[i]!)).status).toBe(200);

    // Assess
    const profile = await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId);
    expect(profile).toMatchObject({
      verification: 'verified',
      verificationUpdatedAt: '2026-03-01T10:01:00.000Z',
      verificationOccurredAt: t0 + 60_000,
    });
  });

  it.each([
    ['this version (APPLIED, written beside the application)', { status: 'APPLIED' }],
    ['the previous version (RECEIVED with a lease, long over)', { status: 'RECEIVED', leaseOffsetMs: -1 }],
  ])('applies a redelivered event whose first attempt recorded it and died before applying: a record of %s', async (_name, left) => {
    // Prepare: the record an attempt left behind before it crashed.
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());
    const dedupKey = dedupKeyOf(JSON.parse(body));
    await t.stack.deps.webhooks.table.db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          pk: `WEBHOOK#${dedupKey}`,
          sk: 'EVENT',
          dedupKey,
          eventType: 'profiles#verification-state-change',
          status: left.status,
          ...(left.status === 'APPLIED' ? { customerId } : {}),
          ...('leaseOffsetMs' in left ? { leaseUntil: t.clock.now() + left.leaseOffsetMs } : {}),
          receivedAt: t.clock.now() - 60_000,
          expiresAt: Math.floor(t.clock.now() / 1000) + 30 * 24 * 3600,
        },
      }),
    );
    const recordBefore = await item(`WEBHOOK#${dedupKey}`, 'EVENT');

    // Act
    const res = await deliver(body);
    const again = await deliver(body);

    // Assess
    expect([res.status, res.body, again.body]).toEqual([200, { result: 'applied' }, { result: 'duplicate' }]);
    expect(await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId)).toMatchObject({
      verification: 'verified',
    });
    expect(await item(`WEBHOOK#${dedupKey}`, 'EVENT')).toEqual(recordBefore);
  });

  it('records an event for a profile no customer owns as UNMATCHED', async () => {
    // Prepare
    const body = verificationEvent(987654321, 'verified', Date.now());

    // Act
    const res = await deliver(body);

    // Assess
    expect(res.body).toEqual({ result: 'unmatched' });
    expect(await item(`WEBHOOK#${dedupKeyOf(JSON.parse(body))}`, 'EVENT')).toMatchObject({
      status: 'UNMATCHED',
    });
  });

  it('stores and acknowledges an event type it does not use', async () => {
    // Prepare
    const body = envelope('balances#update', {
      resource: { type: 'balance-account', id: 5, profile_id: 7 },
      amount: 10,
      occurred_at: iso(Date.now()),
    });

    // Act
    const res = await deliver(body);

    // Assess
    expect(res.body).toEqual({ result: 'ignored' });
    const record = await item(`WEBHOOK#${dedupKeyOf(JSON.parse(body))}`, 'EVENT');
    expect(record).toMatchObject({ status: 'IGNORED', reason: 'UNKNOWN_TYPE', eventType: 'balances#update' });
    expect(JSON.parse(record!.payload as string)).toMatchObject({ amount: 10 });
  });

  it('verifies, acknowledges and does not apply a test notification', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();

    // Act
    const res = await deliver(verificationEvent(profileId, 'verified', Date.now()), {
      'x-test-notification': 'true',
    });

    // Assess
    expect(res.body).toEqual({ result: 'test' });
    expect((await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification).toBe(
      'unknown',
    );
  });

  it('verifies a body API Gateway handed over base64-encoded', async () => {
    // Prepare: a content type API Gateway does not treat as text arrives base64-encoded.
    const { customerId, profileId } = await seedCustomer();

    // Act
    const res = await deliver(
      verificationEvent(profileId, 'verified', Date.now()),
      {},
      { contentType: 'application/octet-stream' },
    );

    // Assess
    expect(res.body).toEqual({ result: 'applied' });
    expect((await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification).toBe(
      'verified',
    );
  });

  it('keeps the newest KYC review status and creates a minimal review when none is stored', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const reviewId = randomUUID();
    const kyc = (state: string, at: number) =>
      envelope('kyc-reviews#state-change', {
        resource: {
          id: reviewId,
          state,
          profileId,
          requiredBy: '2026-04-01T00:00:00',
          createdAt: '2026-03-01T10:00:00',
          updatedAt: iso(at).slice(0, -1),
          triggerReferences: [],
        },
        occurred_at: iso(at),
      });
    const t0 = Date.parse('2026-03-01T10:00:00Z');

    // Act
    const first = await deliver(kyc('PASSED', t0 + 120_000));
    const older = await deliver(kyc('PROCESSING', t0 + 60_000));

    // Assess
    expect([first.body, older.body]).toEqual([{ result: 'applied' }, { result: 'stale' }]);
    expect(await item(`CUSTOMER#${customerId}`, `KYC#${profileId}#${reviewId}`)).toMatchObject({
      reviewId,
      profileId,
      status: 'PASSED',
      statusOccurredAt: t0 + 120_000,
      requiredBy: '2026-04-01T00:00:00',
    });
  });

  it('settles two review states of the same second on the later step of the flow, whatever the arrival order', async () => {
    // Prepare: Wise stamps to the second; PROCESSING and PASSED of one hosted flow can share it.
    const { customerId, profileId } = await seedCustomer();
    const at = Date.parse('2026-03-05T10:00:00Z');
    const kycFor = (reviewId: string, state: string) =>
      envelope('kyc-reviews#state-change', {
        resource: { id: reviewId, state, profileId, requiredBy: null, createdAt: '2026-03-05T09:59:00', updatedAt: '2026-03-05T10:00:00', triggerReferences: [] },
        occurred_at: iso(at),
      });
    const inOrder = randomUUID();
    const reversed = randomUUID();

    // Act
    const a1 = await deliver(kycFor(inOrder, 'PROCESSING'));
    const a2 = await deliver(kycFor(inOrder, 'PASSED'));
    const b1 = await deliver(kycFor(reversed, 'PASSED'));
    const b2 = await deliver(kycFor(reversed, 'PROCESSING'));

    // Assess
    expect([a1.body, a2.body, b1.body, b2.body]).toEqual([
      { result: 'applied' },
      { result: 'applied' },
      { result: 'applied' },
      { result: 'stale' },
    ]);
    expect(await item(`CUSTOMER#${customerId}`, `KYC#${profileId}#${inOrder}`)).toMatchObject({ status: 'PASSED' });
    expect(await item(`CUSTOMER#${customerId}`, `KYC#${profileId}#${reversed}`)).toMatchObject({ status: 'PASSED' });
  });

  it('records the evidence a CDD check requires on the profile', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const at = Date.parse('2026-03-02T09:00:00Z');

    // Act
    const res = await deliver(
      envelope('profiles#cdd-check-state-change', {
        resource: { type: 'profile', id: profileId },
        current_state: 'EVIDENCE_REQUIRED',
        required_evidences: ['SOURCE_OF_INCOME'],
        occurred_at: iso(at),
      }),
    );

    // Assess
    expect(res.body).toEqual({ result: 'applied' });
    const account = await t.stack.deps.webhooks.accounts.get(customerId);
    expect(account?.profiles[0]?.cdd).toEqual({
      state: 'EVIDENCE_REQUIRED',
      requiredEvidences: ['SOURCE_OF_INCOME'],
      occurredAt: at,
    });
    expect(publicAccount(account!).profiles[0]).toMatchObject({
      cdd: { state: 'EVIDENCE_REQUIRED', requiredEvidences: ['SOURCE_OF_INCOME'] },
    });
  });

  it('stores a transfer status the partner UI can read, newest first', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const transfer = (current: string, at: number) =>
      envelope('transfers#state-change', {
        resource: { id: 49983981, profile_id: profileId, account_id: 1, type: 'transfer' },
        current_state: current,
        previous_state: null,
        occurred_at: iso(at),
      });
    const t0 = Date.parse('2026-03-03T09:00:00Z');

    // Act
    await deliver(transfer('processing', t0 + 1000));
    await deliver(transfer('incoming_payment_waiting', t0));

    // Assess
    expect(await item(`CUSTOMER#${customerId}`, 'TRANSFER#49983981')).toMatchObject({
      transferId: 49983981,
      profileId,
      status: 'processing',
      statusOccurredAt: t0 + 1000,
    });
  });
});

describe('route 11 when the record cannot be written', () => {
  it('answers 5xx so that Wise redelivers, and applies nothing', async () => {
    // Prepare: the same function against a table that does not exist.
    const { customerId, profileId } = await seedCustomer();
    const deps = t.stack.deps.webhooks;
    const broken = handlerWith(
      'webhooks',
      {
        ...deps,
        table: { db: deps.table.db, name: 'no-such-table' },
        config: { ...deps.config, webhookPublicKeys: testKeyPem },
      },
      webhookRoutes,
    );
    const body = verificationEvent(profileId, 'verified', Date.now());
    const event = {
      version: '2.0',
      routeKey: `POST ${WEBHOOK_PATH}`,
      rawPath: WEBHOOK_PATH,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', 'x-signature-sha256': signed(body) },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
      requestContext: {
        requestId: randomUUID(),
        routeKey: `POST ${WEBHOOK_PATH}`,
        http: { method: 'POST', path: WEBHOOK_PATH },
      },
    } as unknown as GatewayEvent;
    const context = {
      getRemainingTimeInMillis: () => 5000,
      functionName: 'webhooks',
      awsRequestId: randomUUID(),
    } as never;

    // Act
    const res = await broken(event, context);

    // Assess
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body as string)).toMatchObject({ code: 'WEBHOOK_NOT_RECORDED' });
    expect((await deps.accounts.getProfile(customerId, profileId))?.verification).toBe('unknown');
  });
});

describe('route 11 when only the record fails', () => {
  it("answers 5xx though the state was applied; Wise's retry records it and changes nothing more", async () => {
    // Prepare: the function as deployed, but every PutItem (the record) is throttled.
    const { customerId, profileId } = await seedCustomer();
    const deps = t.stack.deps.webhooks;
    const throttled = Object.create(deps.table.db) as typeof deps.table.db;
    throttled.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) =>
      command.constructor.name === 'PutCommand'
        ? Promise.reject(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }))
        : (deps.table.db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest)) as typeof throttled.send;
    const flaky = handlerWith(
      'webhooks',
      { ...deps, table: { db: throttled, name: deps.table.name }, config: { ...deps.config, webhookPublicKeys: testKeyPem } },
      webhookRoutes,
    );
    const body = verificationEvent(profileId, 'verified', Date.now());
    const dedupKey = dedupKeyOf(JSON.parse(body));
    const event = {
      version: '2.0',
      routeKey: `POST ${WEBHOOK_PATH}`,
      rawPath: WEBHOOK_PATH,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', 'x-signature-sha256': signed(body) },
      body,
      isBase64Encoded: false,
      requestContext: { requestId: randomUUID(), routeKey: `POST ${WEBHOOK_PATH}`, http: { method: 'POST', path: WEBHOOK_PATH } },
    } as unknown as GatewayEvent;
    const context = { getRemainingTimeInMillis: () => 5000, functionName: 'webhooks', awsRequestId: randomUUID() } as never;

    // Act
    const first = await flaky(event, context);
    const profileAfterFirst = await deps.accounts.getProfile(customerId, profileId);
    const retry = await deliver(body);

    // Assess
    expect(first.statusCode).toBe(503);
    expect(JSON.parse(first.body as string)).toMatchObject({ code: 'WEBHOOK_NOT_RECORDED' });
    expect(retry.status).toBe(200);
    expect(await item(`WEBHOOK#${dedupKey}`, 'EVENT')).toMatchObject({ status: 'APPLIED', customerId });
    expect(await deps.accounts.getProfile(customerId, profileId)).toEqual(profileAfterFirst);
    expect(profileAfterFirst?.verification).toBe('verified');
  });
});

describe('npm run wise:subscribe', () => {
  it('creates the application subscriptions once, however often it runs, and never prints the secret', async () => {
    // Prepare
    const url = 'https://hooks.partner.example/v1/webhooks/wise';
    const env = {
      WISE_ENVIRONMENT: 'local',
      WISE_API_BASE_URL: t.sim.url,
      WISE_CLIENT_ID: 'local-partner',
      WISE_CLIENT_SECRET: 'local-secret',
    };
    const lines: string[] = [];

    // Act
    const first = await subscribe(['--url', url], env, { print: (l) => lines.push(l) });
    const second = await subscribe([`--url=${url}`], env, { print: (l) => lines.push(l) });

    // Assess
    expect(first.map((o) => [o.event, o.created])).toEqual(SUBSCRIBED_EVENTS.map((e) => [e, true]));
    expect(second.every((o) => !o.created)).toBe(true);
    expect(second.map((o) => o.id)).toEqual(first.map((o) => o.id));
    const state = await t.sim_('GET', '/_sim/state');
    const ours = (state.body.subscriptions as { delivery: { url: string } }[]).filter(
      (s) => s.delivery.url === url,
    );
    expect(ours).toHaveLength(SUBSCRIBED_EVENTS.length);
    expect(lines).toContain('5 created, 0 already in place.');
    expect(lines).toContain('0 created, 5 already in place.');
    expect(lines.join('\n')).not.toContain('local-secret');
  });
});
