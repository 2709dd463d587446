import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ADMIN_SCOPE, WISE_ACCESS_SCOPE } from '../../shared/routes';
import { leakScanTest } from './support/leaks';
import { figures, noteSecrets, proves, reportFor, saveReport, secretsIn } from './support/report';
import {
  accountPath,
  customerBody,
  freshCustomer,
  profilePath,
  startReliabilityStack,
  type ReliabilityStack,
} from './support/stack';

/**
 * Route 20 hands the partner's payment services a live Wise token: under a crowd it still makes
 * one refresh at Wise, and neither the logs nor the audit trail ever hold one of its tokens.
 */
reportFor(import.meta.url);

let t: ReliabilityStack;
beforeAll(async () => {
  t = await startReliabilityStack({ subscribe: false });
});
afterAll(async () => {
  saveReport();
  await t?.close();
});

const payments = { customerId: 'payment-service', scope: WISE_ACCESS_SCOPE };
const customers: string[] = [];

const signedUp = async (label: string) => {
  const c = freshCustomer(label);
  const res = await t.call('POST', accountPath(c.customerId), {
    as: { scope: ADMIN_SCOPE },
    body: customerBody(c.email, { acceptedTermsAt: '2026-01-01T00:00:00.000Z' }),
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${res.text}`);
  customers.push(c.customerId);
  return { ...c, profileId: res.body.profiles[0].id as number, userId: res.body.wiseUserId as number };
};

const issue = (customerId: string, profileId: number) =>
  t.call('POST', `${profilePath(customerId, profileId)}/access-token`, { as: payments });

describe('route 20 under a crowd', () => {
  proves(
    'wise-access.refresh',
    '20 concurrent calls in the last five minutes of a token: one refresh, one token, accepted by Wise',
    async () => {
      // Prepare
      const { customerId, profileId, userId } = await signedUp('crowd');
      const first = await issue(customerId, profileId);
      t.clock.advance(Date.parse(first.body.expiresAt) - t.clock.now() - 60_000);
      const tokensBefore = (await t.state()).tokens.filter((k) => k.userId === userId).length;

      // Act
      figures.duplicatesSent += 20;
      const answers = await Promise.all(Array.from({ length: 20 }, () => issue(customerId, profileId)));

      // Assess
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(new Set(answers.map((a) => a.body.accessToken)).size).toBe(1);
      const token = answers[0]!.body;
      expect(token.accessToken).not.toBe(first.body.accessToken);
      expect(Date.parse(token.expiresAt)).toBeGreaterThanOrEqual(t.clock.now() + 5 * 60_000);
      expect((await t.state()).tokens.filter((k) => k.userId === userId).length).toBe(tokensBefore + 1);
      const quote = await t.sim_(
        'POST',
        `/v3/profiles/${profileId}/quotes`,
        { sourceCurrency: 'GBP', targetCurrency: 'EUR', sourceAmount: 10 },
        { authorization: `Bearer ${token.accessToken}` },
      );
      expect(quote.status).toBe(200);
      noteSecrets(
        'route 20 access token',
        answers.map((a) => a.body.accessToken as string),
      );
    },
  );
});

describe('the audit trail', () => {
  proves('secrets.audit', "holds none of the run's secrets, route 20's tokens included", async () => {
    // Prepare: more tokens issued, so that every customer's trail has route 20's events.
    for (const label of ['audit-a', 'audit-b']) {
      const { customerId, profileId } = await signedUp(label);
      const answers = [await issue(customerId, profileId), await issue(customerId, profileId)];
      noteSecrets(
        'route 20 access token',
        answers.map((a) => a.body.accessToken as string),
      );
    }
    await t.noteSimSecrets();
    const { db, name } = t.stack.deps.onboarding.table;

    // Act: every audit event of every customer of this file, as stored.
    const events: Record<string, unknown>[] = [];
    for (const customerId of customers) {
      const out = await db.send(
        new QueryCommand({
          TableName: name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `AUDIT#${customerId}` },
        }),
      );
      events.push(...(out.Items ?? []));
    }

    // Assess
    expect(events.filter((e) => e.action === 'access_token.issued').length).toBeGreaterThanOrEqual(25);
    expect(secretsIn(JSON.stringify(events))).toEqual({});
  });
});

leakScanTest(() => t);
