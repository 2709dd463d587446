import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { routes as webhookRoutes } from '../../functions/webhooks/routes';
import type { LambdaHandler } from '../../shared/http/types';
import { handlerWith } from '../../shared/runtime/function';
import { waitUntil } from '../../shared/runtime/wait';
import { leakScanTest } from './support/leaks';
import { figures, proves, reportFor, saveReport } from './support/report';
import {
  accountPath,
  activeCustomer,
  customerBody,
  freshCustomer,
  makeTokensDue,
  profilePath,
  startReliabilityStack,
  type ReliabilityStack,
  partner,
} from './support/stack';

/**
 * Duplicates arriving at once: a partner's app retrying in a loop, back-office jobs racing,
 * Wise redelivering. Each is done once.
 */
reportFor(import.meta.url);

/** A key the webhook function trusts beside the simulator's, as during a key rotation. */
const webhookKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

let t: ReliabilityStack;
let webhooks: LambdaHandler | undefined;
beforeAll(async () => {
  t = await startReliabilityStack({
    subscribe: false,
    stack: {
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
});
afterAll(async () => {
  saveReport();
  await t?.close();
});

const all = <T>(n: number, make: (i: number) => Promise<T>) => {
  figures.duplicatesSent += n;
  return Promise.all(Array.from({ length: n }, (_, i) => make(i)));
};

describe('50 concurrent duplicate signups for one customer (route 1)', () => {
  proves(
    'concurrency.signup',
    'with the same body: one Wise user, one profile; every answer is the account or 409 IN_PROGRESS',
    async () => {
      // Prepare
      const { customerId, email } = freshCustomer('race-signup');
      const body = customerBody(email);

      // Act
      const answers = await all(50, () => t.call('POST', accountPath(customerId), { as: partner, body }));
      const settled = await t.call('POST', accountPath(customerId), { as: partner, body });

      // Assess
      for (const a of answers) {
        expect([200, 201, 409], a.text).toContain(a.status);
        if (a.status === 409) expect(a.body.code).toBe('IN_PROGRESS');
      }
      expect(answers.filter((a) => a.status === 201).length).toBeLessThanOrEqual(1);
      expect(settled.status).toBe(200);
      const ids = new Set(answers.filter((a) => a.status < 300).map((a) => a.body.wiseUserId));
      expect([...ids].every((id) => id === settled.body.wiseUserId)).toBe(true);
      const s = await t.state();
      expect(s.users.filter((u) => u.email === email).map((u) => u.id)).toEqual([settled.body.wiseUserId]);
      expect(s.profiles.filter((p) => p.userId === settled.body.wiseUserId)).toHaveLength(1);
    },
  );

  proves(
    'concurrency.idempotency',
    'with one Idempotency-Key: runs once; every answer is that first answer or 409 IN_PROGRESS',
    async () => {
      // Prepare
      const { customerId, email } = freshCustomer('race-key');
      const body = customerBody(email);
      const headers = { 'idempotency-key': randomUUID() };

      // Act
      const answers = await all(50, () =>
        t.call('POST', accountPath(customerId), { as: partner, body, headers }),
      );
      const replay = await t.call('POST', accountPath(customerId), { as: partner, body, headers });

      // Assess
      expect(replay.status).toBe(201);
      for (const a of answers) {
        if (a.status === 409) expect(a.body.code).toBe('IN_PROGRESS');
        else expect({ status: a.status, body: a.body }).toEqual({ status: 201, body: replay.body });
      }
      expect(answers.some((a) => a.status === 201)).toBe(true);
      const s = await t.state();
      expect(s.users.filter((u) => u.email === email).map((u) => u.id)).toEqual([replay.body.wiseUserId]);
      expect(s.profiles.filter((p) => p.userId === replay.body.wiseUserId)).toHaveLength(1);
    },
  );
});

describe('20 concurrent callers inside the refresh window', () => {
  proves(
    'concurrency.refresh',
    'cause exactly one refresh at Wise, and every call succeeds with the new token',
    async () => {
      // Prepare
      const c = await activeCustomer(t, 'race-refresh');
      await makeTokensDue(t, c.customerId);
      const tokensBefore = (await t.state()).tokens.filter((k) => k.userId === c.userId).length;

      // Act
      const answers = await all(20, () =>
        t.call('POST', `${profilePath(c.customerId, c.profileId)}/verification-check`, {
          as: c.customerId,
          body: { sourceCurrencies: ['GBP'] },
        }),
      );

      // Assess
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      const tokensAfter = (await t.state()).tokens.filter((k) => k.userId === c.userId);
      expect(tokensAfter.length - tokensBefore).toBe(1);
      const live = tokensAfter.filter((k) => !k.revoked);
      expect(live.map((k) => k.access_token)).toContain(
        await t.stack.deps.onboarding.tokens.accessToken(c.customerId),
      );
    },
  );
});

describe('10 concurrent copies of one webhook delivery (route 11)', () => {
  proves(
    'concurrency.webhook',
    'are applied once: every copy 200, exactly one "applied", one record',
    async () => {
      // Prepare
      const c = await activeCustomer(t, 'race-webhook');
      const body = JSON.stringify({
        data: {
          resource: { type: 'profile', id: c.profileId },
          current_state: 'verified',
          occurred_at: new Date(t.clock.now()).toISOString(),
        },
        subscription_id: randomUUID(),
        event_type: 'profiles#verification-state-change',
        schema_version: '2.0.0',
        sent_at: new Date(t.clock.now()).toISOString(),
      });
      const signature = sign('RSA-SHA256', Buffer.from(body), webhookKey.privateKey).toString('base64');

      // Act
      const answers = await all(10, () =>
        t.call('POST', '/v1/webhooks/wise', {
          as: null,
          rawBody: body,
          headers: {
            'content-type': 'application/json',
            'x-signature-sha256': signature,
            'x-delivery-id': randomUUID(),
          },
        }),
      );

      // Assess
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      // Storage-first: exactly one copy creates the record ("recorded"); the table's stream applies it once.
      const results = answers.map((a) => a.body.result as string);
      expect(results.filter((r) => r === 'recorded')).toHaveLength(1);
      expect(results.filter((r) => r !== 'recorded').every((r) => r === 'duplicate')).toBe(true);
      const table = t.stack.deps.webhooks.table;
      const records = await table.db.send(
        new ScanCommand({
          TableName: table.name,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': 'WEBHOOK#' },
          ConsistentRead: true,
        }),
      );
      expect(records.Items).toHaveLength(1);
      const verified = await waitUntil(
        async () => {
          const account = await t.call('GET', accountPath(c.customerId), { as: c.customerId });
          return account.body.profiles[0].verification === 'verified' ? true : undefined;
        },
        { every: 25, deadline: Date.now() + 10_000 },
      );
      expect(verified).toBe(true);
    },
  );
});

leakScanTest(() => t);
