import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes as webhookRoutes } from '../../../functions/webhooks/routes';
import { publicAccount } from '../../../shared/domain/account';
import type { GatewayEvent, LambdaHandler } from '../../../shared/http/types';
import { handlerWith } from '../../../shared/runtime/function';
import { waitUntil } from '../../../shared/runtime/wait';
import { SUBSCRIBED_EVENTS } from '../../../shared/webhooks/subscriptions';
import { subscribe } from '../../../scripts/wise-subscribe';
import { dedupKeyOf } from '../../../shared/webhooks/webhook-event';
import { startTestStack, type TestStack } from '../../support/stack';

/**
 * Route 11 against the whole local stack, storage-first: the receiver records, the table's stream
 * carries the record to the projection (run by the local stream runner exactly as the CDK event
 * source mapping declares it), which applies it. Deliveries are the simulator's own, and crafted ones
 * signed with a test key the webhook function trusts beside the simulator's (WISE_WEBHOOK_PUBLIC_KEYS
 * holds both, as during a key rotation). Tests wait for the projection, never for a fixed time.
 */
const testKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const testKeyPem = testKey.publicKey.export({ type: 'spki', format: 'pem' }) as string;

let t: TestStack;
let webhooks: LambdaHandler | undefined;

const WEBHOOK_PATH = '/v1/webhooks/wise';
const DAY_MS = 24 * 3600 * 1000;
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

const keyOf = (body: string) => `WEBHOOK#${dedupKeyOf(JSON.parse(body))}`;
const recordOf = (body: string) => item(keyOf(body), 'EVENT');

/** The event's record once the projection has recorded its outcome (the test fails if it never does). */
const projected = async (body: string) => {
  const record = await waitUntil(
    async () => {
      const r = await recordOf(body);
      return r && r.status !== 'RECEIVED' ? r : undefined;
    },
    { every: 25, deadline: Date.now() + 10_000 },
  );
  expect(record, 'the projection recorded no outcome within 10 s').toBeDefined();
  return record!;
};

/** Delivers, expects 200 recorded, and waits for the projection's outcome. */
const deliverAndProject = async (body: string) => {
  const res = await deliver(body);
  expect([res.status, res.body]).toEqual([200, { result: 'recorded' }]);
  return projected(body);
};

/** How many stream records of this key the projection was handed (one per change of the item). */
const streamDeliveriesOf = (pk: string) =>
  t.stack
    .streams!.invocations('webhook-projection')
    .flatMap((i) => i.keys)
    .filter((k) => k.pk === pk).length;

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

