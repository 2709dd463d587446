import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/stack';
import { backOffice, customerBody, freshCustomer, paymentService, signUp } from './fixtures';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ subscribe: false });
});
afterAll(async () => t?.close());

type Listed = { customerId: string; status: string; updatedAt: string };

const listAll = async (status: string, limit: number) => {
  const items: Listed[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const res = await t.call(
      'GET',
      `/v1/customers?status=${status}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      { as: backOffice },
    );
    if (res.status !== 200) throw new Error(`route 22 answered ${res.status}: ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
};

describe('route 22: customers by status', () => {
  it('pages through 250 customers in one status without gaps or repeats, newest change first, from the index alone', async () => {
    // Prepare: 250 customers whose tokens Wise refused, each a millisecond after the last.
    const accounts = t.stack.deps.onboarding.accounts;
    const ids = Array.from({ length: 250 }, (_, i) => `relink-${i.toString().padStart(3, '0')}`);
    for (const customerId of ids) {
      await accounts.create({ customerId, status: 'RELINK_REQUIRED' });
      t.clock.advance(1);
    }
    const { db } = t.stack.deps.onboarding.table;
    const send = db.send.bind(db);
    const commands: string[] = [];
    db.send = ((
      command: { constructor: { name: string }; input: { IndexName?: string } },
      ...rest: unknown[]
    ) => {
      commands.push(`${command.constructor.name}:${command.input.IndexName ?? 'table'}`);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof db.send;

    // Act
    let listed;
    try {
      listed = await listAll('RELINK_REQUIRED', 100);
    } finally {
      db.send = send;
    }

    // Assess
    expect(listed.pages).toBe(3);
    expect(listed.items).toHaveLength(250);
    expect(new Set(listed.items.map((i) => i.customerId))).toEqual(new Set(ids));
    expect(listed.items.map((i) => i.customerId)).toEqual([...ids].reverse());
    expect(listed.items.every((i) => i.status === 'RELINK_REQUIRED')).toBe(true);
    expect(new Set(commands)).toEqual(new Set(['QueryCommand:gsi2']));
  });

  it('moves a customer whose status changes to the head of its new status', async () => {
    // Prepare
    const { customerId } = await signUp(t, 'moves');
    const before = await listAll('ACTIVE', 100);
    t.clock.advance(1000);

    // Act
    await t.stack.deps.onboarding.accounts.update(customerId, { status: 'DEACTIVATED' });

    // Assess
    expect(before.items.map((i) => i.customerId)).toContain(customerId);
    expect((await listAll('ACTIVE', 100)).items.map((i) => i.customerId)).not.toContain(customerId);
    const deactivated = await listAll('DEACTIVATED', 10);
    expect(deactivated.items[0]).toEqual({
      customerId,
      status: 'DEACTIVATED',
      updatedAt: new Date(t.clock.now()).toISOString(),
    });
  });

  it('lists an EXISTING_ACCOUNT customer after route 1 found the email at Wise', async () => {
    // Prepare
    const taken = await signUp(t, 'owner');
    const { customerId } = freshCustomer('existing');

    // Act
    await t.call('POST', `/v1/customers/${customerId}/wise-account`, {
      as: backOffice,
      body: customerBody(taken.email),
    });

    // Assess
    expect((await listAll('EXISTING_ACCOUNT', 100)).items.map((i) => i.customerId)).toContain(customerId);
  });

  it('answers 400 naming the parameter for a bad status, limit or cursor', async () => {
    // Prepare
    const page = await t.call('GET', '/v1/customers?status=RELINK_REQUIRED&limit=1', { as: backOffice });

    // Act
    const answers = {
      status: await t.call('GET', '/v1/customers?status=SLEEPING', { as: backOffice }),
      creating: await t.call('GET', '/v1/customers?status=CREATING', { as: backOffice }),
      missing: await t.call('GET', '/v1/customers', { as: backOffice }),
      limit: await t.call('GET', '/v1/customers?status=ACTIVE&limit=500', { as: backOffice }),
      cursor: await t.call('GET', `/v1/customers?status=ACTIVE&cursor=${page.body.nextCursor}`, {
        as: backOffice,
      }),
    };

    // Assess
    expect(page.body.nextCursor).toEqual(expect.any(String));
    for (const [name, res] of Object.entries(answers)) {
      expect(res.status, name).toBe(400);
      const path = name === 'creating' || name === 'missing' ? 'status' : name;
      expect(res.body.errors, name).toEqual([expect.objectContaining({ path })]);
    }
  });

  it('is for the partner backend only', async () => {
    // Act
    const asCustomer = await t.call('GET', '/v1/customers?status=ACTIVE', { as: 'some-customer' });
    const asPayments = await t.call('GET', '/v1/customers?status=ACTIVE', { as: paymentService });
    const anonymous = await t.call('GET', '/v1/customers?status=ACTIVE', { as: null });

    // Assess
    expect([asCustomer.status, asPayments.status, anonymous.status]).toEqual([403, 403, 401]);
  });
});
