import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkItem } from '../../../local/event-sink/sink';
import { consumerHandlerWith } from '../../../local/stream-runner/consumers';
import { ADMIN_SCOPE } from '../../../shared/routes';
import { waitUntil } from '../../../shared/runtime/wait';
import { LOCAL_WISE_CLIENT } from '../../../local/stack';
import { subscriptionVersionOf } from '../../../shared/webhooks/subscriptions';
import { signUp } from '../back-office/fixtures';
import {
  decide,
  existingWiseUser,
  followToCallback,
  startLink,
  type LinkingStack,
  type WiseUser,
} from '../oauth/linking-stack';
import {
  deliver,
  envelope,
  iso,
  item,
  seedCustomer,
  startStreamStack,
  verificationEvent,
} from '../stream/support';
import type { TestStack } from '../../support/stack';

/**
 * Partner events end to end on the local stack: the action through the partner API or a Wise
 * webhook, the change in the table, the stream runner handing it to the partner-events consumer,
 * the event on `GET /local/events`.
 */
let t: TestStack;
/** Every record the partner-events consumer was handed (to redeliver one). */
const handed: DynamoDBRecord[] = [];

beforeAll(async () => {
  t = await startStreamStack();
  const consumer = consumerHandlerWith('partner-events', t.stack.deps['partner-events'], {
    eventBus: t.stack.events,
  });
  t.stack.streams!.use('partner-events', async (event, context) => {
    handed.push(...event.Records);
    return consumer(event, context);
  });
});

afterAll(async () => {
  await t?.close();
});

/** Every item on `/local/events` (all pages), oldest first. */
const allEvents = async (): Promise<SinkItem[]> => {
  const items: SinkItem[] = [];
  for (;;) {
    const after = items.at(-1)?.id;
    const res = await t.call('GET', `/local/events${after ? `?after=${after}` : ''}`, { as: null });
    expect(res.status).toBe(200);
    const page = res.body.items as SinkItem[];
    if (page.length === 0) return items;
    items.push(...page);
  }
};

const eventsOf = async (customerId: string, detailType?: string) =>
  (await allEvents()).filter(
    (e) => e.detail.customerId === customerId && (!detailType || e['detail-type'] === detailType),
  );

/** Waits until the customer's events of that type satisfy `done`; returns them. */
const eventsUntil = async (
  customerId: string,
  detailType: string,
  done: (items: SinkItem[]) => boolean,
  ms = 15_000,
) => {
  const found = await waitUntil(
    async () => {
      const items = await eventsOf(customerId, detailType);
      return done(items) ? items : undefined;
    },
    { every: 50, deadline: Date.now() + ms },
  );
  expect(found, `${detailType} for ${customerId}`).toBeDefined();
  return found!;
};

const statusOf = (e: SinkItem) => (e.detail as { status?: string }).status;

const detail = <K extends string>(e: SinkItem, ...keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, (e.detail as unknown as Record<string, unknown>)[k]])) as Record<
    K,
    unknown
  >;

/** Exactly once per change: no two items share an eventId unless one is a redelivery of the other. */
const expectOncePerChange = (items: SinkItem[]) =>
  expect(new Set(items.map((e) => e.detail.eventId)).size).toBe(items.length);

/** The v2 link: identity on record, route 8, Wise's consent, route 9, route 17. */
const link = async (customerId: string, user: WiseUser) => {
  const lt = Object.assign(t, {
    callbackUrl: t.stack.deps.oauth.config.oauthCallbackUrl,
    publicUrl: new URL(t.stack.deps.oauth.config.oauthCallbackUrl).origin,
  }) as LinkingStack;
  const identity = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
    as: { scope: ADMIN_SCOPE },
    body: { dateOfBirth: user.dateOfBirth },
  });
  expect(identity.status).toBe(200);
  const { authorizeUrl } = await startLink(lt, customerId);
  const back = await followToCallback(t, await decide(t, authorizeUrl, user));
  const result = new URL(back.headers.get('location') ?? '').searchParams.get('result');
  const completed = await t.call('POST', `/v1/customers/${customerId}/wise-link/complete`, {
    as: customerId,
    body: { result },
  });
  expect(completed.status, completed.text).toBe(200);
};

