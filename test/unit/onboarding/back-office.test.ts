import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditEvents } from '../../../functions/onboarding/audit-events';
import {
  AUDIT_POSITION,
  decodeCursor,
  encodeCursor,
  STATUS_POSITION,
} from '../../../functions/onboarding/cursor';
import { CustomerLists } from '../../../functions/onboarding/customer-lists';
import { Erasure } from '../../../functions/onboarding/erasure';
import { MIN_TOKEN_VALIDITY_MS, WiseAccessTokens } from '../../../functions/onboarding/wise-access-tokens';
import { DomainError } from '../../../shared/errors/domain-error';
import { actorOf } from '../../../shared/http/actor';
import type { Grants } from '../../../shared/ports/grants';
import { createLogger } from '../../../shared/logging/logger';
import { RelinkRequiredError } from '../../../shared/ports/user-tokens';
import {
  InMemoryAuditTrail,
  InMemoryCustomerDirectory,
  InMemoryCustomerErasure,
  InMemoryGrants,
  inMemoryStores,
  ManualClock,
} from '../../support/fakes';

const logger = createLogger('test');
const partner = { kind: 'partner', subject: 'back-office' } as const;
const failure = async (promise: Promise<unknown>) =>
  (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as DomainError;

describe('the cursor of routes 21 and 22', () => {
  const position = '2026-03-01T10:00:00.000Z#0b7f5c1e-4b7a-4c1e-9d2a-3f1c2b4a5d6e';

  it('gives back the position it was made with, for the same query', () => {
    // Act
    const cursor = encodeCursor('audit-events:c1', position);

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('audit-events:c1', cursor, AUDIT_POSITION)).toBe(position);
  });

  it("refuses another customer's and another query's cursor, naming `cursor`", () => {
    // Prepare
    const cursor = encodeCursor('audit-events:c1', position);

    // Act
    const errors = ['audit-events:c2', 'customers:ACTIVE'].map((binding) => {
      try {
        decodeCursor(binding, cursor, AUDIT_POSITION);
        return undefined;
      } catch (err) {
        return err as DomainError;
      }
    });

    // Assess
    for (const err of errors)
      expect(err).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
  });

  it('refuses every edited cursor (property: any change of one character)', () => {
    const cursor = encodeCursor('customers:ACTIVE', '2026-03-01T10:00:00.000Z#cust-1');
    fc.assert(
      fc.property(fc.nat(cursor.length - 1), fc.constantFrom(...'ABCabc012-_'), (index, char) => {
        fc.pre(cursor[index] !== char);
        const edited = cursor.slice(0, index) + char + cursor.slice(index + 1);
        let decoded: string | undefined;
        try {
          decoded = decodeCursor('customers:ACTIVE', edited, STATUS_POSITION);
        } catch (err) {
          expect((err as DomainError).code).toBe('VALIDATION_FAILED');
          return;
        }
        // base64url's last character may carry unused bits: the same bytes are the same cursor.
        expect(decoded).toBe('2026-03-01T10:00:00.000Z#cust-1');
      }),
    );
  });

  it('never throws anything but a validation error on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (input) => {
        try {
          decodeCursor('customers:ACTIVE', input, STATUS_POSITION);
        } catch (err) {
          expect((err as DomainError).code).toBe('VALIDATION_FAILED');
        }
      }),
    );
  });
});

describe('actorOf', () => {
  const caller = (subject: string, scopes: string[] = []) => ({
    subject,
    scopes,
    isAdmin: scopes.includes('wise-onboarding/admin'),
    isWiseAccess: scopes.includes('wise-onboarding/wise-access'),
  });

  it('names the caller kind and keeps the token subject', () => {
    expect(actorOf(caller('c1'), 'c1')).toEqual({ kind: 'customer', subject: 'c1' });
    expect(actorOf(caller('svc', ['wise-onboarding/admin']), 'c1')).toEqual({
      kind: 'partner',
      subject: 'svc',
    });
    expect(
      actorOf(caller('pay', ['wise-onboarding/admin', 'wise-onboarding/wise-access']), 'c1', 'wise-access'),
    ).toEqual({
      kind: 'wise-access',
      subject: 'pay',
    });
    expect(actorOf(undefined, 'c1')).toEqual({ kind: 'system' });
  });
});

