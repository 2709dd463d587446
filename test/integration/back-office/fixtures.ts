import { ADMIN_SCOPE, WISE_ACCESS_SCOPE } from '../../../shared/routes';
import type { CallInit, TestStack } from '../../support/stack';

/** The partner backend (back office), the partner's payment service, as callers. */
export const backOffice = { scope: ADMIN_SCOPE } as const;
export const paymentService = { customerId: 'payment-service', scope: WISE_ACCESS_SCOPE } as const;

export const accountPath = (customerId: string) => `/v1/customers/${customerId}/wise-account`;
export const accessTokenPath = (customerId: string, profileId: number) =>
  `${accountPath(customerId)}/profiles/${profileId}/access-token`;
export const auditPath = (customerId: string, query = '') =>
  `/v1/customers/${customerId}/audit-events${query}`;

let counter = 0;
/** A customer id and email no other test in the run uses. */
export const freshCustomer = (prefix: string) => {
  counter += 1;
  const id = `${prefix}-${Date.now().toString(36)}-${counter}`;
  return { customerId: id, email: `${id}@example.com` };
};

/** Route 1's body for a valid UK customer. */
export const customerBody = (email: string) => ({
  email,
  firstName: 'Test',
  lastName: 'User',
  dateOfBirth: '2000-01-01',
  phoneNumber: '+442079460000',
  address: {
    addressFirstLine: '1 Test Street',
    city: 'London',
    countryIso3Code: 'GBR',
    postCode: 'EC1A 1BB',
  },
  nationality: 'GBR',
  acceptedTermsAt: '2026-01-01T00:00:00.000Z',
});

/** Signs a customer up through route 1 (as the partner backend): the Wise user id and personal profile id. */
export const signUp = async (t: TestStack, prefix: string, init: Partial<CallInit> = {}) => {
  const { customerId, email } = freshCustomer(prefix);
  const res = await t.call('POST', accountPath(customerId), {
    as: backOffice,
    body: customerBody(email),
    ...init,
  });
  if (res.status !== 201) throw new Error(`signup answered ${res.status}: ${res.text}`);
  return {
    customerId,
    email,
    wiseUserId: res.body.wiseUserId as number,
    profileId: res.body.profiles[0].id as number,
  };
};

/** Every page of a customer's audit trail, newest first, `limit` at a time. */
export const wholeTrail = async (t: TestStack, customerId: string, limit = 100) => {
  const items: {
    id: string;
    at: string;
    action: string;
    actor: { kind: string; subject?: string };
    details?: Record<string, unknown>;
  }[] = [];
  let cursor: string | undefined;
  do {
    const res = await t.call(
      'GET',
      auditPath(customerId, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`),
      { as: backOffice },
    );
    if (res.status !== 200) throw new Error(`route 21 answered ${res.status}: ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
};

/** Every item of the test's table (tests only: the product never scans). */
export const scanTable = async (t: TestStack): Promise<Record<string, unknown>[]> => {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { db, name } = t.stack.deps.onboarding.table;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new ScanCommand({ TableName: name, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
};
