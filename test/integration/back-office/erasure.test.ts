import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestStack, type TestStack } from '../../support/stack';
import {
  accessTokenPath,
  accountPath,
  backOffice,
  customerBody,
  freshCustomer,
  paymentService,
  scanTable,
  signUp,
  wholeTrail,
} from './fixtures';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => t?.close());

const erase = (customerId: string, as: unknown = backOffice) =>
  t.call('DELETE', `/v1/customers/${customerId}`, { as: as as typeof backOffice });

/** Items that name the customer anywhere: in a key, an index key or any attribute. */
const itemsOf = async (customerId: string, profileIds: number[]) => {
  const needles = [customerId, ...profileIds.map((id) => `PROFILE#${id}`)];
  return (await scanTable(t)).filter((item) => {
    const text = JSON.stringify(item);
    return needles.some((n) => text.includes(n));
  });
};

const put = (item: Record<string, unknown>) =>
  t.stack.deps.onboarding.table.db.send(new PutCommand({ TableName: t.tableName, Item: item }));

describe('route 23: erasure', () => {
  it('deletes every item of the customer, hundreds of them, and leaves one customer.erased event', async () => {
    // Prepare: a customer with the items of a real life, and hundreds of KYC items besides.
    const { customerId, email } = freshCustomer('erase');
    const created = await t.call('POST', accountPath(customerId), {
      as: backOffice,
      body: customerBody(email),
      headers: { 'idempotency-key': `signup-${customerId}` },
    });
    expect(created.status, created.text).toBe(201);
    const profileId = created.body.profiles[0].id as number;
    await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `http://localhost:${t.stack.gateway.port}/app/linked` },
    });
    const kycItems = Array.from({ length: 300 }, (_, i) => ({
      pk: `CUSTOMER#${customerId}`,
      sk: `KYC#${profileId}#review-${i}`,
      status: 'WAITING_CUSTOMER_INPUT',
    }));
    for (let i = 0; i < kycItems.length; i += 25) {
      const batch = kycItems.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await t.stack.deps.onboarding.table.db.send(
        new BatchWriteCommand({ RequestItems: { [t.tableName]: batch } }),
      );
    }
    await put({ pk: `WISEPROFILE#${profileId}`, sk: 'OWNER', customerId });
    await put({
      pk: 'LINKRESULT#abc',
      sk: 'LINKRESULT',
      customerId,
      gsi1pk: `LINKRESULT_CUSTOMER#${customerId}`,
    });
    const other = await signUp(t, 'stays');
    await put({ pk: `WISEPROFILE#${other.profileId}`, sk: 'OWNER', customerId: other.customerId });
    const before = await itemsOf(customerId, [profileId]);
    const othersBefore = await itemsOf(other.customerId, [other.profileId]);

    // Act
    const res = await erase(customerId);

    // Assess
    expect(before.length).toBeGreaterThan(300);
    expect(before.some((i) => String(i.pk).startsWith('IDEMPOTENCY#'))).toBe(true);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const left = await itemsOf(customerId, [profileId]);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({
      pk: `AUDIT#${customerId}`,
      action: 'customer.erased',
      actor: { kind: 'partner' },
    });
    expect(left[0]).not.toHaveProperty('details');
    expect(await itemsOf(other.customerId, [other.profileId])).toEqual(othersBefore);
  }, 90_000);

  it('answers 204 when repeated, keeps exactly one tombstone, and the customer is gone for routes 2 and 20', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'twice');
    await erase(customerId);

    // Act
    const again = await erase(customerId);
    const never = await erase('never-seen-customer');

    // Assess
    expect([again.status, never.status]).toEqual([204, 204]);
    expect((await wholeTrail(t, customerId)).map((e) => e.action)).toEqual(['customer.erased']);
    const account = await t.call('GET', accountPath(customerId), { as: backOffice });
    expect(account.status).toBe(404);
    expect(account.body.code).toBe('CUSTOMER_NOT_FOUND');
    const token = await t.call('POST', accessTokenPath(customerId, profileId), { as: paymentService });
    expect(token.status).toBe(404);
  });

  it('records Wise events for an erased customer’s profile as unmatched', async () => {
    // Prepare
    const { customerId, profileId } = await signUp(t, 'unmatched');
    await erase(customerId);

    // Act
    await t.sim_('POST', '/_sim/events', {
      event_type: 'profiles#verification-state-change',
      profileId,
      data: {
        resource: { type: 'profile', id: profileId },
        current_state: 'verified',
        occurred_at: new Date(t.clock.now()).toISOString(),
      },
    });

    // Assess
    const record = await eventually(async () => {
      const webhooks = (await scanTable(t)).filter((i) => String(i.pk).startsWith('WEBHOOK#'));
      return webhooks.find((i) => i.status === 'UNMATCHED' && i.gsi1pk === `PENDING_PROFILE#${profileId}`);
    });
    expect(record).not.toHaveProperty('customerId');
    // Nothing was re-created for the customer: the event stays Wise's, waiting for an owner.
    expect((await itemsOf(customerId, [])).map((i) => i.pk)).toEqual([`AUDIT#${customerId}`]);
    expect((await scanTable(t)).filter((i) => i.pk === `CUSTOMER#${customerId}`)).toEqual([]);
  });

  it('lets a customer sign up again after erasure; a second erasure keeps only its own tombstone', async () => {
    // Prepare
    const { customerId, email } = await signUp(t, 'again');
    await erase(customerId);
    t.clock.advance(1000);
    const back = await t.call('POST', accountPath(customerId), {
      as: backOffice,
      body: customerBody(`re-${email}`),
    });

    // Act
    const res = await erase(customerId);

    // Assess
    expect(back.status).toBe(201);
    expect(res.status).toBe(204);
    const trail = await wholeTrail(t, customerId);
    expect(trail.map((e) => e.action)).toEqual(['customer.erased']);
    expect(Date.parse(trail[0]!.at)).toBeGreaterThanOrEqual(t.clock.now());
  });

  it('is for the partner backend only: the customer and the payment service get 403 and nothing is deleted', async () => {
    // Prepare
    const { customerId } = await signUp(t, 'keep');

    // Act
    const asCustomer = await erase(customerId, customerId);
    const asPayments = await erase(customerId, paymentService);

    // Assess
    expect([asCustomer.status, asPayments.status]).toEqual([403, 403]);
    expect((await t.call('GET', accountPath(customerId), { as: backOffice })).status).toBe(200);
  });
});
