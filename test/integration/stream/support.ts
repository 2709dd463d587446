import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { routes as webhookRoutes } from '../../../functions/webhooks/routes';
import type { LambdaHandler } from '../../../shared/http/types';
import { handlerWith } from '../../../shared/runtime/function';
import { waitUntil } from '../../../shared/runtime/wait';
import type { Table } from '../../../shared/store/dynamo';
import { dedupKeyOf } from '../../../shared/webhooks/webhook-event';
import { startTestStack, type TestStack, type TestStackOptions } from '../../support/stack';

/** A key the stack's webhook function trusts beside the simulator's (as during a key rotation). */
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyPem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A test stack whose webhook function also trusts this file's key. */
export const startStreamStack = async (options: TestStackOptions = {}): Promise<TestStack> => {
  let webhooks: LambdaHandler | undefined;
  // The handler is built on the first delivery, once the stack exists.
  const t: TestStack = await startTestStack({
    ...options,
    stack: {
      wrapHandler: (fn, handler) =>
        fn !== 'webhooks'
          ? handler
          : (event, context) => {
              const deps = t.stack.deps.webhooks;
              webhooks ??= handlerWith(
                'webhooks',
                {
                  ...deps,
                  config: { ...deps.config, webhookPublicKeys: `${t.sim.webhookPublicKeyPem}\n${keyPem}` },
                },
                webhookRoutes,
              );
              return webhooks(event, context);
            },
      ...options.stack,
    },
  });
  return t;
};

export const envelope = (eventType: string, data: Record<string, unknown>) =>
  JSON.stringify({
    data,
    subscription_id: randomUUID(),
    event_type: eventType,
    schema_version: '2.0.0',
    sent_at: iso(Date.now()),
  });

export const verificationEvent = (
  profileId: number,
  state: 'verified' | 'not_verified',
  occurredAt: number,
) =>
  envelope('profiles#verification-state-change', {
    resource: { type: 'profile', id: profileId },
    current_state: state,
    occurred_at: iso(occurredAt),
  });

export const userEvent = (userId: number, state: string, occurredAt: number) =>
  envelope('users#state-change', {
    resource: { type: 'user', id: userId },
    current_state: state,
    occurred_at: iso(occurredAt),
  });

/**
 * Route 11 through the local gateway, signed with the trusted key; expects 200 `recorded`. A 503
 * (the record not written in time on a loaded machine) is redelivered at once, as Wise redelivers.
 */
export const deliver = async (t: TestStack, body: string) => {
  let res = await post(t, body);
  let attempt = 1;
  for (; res.status === 503 && attempt < 3; attempt++) res = await post(t, body);
  // A put that timed out may still have landed: the redelivery then finds it.
  expect([res.status, res.body]).toEqual([
    200,
    { result: attempt === 1 ? 'recorded' : expect.stringMatching(/^(recorded|duplicate)$/) },
  ]);
};

const post = (t: TestStack, body: string) =>
  t.call('POST', '/v1/webhooks/wise', {
    as: null,
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-delivery-id': randomUUID(),
      'x-signature-sha256': sign('RSA-SHA256', Buffer.from(body), key.privateKey).toString('base64'),
    },
  });

export const eventPk = (body: string) => `WEBHOOK#${dedupKeyOf(JSON.parse(body))}`;

export const item = async (t: TestStack, pk: string, sk: string) =>
  (
    await t.stack.deps.webhooks.table.db.send(
      new GetCommand({ TableName: t.tableName, Key: { pk, sk }, ConsistentRead: true }),
    )
  ).Item;

export const recordOf = (t: TestStack, body: string) => item(t, eventPk(body), 'EVENT');

/** Polls until `probe` yields a value; fails the test after `ms`. */
export const eventually = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> => {
  const value = await waitUntil(probe, { every: 25, deadline: Date.now() + ms });
  expect(value, `${what} within ${ms} ms`).toBeDefined();
  return value!;
};

/** The record once it has this status. */
export const recordWithStatus = (t: TestStack, body: string, status: string, ms?: number) =>
  eventually(
    `record ${status}`,
    async () => {
      const r = await recordOf(t, body);
      return r?.status === status ? r : undefined;
    },
    ms,
  );

/** Every item of one customer (to compare before and after). */
export const customerItems = async (t: TestStack, customerId: string) =>
  (
    await t.stack.deps.webhooks.table.db.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}` },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

/** A customer of ours, linked to a new Wise user and its personal profile at the simulator. */
export const seedCustomer = async (
  t: TestStack,
  options: { withProfile?: boolean; withUser?: boolean } = {},
) => {
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
  if (options.withUser !== false) await accounts.update(customerId, { wiseUserId: userId });
  if (options.withProfile !== false)
    await accounts.putProfile(customerId, { id: profileId, type: 'PERSONAL' });
  return { customerId, userId, profileId };
};

/** The table with a client whose `send` fails (as a throttled or failing DynamoDB would) when `fails` says so. */
export const faultyTable = (
  base: Table,
  fails: (command: { constructor: { name: string }; input: Record<string, unknown> }) => boolean,
): Table => {
  const db = Object.create(base.db) as Table['db'];
  db.send = ((
    command: { constructor: { name: string }; input: Record<string, unknown> },
    ...rest: unknown[]
  ) =>
    fails(command)
      ? Promise.reject(Object.assign(new Error('injected fault'), { name: 'InternalServerError' }))
      : (base.db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest)) as Table['db']['send'];
  return { db, name: base.name };
};

/** The stream records of one item the projection was handed, over the run so far. */
export const deliveredTo = (t: TestStack, pk: string) =>
  t.stack
    .streams!.invocations('webhook-projection')
    .flatMap((i) => i.keys)
    .filter((k) => k.pk === pk).length;