describe('partner events on /local/events', () => {
  it('signup → Account Status Changed, from NONE to ACTIVE, each change once, with the contract fields', async () => {
    // Act
    const { customerId, profileId } = await signUp(t, 'pe-signup');

    // Assess
    const items = await eventsUntil(customerId, 'Wise Account Status Changed', (i) =>
      i.some((e) => statusOf(e) === 'ACTIVE'),
    );
    expectOncePerChange(items);
    const chain = items.map((e) => detail(e, 'previousStatus', 'status'));
    expect(chain[0]).toEqual({ previousStatus: 'NONE', status: 'CREATING' });
    expect(chain.at(-1)).toEqual(expect.objectContaining({ status: 'ACTIVE' }));
    chain.slice(1).forEach((c, i) => expect(c.previousStatus).toBe(chain[i]!.status));
    expect(items[0]).toMatchObject({
      source: 'wise-onboarding',
      detail: { customerId, eventId: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(Date.parse(items[0]!.detail.occurredAt)).not.toBeNaN();
    // The registration-code grant covers the personal profile the signup created.
    const access = await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length > 0);
    expect(access.map((e) => detail(e, 'profileId', 'previousAccess', 'access'))).toEqual([
      { profileId, previousAccess: 'NONE', access: 'GRANTED' },
    ]);
  });

  it('verification webhook → Profile Verification Changed, once', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer(t);
    const body = verificationEvent(profileId, 'verified', Date.now() - 5_000);

    // Act
    await deliver(t, body);

    // Assess
    const items = await eventsUntil(customerId, 'Wise Profile Verification Changed', (i) => i.length > 0);
    await t.stack.streams!.drained();
    const settled = await eventsOf(customerId, 'Wise Profile Verification Changed');
    expect(settled.map((e) => detail(e, 'profileId', 'previousVerification', 'verification'))).toEqual([
      { profileId, previousVerification: 'unknown', verification: 'verified' },
    ]);
    expect(settled[0]!.detail.eventId).toBe(items[0]!.detail.eventId);
  });

  it('KYC webhooks → KYC Review Status Changed, in order: a new review, then its next status', async () => {
    // Prepare
    const { customerId, profileId } = await seedCustomer(t);
    const reviewId = `rev-${randomUUID().slice(0, 8)}`;
    const kyc = (state: string, at: number) =>
      envelope('kyc-reviews#state-change', {
        resource: { id: reviewId, state, profileId, updatedAt: iso(at) },
        occurred_at: iso(at),
      });

    // Act
    await deliver(t, kyc('WAITING_CUSTOMER_INPUT', Date.now() - 10_000));
    await eventsUntil(customerId, 'Wise KYC Review Status Changed', (i) => i.length === 1);
    await deliver(t, kyc('PASSED', Date.now() - 5_000));

    // Assess
    const items = await eventsUntil(customerId, 'Wise KYC Review Status Changed', (i) => i.length === 2);
    expectOncePerChange(items);
    expect(items.map((e) => detail(e, 'profileId', 'reviewId', 'previousStatus', 'status'))).toEqual([
      { profileId, reviewId, previousStatus: null, status: 'WAITING_CUSTOMER_INPUT' },
      { profileId, reviewId, previousStatus: 'WAITING_CUSTOMER_INPUT', status: 'PASSED' },
    ]);
  });

  it('link, disconnect, link again → Profile Access Changed: GRANTED, NONE, GRANTED', async () => {
    // Prepare
    const user = await existingWiseUser(t);
    const customerId = `pe-link-${randomUUID().slice(0, 8)}`;
    const access = () => eventsOf(customerId, 'Wise Profile Access Changed');

    // Act + Assess, step by step (each step's event before the next action)
    await link(customerId, user);
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 1);
    const disconnected = await t.call('DELETE', `/v1/customers/${customerId}/wise-link`, { as: customerId });
    expect(disconnected.status).toBe(204);
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 2);
    await link(customerId, user);
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 3);
    await t.stack.streams!.drained();

    const items = await access();
    expectOncePerChange(items);
    expect(items.map((e) => detail(e, 'profileId', 'previousAccess', 'access'))).toEqual([
      { profileId: user.profileId, previousAccess: 'NONE', access: 'GRANTED' },
      { profileId: user.profileId, previousAccess: 'GRANTED', access: 'NONE' },
      { profileId: user.profileId, previousAccess: 'NONE', access: 'GRANTED' },
    ]);
    const statuses = (await eventsOf(customerId, 'Wise Account Status Changed')).map(statusOf);
    expect(statuses).toContain('DISCONNECTED');
    expect(statuses.at(-1)).toBe('LINKED');
  });

  it('Wise refusing the grant → RELINK_REQUIRED; linking again → GRANTED, one event each (the grant replaced in one step)', async () => {
    // Prepare
    const user = await existingWiseUser(t);
    const customerId = `pe-relink-${randomUUID().slice(0, 8)}`;
    await link(customerId, user);
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 1);
    expect((await t.sim_('POST', `/_sim/users/${user.userId}/revoke-tokens`)).status).toBe(200);

    // Act: the next Wise call finds the token revoked, and the refresh is refused for good
    const check = await t.call(
      'POST',
      `/v1/customers/${customerId}/wise-account/profiles/${user.profileId}/verification-check`,
      {
        as: customerId,
        body: { sourceCurrencies: ['GBP'] },
      },
    );
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 2);
    await link(customerId, user);

    // Assess
    expect([check.status, check.body?.code]).toEqual([409, 'RELINK_REQUIRED']);
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 3);
    await t.stack.streams!.drained();
    const items = await eventsOf(customerId, 'Wise Profile Access Changed');
    expectOncePerChange(items);
    expect(items.map((e) => detail(e, 'previousAccess', 'access'))).toEqual([
      { previousAccess: 'NONE', access: 'GRANTED' },
      { previousAccess: 'GRANTED', access: 'RELINK_REQUIRED' },
      { previousAccess: 'RELINK_REQUIRED', access: 'GRANTED' },
    ]);
    expect((await eventsOf(customerId, 'Wise Account Status Changed')).map(statusOf)).toContain(
      'RELINK_REQUIRED',
    );
  });

  it('a redelivered stream record republishes its event with the same eventId: de-duplicated, one per change', async () => {
    // Prepare
    const { customerId } = await signUp(t, 'pe-redeliver');
    await eventsUntil(customerId, 'Wise Account Status Changed', (i) =>
      i.some((e) => statusOf(e) === 'ACTIVE'),
    );
    await t.stack.streams!.drained();
    const before = await eventsOf(customerId);
    const record = handed.find(
      (r) =>
        r.dynamodb?.Keys?.pk?.S === `CUSTOMER#${customerId}` &&
        r.dynamodb?.Keys?.sk?.S === 'ACCOUNT' &&
        r.eventName === 'INSERT',
    );
    expect(record).toBeDefined();

    // Act: Lambda delivers the same record again (a retried batch)
    const consumer = consumerHandlerWith('partner-events', t.stack.deps['partner-events'], {
      eventBus: t.stack.events,
    });
    const answer = await consumer({ Records: [record!] }, { getRemainingTimeInMillis: () => 60_000 });

    // Assess
    expect(answer.batchItemFailures).toEqual([]);
    const after = await eventsOf(customerId);
    expect(after).toHaveLength(before.length + 1);
    const again = after.at(-1)!;
    expect(again.detail.eventId).toBe(before[0]!.detail.eventId);
    const unique = new Map(after.map((e) => [e.detail.eventId, e]));
    expect([...unique.values()].map((e) => e.detail)).toEqual(before.map((e) => e.detail));
  });
});