describe('route 20: WiseAccessTokens', () => {
  const setup = async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const { accounts, audit, items } = inMemoryStores(clock);
    const grants = new InMemoryGrants(() => clock.now());
    await accounts.create({ customerId: 'c1', status: 'ACTIVE' });
    await accounts.putProfile('c1', { id: 11, type: 'PERSONAL' });
    const tokens = {
      access_token: 'wise-access-1',
      refresh_token: 'wise-refresh-1',
      expires_in: 43_200,
      token_type: 'bearer',
    };
    await grants.keep('c1', tokens as never, { kind: 'registration_code', profileIds: [11] });
    return {
      clock,
      accounts,
      audit,
      items,
      grants,
      use: new WiseAccessTokens({ accounts, grants, audit, logger }),
    };
  };

  it('answers the covering grant’s token with at least five minutes asked for, after recording it', async () => {
    // Prepare
    const { accounts, audit, grants } = await setup();
    let asked: number | undefined;
    const spy: Pick<Grants, 'accessToken'> = {
      accessToken: async (cid, pid, options) => {
        asked = options.minValidityMs;
        return grants.accessToken(cid, pid);
      },
    };
    const use = new WiseAccessTokens({ accounts, grants: spy, audit, logger });

    // Act
    const issued = await use.issue('c1', 11, { kind: 'wise-access', subject: 'pay' }, Date.now() + 5000);

    // Assess
    expect(asked).toBe(MIN_TOKEN_VALIDITY_MS);
    expect(issued).toMatchObject({ tokenType: 'bearer', profileId: 11, accessToken: expect.any(String) });
    expect(audit.events('c1')).toEqual([
      expect.objectContaining({
        action: 'access_token.issued',
        actor: { kind: 'wise-access', subject: 'pay' },
        details: expect.objectContaining({ profileId: 11, expiresAt: issued.expiresAt }),
      }),
    ]);
    expect(JSON.stringify(audit.events('c1'))).not.toContain(issued.accessToken);
  });

  it('answers 503 STORE_UNAVAILABLE and no token when the audit event cannot be recorded', async () => {
    // Prepare
    const { use, audit } = await setup();
    audit.failNext();

    // Act
    const err = await failure(use.issue('c1', 11, partner, Date.now() + 5000));

    // Assess
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.retryAfterSeconds).toBe(1);
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('wise-access-');
  });

  it('tells an unknown customer (404 CUSTOMER_NOT_FOUND) from a profile that is not theirs (404 PROFILE_NOT_FOUND)', async () => {
    // Prepare
    const { use, audit } = await setup();

    // Act
    const unknown = await failure(use.issue('nobody', 11, partner, Date.now() + 5000));
    const notTheirs = await failure(use.issue('c1', 99, partner, Date.now() + 5000));

    // Assess
    expect([unknown.code, notTheirs.code]).toEqual(['CUSTOMER_NOT_FOUND', 'PROFILE_NOT_FOUND']);
    expect(audit.events('c1')).toEqual([]);
  });

  it('lets RELINK_REQUIRED through, recording nothing', async () => {
    // Prepare
    const { use, audit, grants } = await setup();
    grants.accessToken = async () => {
      throw new RelinkRequiredError();
    };

    // Act
    const err = await failure(use.issue('c1', 11, partner, Date.now() + 5000));

    // Assess
    expect(err.code).toBe('RELINK_REQUIRED');
    expect(audit.events('c1')).toEqual([]);
  });
});

describe('route 21: AuditEvents', () => {
  it('pages newest first; the pages add up to the trail, each event once', async () => {
    // Prepare
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const audit = new InMemoryAuditTrail(clock);
    for (let i = 0; i < 7; i++)
      await audit.record('c1', { action: 'access_token.issued', actor: partner, details: { n: i } });
    await audit.record('c2', { action: 'customer.erased', actor: partner });
    const events = new AuditEvents(audit);

    // Act
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await events.page('c1', 3, cursor);
      seen.push(...page.items.map((e) => Number(e.details?.n)));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    // Assess
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expect(pages).toBe(3);
  });
});

describe('route 22: CustomerLists', () => {
  it('pages one status newest first and refuses a cursor of another status', async () => {
    // Prepare
    const directory = new InMemoryCustomerDirectory().seed(
      ...Array.from({ length: 5 }, (_, i) => ({
        customerId: `c${i}`,
        status: 'RELINK_REQUIRED' as const,
        updatedAt: new Date(Date.UTC(2026, 2, 1, 10, 0, i)).toISOString(),
      })),
      { customerId: 'a1', status: 'ACTIVE', updatedAt: '2026-03-01T11:00:00.000Z' },
    );
    const lists = new CustomerLists(directory);

    // Act
    const first = await lists.inStatus('RELINK_REQUIRED', 2);
    const second = await lists.inStatus('RELINK_REQUIRED', 2, first.nextCursor);
    const third = await lists.inStatus('RELINK_REQUIRED', 2, second.nextCursor);
    const wrong = await failure(lists.inStatus('ACTIVE', 2, first.nextCursor));

    // Assess
    expect([...first.items, ...second.items, ...third.items].map((c) => c.customerId)).toEqual([
      'c4',
      'c3',
      'c2',
      'c1',
      'c0',
    ]);
    expect(third.nextCursor).toBeUndefined();
    expect(wrong).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
  });
});

describe('route 23: Erasure', () => {
  const setup = async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const { accounts, audit, items } = inMemoryStores(clock);
    const erasure = new InMemoryCustomerErasure(items);
    await audit.record('c1', { action: 'customer.signup_started', actor: partner });
    await accounts.create({ customerId: 'c1', status: 'ACTIVE' });
    await accounts.putProfile('c1', { id: 11, type: 'PERSONAL' });
    items.put({ pk: 'WISEPROFILE#11', sk: 'OWNER', customerId: 'c1' });
    items.put({ pk: 'IDEMPOTENCY#c1#x', sk: 'REQUEST', gsi1pk: 'IDEMPOTENCY_CUSTOMER#c1' });
    return { clock, accounts, audit, items, erasure, use: new Erasure({ audit, erasure, logger }) };
  };

  it('records the tombstone, deletes the rest, and leaves one tombstone when repeated', async () => {
    // Prepare
    const { use, audit, items, accounts } = await setup();

    // Act
    await use.erase('c1', partner, Date.now() + 5000);
    await use.erase('c1', partner, Date.now() + 5000);

    // Assess
    expect(audit.actions('c1')).toEqual(['customer.erased']);
    expect(await accounts.get('c1')).toBeUndefined();
    expect(items.size).toBe(1);
  });

  it('answers 503 when the deadline comes first, and the repeat finishes without a second tombstone', async () => {
    // Prepare
    const { use, audit, erasure, items } = await setup();
    erasure.stopAfter(2);

    // Act
    const cut = await failure(use.erase('c1', partner, Date.now() + 5000));
    await use.erase('c1', partner, Date.now() + 5000);

    // Assess
    expect(cut.code).toBe('STORE_UNAVAILABLE');
    expect(audit.actions('c1')).toEqual(['customer.erased']);
    expect(items.size).toBe(1);
  });
});
