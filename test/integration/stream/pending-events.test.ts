import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE } from '../../../shared/routes';
import type { TestStack } from '../../support/stack';
import {
  decide,
  existingWiseUser,
  followToCallback,
  startLink,
  type LinkingStack,
} from '../oauth/linking-stack';
import {
  deliver,
  deliveredTo,
  eventPk,
  eventually,
  item,
  recordOf,
  recordWithStatus,
  seedCustomer,
  startStreamStack,
  userEvent,
  verificationEvent,
} from './support';

/**
 * Nothing Wise said is lost: an event for a profile (or Wise user) no customer of ours owns yet is
 * kept UNMATCHED, indexed by it, and applied by the stream consumer when the profile becomes a
 * customer's — the PROFILE item's insert (or the account's first Wise user) comes down the stream.
 */
let t: TestStack;

beforeAll(async () => {
  t = await startStreamStack();
});

afterAll(async () => {
  await t?.close();
});

describe("events that arrive before their profile is a customer's", () => {
  it('applies a verification that arrived before the link once the link completes (the real linking routes)', async () => {
    // Prepare: a Wise user who is not linked to anyone here yet; Wise verifies the profile.
    const lt = Object.assign(t, {
      callbackUrl: t.stack.deps.oauth.config.oauthCallbackUrl,
      publicUrl: new URL(t.stack.deps.oauth.config.oauthCallbackUrl).origin,
    }) as LinkingStack;
    const user = await existingWiseUser(t);
    const customerId = `early-${randomUUID().slice(0, 8)}`;
    const body = verificationEvent(user.profileId, 'verified', Date.now() - 60_000);
    await deliver(t, body);
    const pending = await recordWithStatus(t, body, 'UNMATCHED');

    // Act: the customer links that Wise account (the identity on record first, where the contract asks for it).
    const identity = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
      as: { scope: ADMIN_SCOPE },
      body: { dateOfBirth: user.dateOfBirth },
    });
    expect([200, 404]).toContain(identity.status);
    // Version 1 took the date of birth with the link itself.
    const { authorizeUrl } = await startLink(
      lt,
      customerId,
      identity.status === 200 ? {} : { dateOfBirth: user.dateOfBirth },
    );
    const back = await followToCallback(t, await decide(t, authorizeUrl, user));
    const result = new URL(back.headers.get('location') ?? '').searchParams.get('result');
    if (result) {
      const completed = await t.call('POST', `/v1/customers/${customerId}/wise-link/complete`, {
        as: customerId,
        body: { result },
      });
      expect(completed.status).toBe(200);
    }

    // Assess
    expect(pending).toMatchObject({ gsi1pk: `PENDING_PROFILE#${user.profileId}` });
    const shown = await eventually('the profile shown verified', async () => {
      const res = await t.call('GET', `/v1/customers/${customerId}/wise-account`, { as: customerId });
      const profile = (res.body?.profiles as { id: number; verification: string }[] | undefined)?.find(
        (p) => p.id === user.profileId,
      );
      return profile?.verification === 'verified' ? profile : undefined;
    });
    expect(shown.verification).toBe('verified');
    const record = await recordOf(t, body);
    expect(record).toMatchObject({ status: 'APPLIED', outcome: 'APPLIED', customerId });
    expect(record).not.toHaveProperty('gsi1pk');
  });

  it('applies every event kept for a profile, in order of occurrence, when its PROFILE item is written', async () => {
    // Prepare: a customer whose profile item does not exist yet; two events for the profile, newest first.
    const { customerId, profileId } = await seedCustomer(t, { withProfile: false });
    const t0 = Date.parse('2026-02-01T10:00:00Z');
    const newer = verificationEvent(profileId, 'verified', t0 + 60_000);
    const older = verificationEvent(profileId, 'not_verified', t0);
    await deliver(t, newer);
    await deliver(t, older);
    await recordWithStatus(t, newer, 'UNMATCHED');
    await recordWithStatus(t, older, 'UNMATCHED');

    // Act
    await t.stack.deps.webhooks.accounts.putProfile(customerId, { id: profileId, type: 'PERSONAL' });

    // Assess
    // In order of occurrence, so each state the profile passes through is one Wise reported.
    const [a, b] = [await recordWithStatus(t, older, 'APPLIED'), await recordWithStatus(t, newer, 'APPLIED')];
    expect([a.outcome, b.outcome]).toEqual(['APPLIED', 'APPLIED']);
    expect(await t.stack.deps.webhooks.accounts.getProfile(customerId, profileId)).toMatchObject({
      verification: 'verified',
      verificationOccurredAt: t0 + 60_000,
    });
  });

  it('applies a users#state-change that arrived before the account had its Wise user once it has', async () => {
    // Prepare
    const { customerId, userId } = await seedCustomer(t, { withUser: false });
    const body = userEvent(userId, 'DEACTIVATED', Date.now() - 1000);
    await deliver(t, body);
    const pending = await recordWithStatus(t, body, 'UNMATCHED');

    // Act
    await t.stack.deps.webhooks.accounts.update(customerId, { wiseUserId: userId });

    // Assess
    expect(pending).toMatchObject({ gsi1pk: `PENDING_USER#${userId}` });
    await recordWithStatus(t, body, 'APPLIED');
    expect((await t.stack.deps.webhooks.accounts.get(customerId))?.status).toBe('DEACTIVATED');
  });

  it('keeps a CDD event that names no profile UNMATCHED and unindexed: no arrival could ever apply it', async () => {
    // Prepare
    const body = JSON.stringify({
      data: { current_state: 'EVIDENCE_REQUIRED', occurred_at: '2026-02-02T10:00:00Z' },
      event_type: 'profiles#cdd-check-state-change',
      schema_version: '2.0.0',
    });

    // Act
    await deliver(t, body);

    // Assess
    const record = await recordWithStatus(t, body, 'UNMATCHED');
    expect(record).not.toHaveProperty('gsi1pk');
  });
});