describe('reconciliation (POST /local/reconcile)', () => {
  it('applies a verification Wise never sent, 24 h on, and the partner hears of it', async () => {
    // Prepare: a verified Wise user whose verification webhook never came (verified before any link)
    const email = `pe-rec-${randomUUID().slice(0, 8)}@example.com`;
    const created = await t.sim_('POST', '/_sim/users', {
      email,
      password: 'pass-word-1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      dateOfBirth: '1991-02-03',
      verified: true,
    });
    expect(created.status).toBe(201);
    const user: WiseUser = {
      email,
      password: 'pass-word-1',
      userId: created.body.userId,
      profileId: created.body.profileId,
      dateOfBirth: '1991-02-03',
    };
    const customerId = `pe-rec-${randomUUID().slice(0, 8)}`;
    await link(customerId, user);
    await eventsUntil(customerId, 'Wise Profile Access Changed', (i) => i.length === 1);
    await t.stack.streams!.drained();
    const early = await t.call('POST', '/local/reconcile', { as: null });
    expect(early.status).toBe(200);
    expect(await eventsOf(customerId, 'Wise Profile Verification Changed')).toEqual([]);

    // Act
    t.clock.advance(25 * 60 * 60 * 1000);
    const run = await t.call('POST', '/local/reconcile', { as: null });

    // Assess
    expect(run.status).toBe(200);
    expect(run.body.verification.applied).toBeGreaterThanOrEqual(1);
    expect(run.body.subscriptions).toEqual({ checked: true, missing: [] });
    const items = await eventsUntil(customerId, 'Wise Profile Verification Changed', (i) => i.length === 1);
    expect(items.map((e) => detail(e, 'profileId', 'previousVerification', 'verification'))).toEqual([
      { profileId: user.profileId, previousVerification: 'unknown', verification: 'verified' },
    ]);
    const account = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
    expect(account.body.profiles.find((p: { id: number }) => p.id === user.profileId).verification).toBe(
      'verified',
    );

    // A resolved profile leaves the due list: no later run reads it again.
    const off = await waitUntil(
      async () => {
        const profile = await item(t, `CUSTOMER#${customerId}`, `PROFILE#${user.profileId}`);
        return profile && profile.gsi2pk === undefined ? profile : undefined;
      },
      { every: 50, deadline: Date.now() + 10_000 },
    );
    expect(off).toMatchObject({ verification: 'verified' });
  });

  it('reports a deleted application subscription as missing', async () => {
    // Prepare
    const token = await t.stack.deps.reconcile.clientToken.get();
    const listed = await t.sim_(
      'GET',
      `/v3/applications/${LOCAL_WISE_CLIENT.clientKey}/subscriptions`,
      undefined,
      { authorization: `Bearer ${token}` },
    );
    const kycSubscription = (listed.body as { id: string; trigger_on: string }[]).find(
      (s) => s.trigger_on === 'kyc-reviews#state-change',
    )!;
    const removed = await t.sim_(
      'DELETE',
      `/v3/applications/${LOCAL_WISE_CLIENT.clientKey}/subscriptions/${kycSubscription.id}`,
      undefined,
      { authorization: `Bearer ${token}` },
    );
    expect(removed.status).toBeLessThan(300);

    // Act
    const report = await t.stack.reconcile();

    // Assess
    expect(report.subscriptions.missing).toEqual([
      {
        event: 'kyc-reviews#state-change',
        expectedVersion: subscriptionVersionOf('kyc-reviews#state-change'),
        foundVersions: [],
      },
    ]);
  });
});