/** Route 11's handler over other dependencies, invoked as API Gateway would (payload 2.0). */
const invokeWebhooks = (deps: typeof t.stack.deps.webhooks, body: string, base64 = true) => {
  const handler = handlerWith(
    'webhooks',
    { ...deps, config: { ...deps.config, webhookPublicKeys: testKeyPem } },
    webhookRoutes,
  );
  const event = {
    version: '2.0',
    routeKey: `POST ${WEBHOOK_PATH}`,
    rawPath: WEBHOOK_PATH,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-signature-sha256': signed(body) },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
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
  return handler(event, context);
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
    const profile = await waitUntil(
      async () => {
        const res = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
        const shown =
          res.status === 200
            ? (res.body as ReturnType<typeof publicAccount>).profiles.find((p) => p.id === profileId)
            : undefined;
        return shown?.verification === 'verified' ? shown : undefined;
      },
      { every: 25, deadline: started + 5_000 },
    );
    expect(profile, 'not verified within 5 s').toBeDefined();
    expect(profile!.verificationUpdatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // The simulator notes our answer just after receiving it.
    const delivered = await waitUntil(
      async () => {
        const state = await t.sim_('GET', '/_sim/state');
        const deliveries = (
          state.body.deliveries as { event_type: string; responseStatus: number | null }[]
        ).filter((d) => d.event_type === 'profiles#verification-state-change');
        return deliveries.at(-1)?.responseStatus ?? undefined;
      },
      { every: 25, deadline: Date.now() + 5_000 },
    );
    expect(delivered).toBe(200);
  });

  it('deactivates the account when the simulator deactivates the Wise user', async () => {
    // Prepare
    const { customerId, userId } = await seedCustomer();

    // Act
    const res = await t.sim_('POST', `/_sim/users/${userId}/deactivate`, {});

    // Assess
    expect(res.status).toBe(200);
    const account = await waitUntil(
      async () => {
        const a = await t.stack.deps.webhooks.accounts.get(customerId);
        return a?.status === 'DEACTIVATED' ? a : undefined;
      },
      { every: 25, deadline: Date.now() + 5_000 },
    );
    expect(account?.status).toBe('DEACTIVATED');
  });

  it('accepts the simulator test notification, under a key of its own, and applies nothing', async () => {
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
      { authorization: `Bearer ${token}` },
    );

    // Assess
    expect(res.status).toBe(200);
    const record = await waitUntil(async () => (await webhookRecords()).find((r) => r.status === 'TEST'), {
      every: 25,
      deadline: Date.now() + 5_000,
    });
    expect(record).toMatchObject({ eventType: 'profiles#verification-state-change' });
    expect(String(record!.pk)).toMatch(/^WEBHOOK#TEST#/);
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

  it('refuses every delivery with 503 when no verification key is configured (fail closed), storing nothing', async () => {
    // Prepare
    const deps = t.stack.deps.webhooks;
    const unconfigured = handlerWith(
      'webhooks',
      { ...deps, config: { ...deps.config, webhookPublicKeys: undefined } },
      webhookRoutes,
    );
    const body = verificationEvent(424243, 'verified', Date.now());
    const before = (await webhookRecords()).length;

    // Act
    const res = await unconfigured(
      {
        version: '2.0',
        routeKey: `POST ${WEBHOOK_PATH}`,
        rawPath: WEBHOOK_PATH,
        rawQueryString: '',
        headers: { 'content-type': 'application/json', 'x-signature-sha256': signed(body) },
        body,
        isBase64Encoded: false,
        requestContext: {
          requestId: randomUUID(),
          routeKey: `POST ${WEBHOOK_PATH}`,
          http: { method: 'POST', path: WEBHOOK_PATH },
        },
      } as unknown as GatewayEvent,
      { getRemainingTimeInMillis: () => 5000, functionName: 'webhooks', awsRequestId: randomUUID() } as never,
    );

    // Assess
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body as string)).toMatchObject({ code: 'WEBHOOK_KEYS_NOT_CONFIGURED' });
    expect((await webhookRecords()).length).toBe(before);
  });
});