describe('the projection sees only the records its filters select', () => {
  it('is not handed test notifications, unknown event types, other items or its own writes', async () => {
    // Prepare: a customer and an event applied to it (its profile write is a modification).
    const { customerId, profileId } = await seedCustomer(t);
    const body = verificationEvent(profileId, 'verified', Date.now() - 5000);
    await deliver(t, body);
    await recordWithStatus(t, body, 'APPLIED');
    const db = t.stack.deps.webhooks.table.db;

    // Act: items of other kinds, and an event record that is final from the start.
    await db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: { pk: `IDEMPOTENCY#${customerId}#k`, sk: 'REQUEST', state: 'x' },
      }),
    );
    await db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          pk: 'WEBHOOK#filter-test',
          sk: 'EVENT',
          status: 'TEST',
          eventType: 'x',
          receivedAt: 1,
          expiresAt: 2,
        },
      }),
    );
    await t.stack.deps.webhooks.accounts.update(customerId, { status: 'LINKED' });
    await t.stack.streams!.drained();

    // Assess: the record once (its insert; its outcome update is not RECEIVED), the profile once (its insert).
    expect(deliveredTo(t, eventPk(body))).toBe(1);
    expect(deliveredTo(t, `IDEMPOTENCY#${customerId}#k`)).toBe(0);
    expect(deliveredTo(t, 'WEBHOOK#filter-test')).toBe(0);
    const profileKeys = t.stack
      .streams!.invocations('webhook-projection')
      .flatMap((i) => i.keys)
      .filter((k) => k.pk === `CUSTOMER#${customerId}`);
    expect(profileKeys.map((k) => [k.sk, k.eventName])).toEqual(
      expect.arrayContaining([[`PROFILE#${profileId}`, 'INSERT']]),
    );
    expect(profileKeys.filter((k) => k.eventName === 'MODIFY' && k.sk !== 'ACCOUNT')).toHaveLength(0);
    expect(await item(t, 'WEBHOOK#filter-test', 'EVENT')).toMatchObject({ status: 'TEST' });
  });
});