describe('route 11 records each event once; the projection applies it once, in order of occurrence', () => {
  it('applies ten concurrent copies of one delivery once, records it once and answers every copy 200', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());
    const signature = signed(body);

    // Act
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(body, {}, { signature })));

    // Assess
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const results = answers.map((a) => (a.body as { result: string }).result).sort();
    expect(results).toEqual(['recorded', ...Array(9).fill('duplicate')].sort());
    const record = await projected(body);
    expect(record).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId });
    expect((await webhookRecords()).filter((r) => r.resourceId === String(profileId))).toHaveLength(1);
    expect(record.expiresAt - Math.floor(t.clock.now() / 1000)).toBeGreaterThanOrEqual(16 * 24 * 3600);
    expect((await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification).toBe(
      'verified',
    );
    // One record, one stream record, one application: the copies never reached the projection.
    expect(streamDeliveriesOf(keyOf(body))).toBe(1);
  });

  it('answers a later redelivery with 200 duplicate and changes nothing, neither the state nor the record', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());
    await deliverAndProject(body);
    const [profileBefore, recordBefore] = [
      await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId),
      await recordOf(body),
    ];

    // Act: Wise's retry carries a new X-Delivery-Id and the same body.
    const again = await deliver(body, { 'x-delivery-id': randomUUID() });

    // Assess
    expect([again.status, again.body]).toEqual([200, { result: 'duplicate' }]);
    expect(await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId)).toEqual(profileBefore);
    expect(await recordOf(body)).toEqual(recordBefore);
  });

  it.each([
    ['newest first', [1, 0], ['APPLIED', 'STALE']],
    ['oldest first', [0, 1], ['APPLIED', 'APPLIED']],
  ])('ends in the newest verification state when events arrive %s', async (_name, order, outcomes) => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const events = [
      verificationEvent(profileId, 'not_verified', t0),
      verificationEvent(profileId, 'verified', t0 + 60_000),
    ];

    // Act
    const records = [];
    for (const i of order) records.push(await deliverAndProject(events[i]!));

    // Assess
    expect(records.map((r) => r.outcome)).toEqual(outcomes);
    expect(await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId)).toMatchObject({
      verification: 'verified',
      verificationUpdatedAt: '2026-03-01T10:01:00.000Z',
      verificationOccurredAt: t0 + 60_000,
    });
  });

  it('ends in the newest state when an older and a newer event arrive at once, in the same batch', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const t0 = Date.parse('2026-03-02T10:00:00Z');
    const events = [
      verificationEvent(profileId, 'verified', t0 + 60_000),
      verificationEvent(profileId, 'not_verified', t0),
    ];

    // Act
    const answers = await Promise.all(events.map((e) => deliver(e)));
    await Promise.all(events.map((e) => projected(e)));

    // Assess
    expect(answers.map((a) => a.body)).toEqual([{ result: 'recorded' }, { result: 'recorded' }]);
    expect(await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId)).toMatchObject({
      verification: 'verified',
      verificationOccurredAt: t0 + 60_000,
    });
  });

  it('keeps an event for a profile no customer owns UNMATCHED, indexed by its profile', async () => {
    // Prepare
    const body = verificationEvent(987654321, 'verified', Date.now());

    // Act
    const record = await deliverAndProject(body);

    // Assess
    expect(record).toMatchObject({ status: 'UNMATCHED', gsi1pk: 'PENDING_PROFILE#987654321' });
    expect(record).not.toHaveProperty('customerId');
  });

  it('stores and acknowledges an event type it does not use, which never reaches the projection', async () => {
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
    const record = await recordOf(body);
    expect(record).toMatchObject({ status: 'IGNORED', reason: 'UNKNOWN_TYPE', eventType: 'balances#update' });
    expect(JSON.parse(record!.payload as string)).toMatchObject({ amount: 10 });
    await t.stack.streams!.drained();
    expect(streamDeliveriesOf(keyOf(body))).toBe(0);
  });

  it('verifies, acknowledges and does not apply a test notification; the real event with the same body is still applied', async () => {
    // Prepare: X-Test-Notification is not signed, so anyone replaying a captured delivery can add it.
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());

    // Act
    const test = await deliver(body, { 'x-test-notification': 'true' });
    await t.stack.streams!.drained();
    const verificationAfterTest = (await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))
      ?.verification;
    const real = await deliverAndProject(body);

    // Assess
    expect(test.body).toEqual({ result: 'test' });
    expect(verificationAfterTest).toBe('unknown');
    expect(await item(`WEBHOOK#TEST#${dedupKeyOf(JSON.parse(body))}`, 'EVENT')).toMatchObject({
      status: 'TEST',
    });
    expect(real).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId });
    expect((await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification).toBe(
      'verified',
    );
  });

  it('verifies a body API Gateway handed over base64-encoded', async () => {
    // Prepare: a content type API Gateway does not treat as text arrives base64-encoded.
    const { customerId, profileId } = await seedCustomer();
    const body = verificationEvent(profileId, 'verified', Date.now());

    // Act
    const res = await deliver(body, {}, { contentType: 'application/octet-stream' });

    // Assess
    expect(res.body).toEqual({ result: 'recorded' });
    expect(await projected(body)).toMatchObject({ outcome: 'APPLIED' });
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
    const first = await deliverAndProject(kyc('PASSED', t0 + 120_000));
    const older = await deliverAndProject(kyc('PROCESSING', t0 + 60_000));

    // Assess
    expect([first.outcome, older.outcome]).toEqual(['APPLIED', 'STALE']);
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
        resource: {
          id: reviewId,
          state,
          profileId,
          requiredBy: null,
          createdAt: '2026-03-05T09:59:00',
          updatedAt: '2026-03-05T10:00:00',
          triggerReferences: [],
        },
        occurred_at: iso(at),
      });
    const inOrder = randomUUID();
    const reversed = randomUUID();

    // Act
    const outcomes = [];
    for (const body of [
      kycFor(inOrder, 'PROCESSING'),
      kycFor(inOrder, 'PASSED'),
      kycFor(reversed, 'PASSED'),
      kycFor(reversed, 'PROCESSING'),
    ]) {
      outcomes.push((await deliverAndProject(body)).outcome);
    }

    // Assess
    expect(outcomes).toEqual(['APPLIED', 'APPLIED', 'APPLIED', 'STALE']);
    expect(await item(`CUSTOMER#${customerId}`, `KYC#${profileId}#${inOrder}`)).toMatchObject({
      status: 'PASSED',
    });
    expect(await item(`CUSTOMER#${customerId}`, `KYC#${profileId}#${reversed}`)).toMatchObject({
      status: 'PASSED',
    });
  });

  it('records the evidence a CDD check requires on the profile', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer();
    const at = Date.parse('2026-03-02T09:00:00Z');

    // Act
    const record = await deliverAndProject(
      envelope('profiles#cdd-check-state-change', {
        resource: { type: 'profile', id: profileId },
        current_state: 'EVIDENCE_REQUIRED',
        required_evidences: ['SOURCE_OF_INCOME'],
        occurred_at: iso(at),
      }),
    );

    // Assess
    expect(record).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED' });
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
    await deliverAndProject(transfer('processing', t0 + 1000));
    await deliverAndProject(transfer('incoming_payment_waiting', t0));

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
  it('answers 5xx so that Wise redelivers, and records and applies nothing', async () => {
    // Prepare: the same function against a table that does not exist.
    const { customerId, profileId } = await seedCustomer();
    const deps = t.stack.deps.webhooks;
    const body = verificationEvent(profileId, 'verified', Date.now());

    // Act
    const res = await invokeWebhooks({ ...deps, table: { db: deps.table.db, name: 'no-such-table' } }, body);
    await t.stack.streams!.drained();

    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after'] ?? res.headers?.['Retry-After']).toBe('60');
    expect(JSON.parse(res.body as string)).toMatchObject({ code: 'WEBHOOK_NOT_RECORDED' });
    expect(await recordOf(body)).toBeUndefined();
    expect((await deps.accounts.getProfile(customerId, profileId))?.verification).toBe('unknown');
  });

  it("answers 5xx when the put is throttled; Wise's retry records the event once and it is applied once", async () => {
    // Prepare: the function as deployed, but its one write (the record) is throttled.
    const { customerId, profileId } = await seedCustomer();
    const deps = t.stack.deps.webhooks;
    const throttled = Object.create(deps.table.db) as typeof deps.table.db;
    throttled.send = (() =>
      Promise.reject(
        Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }),
      )) as typeof throttled.send;
    const body = verificationEvent(profileId, 'verified', Date.now());

    // Act
    const first = await invokeWebhooks(
      { ...deps, table: { db: throttled, name: deps.table.name } },
      body,
      false,
    );
    const retry = await deliver(body);
    const record = await projected(body);

    // Assess
    expect(first.statusCode).toBe(503);
    expect(retry.body).toEqual({ result: 'recorded' });
    expect(record).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId });
    expect((await deps.accounts.getProfile(customerId, profileId))?.verification).toBe('verified');
    expect(streamDeliveriesOf(keyOf(body))).toBe(1);
  });
});

describe('route 11 de-duplicates for at least 16 days', () => {
  it('answers a copy that arrives 16 days after the first one duplicate, and applies nothing again', async () => {
    // Prepare: the first copy recorded and applied, then a newer state from another event.
    const { customerId, profileId } = await seedCustomer();
    const t0 = Date.now() - DAY_MS;
    const old = verificationEvent(profileId, 'not_verified', t0);
    await deliverAndProject(old);
    await deliverAndProject(verificationEvent(profileId, 'verified', t0 + 1000));

    // Act: Wise's last retries come about two weeks later; the record must still be there.
    t.clock.advance(16 * DAY_MS);
    const late = await deliver(old);

    // Assess
    expect([late.status, late.body]).toEqual([200, { result: 'duplicate' }]);
    expect((await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId))?.verification).toBe(
      'verified',
    );
    expect(((await recordOf(old))!.expiresAt as number) * 1000).toBeGreaterThan(t.clock.now());
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
