import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dedupKeyOf,
  envelopeSchema,
  instantOf,
  interpret,
  summaryOf,
  type WebhookEnvelope,
} from '../../../shared/webhooks/webhook-event';

const env = (
  event_type: string,
  data: Record<string, unknown>,
  extra: Partial<WebhookEnvelope> = {},
): WebhookEnvelope =>
  envelopeSchema.parse({
    data,
    event_type,
    schema_version: '2.0.0',
    subscription_id: 'sub-1',
    sent_at: '2026-01-01T00:00:00Z',
    ...extra,
  });

describe('instantOf', () => {
  it.each([
    ['2020-01-01T12:34:56Z', Date.UTC(2020, 0, 1, 12, 34, 56)],
    ['2020-01-01T12:34:56.789Z', Date.UTC(2020, 0, 1, 12, 34, 56, 789)],
    ['2020-01-01T12:34:56.789123456Z', Date.UTC(2020, 0, 1, 12, 34, 56, 789)],
    ['2024-09-03T16:22:02.257725', Date.UTC(2024, 8, 3, 16, 22, 2, 257)],
    ['2020-01-01T13:34:56+01:00', Date.UTC(2020, 0, 1, 12, 34, 56)],
  ])('reads %s', (value, expected) => {
    // Act / Assess
    expect(instantOf(value)).toBe(expected);
  });

  it.each(['yesterday', '2020-01-01', '2020-13-45T99:99:99Z', ''])('refuses %j', (value) => {
    // Act / Assess
    expect(instantOf(value)).toBeUndefined();
  });
});

describe('interpret', () => {
  it('reads a profile verification change', () => {
    // Act
    const result = interpret(
      env('profiles#verification-state-change', {
        resource: { type: 'profile', id: 111 },
        current_state: 'verified',
        occurred_at: '2020-01-01T12:34:56Z',
      }),
    );

    // Assess
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'profiles#verification-state-change',
        profileId: 111,
        verification: 'verified',
        occurredAt: Date.UTC(2020, 0, 1, 12, 34, 56),
      },
    });
  });

  it('reads a KYC review change (camelCase resource) and orders it by updatedAt when occurred_at is absent', () => {
    // Act
    const result = interpret(
      env('kyc-reviews#state-change', {
        resource: {
          id: 'a1b2',
          state: 'PASSED',
          profileId: '22',
          requiredBy: null,
          updatedAt: '2024-09-03T16:29:41.147522',
          triggerReferences: [],
        },
      }),
    );

    // Assess
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'kyc-reviews#state-change',
        reviewId: 'a1b2',
        profileId: 22,
        status: 'PASSED',
        requiredBy: null,
        occurredAt: Date.UTC(2024, 8, 3, 16, 29, 41, 147),
      },
    });
  });

  it('reads a user deactivation, a CDD check and a transfer change', () => {
    // Act
    const results = [
      interpret(
        env('users#state-change', {
          resource: { id: 5, type: 'user' },
          previous_state: 'ACTIVE',
          current_state: 'DEACTIVATED',
          occurred_at: '2020-01-01T00:00:00Z',
        }),
      ),
      interpret(
        env('profiles#cdd-check-state-change', {
          resource: { type: 'profile', id: 7 },
          current_state: 'EVIDENCE_REQUIRED',
          required_evidences: ['SOURCE_OF_INCOME'],
          occurred_at: '2020-01-01T00:00:00Z',
        }),
      ),
      interpret(
        env('transfers#state-change', {
          resource: { type: 'transfer', id: 9, profile_id: 7, account_id: 1 },
          current_state: 'processing',
          previous_state: null,
          occurred_at: '2020-01-01T00:00:00Z',
        }),
      ),
    ];

    // Assess
    expect(results.map((r) => (r.kind === 'event' ? r.event : r))).toEqual([
      { type: 'users#state-change', userId: 5, state: 'DEACTIVATED', occurredAt: Date.UTC(2020, 0, 1) },
      {
        type: 'profiles#cdd-check-state-change',
        profileId: 7,
        state: 'EVIDENCE_REQUIRED',
        requiredEvidences: ['SOURCE_OF_INCOME'],
        occurredAt: Date.UTC(2020, 0, 1),
      },
      {
        type: 'transfers#state-change',
        transferId: 9,
        profileId: 7,
        status: 'processing',
        occurredAt: Date.UTC(2020, 0, 1),
      },
    ]);
  });

  it('records other event types only, and known types whose data it does not recognise', () => {
    // Act
    const unknown = interpret(env('balances#update', { amount: 1 }));
    const badState = interpret(
      env('profiles#verification-state-change', {
        resource: { id: 1 },
        current_state: 'maybe',
        occurred_at: '2020-01-01T00:00:00Z',
      }),
    );
    const badId = interpret(
      env('transfers#state-change', {
        resource: { id: -1, profile_id: 1 },
        current_state: 'x',
        occurred_at: '2020-01-01T00:00:00Z',
      }),
    );

    // Assess
    expect([unknown, badState, badId]).toEqual([
      { kind: 'record-only', reason: 'UNKNOWN_TYPE' },
      { kind: 'record-only', reason: 'UNRECOGNISED_DATA' },
      { kind: 'record-only', reason: 'UNRECOGNISED_DATA' },
    ]);
  });

  it('never throws, whatever the data', () => {
    const types = fc.constantFrom(
      'profiles#verification-state-change',
      'kyc-reviews#state-change',
      'users#state-change',
      'profiles#cdd-check-state-change',
      'transfers#state-change',
      'other#x',
    );
    fc.assert(
      fc.property(types, fc.dictionary(fc.string(), fc.jsonValue()), (type, data) => {
        // Act / Assess
        expect(['event', 'record-only']).toContain(interpret(env(type, data)).kind);
      }),
    );
  });
});

describe('dedupKeyOf', () => {
  const data = {
    resource: { type: 'profile', id: 111 },
    current_state: 'verified',
    occurred_at: '2020-01-01T12:34:56Z',
  };

  it('is the same for a redelivery: another subscription, another sent_at', () => {
    // Act
    const a = dedupKeyOf(env('profiles#verification-state-change', data));
    const b = dedupKeyOf(
      env(
        'profiles#verification-state-change',
        { ...data },
        { subscription_id: 'sub-2', sent_at: '2026-02-01T00:00:00Z' },
      ),
    );

    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('differs when the event type, resource, state or occurred_at differ', () => {
    // Act
    const keys = new Set([
      dedupKeyOf(env('profiles#verification-state-change', data)),
      dedupKeyOf(env('profiles#cdd-check-state-change', data)),
      dedupKeyOf(
        env('profiles#verification-state-change', { ...data, resource: { type: 'profile', id: 112 } }),
      ),
      dedupKeyOf(env('profiles#verification-state-change', { ...data, current_state: 'not_verified' })),
      dedupKeyOf(env('profiles#verification-state-change', { ...data, occurred_at: '2020-01-01T12:34:57Z' })),
    ]);

    // Assess
    expect(keys.size).toBe(5);
  });

  it('does not depend on the order of keys in data it does not know', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue(), { minKeys: 1 }), (data) => {
        // Prepare
        const reversed = Object.fromEntries(Object.entries(data).reverse());

        // Act / Assess
        expect(dedupKeyOf(env('other#event', reversed))).toBe(dedupKeyOf(env('other#event', data)));
      }),
    );
  });
});

describe('summaryOf', () => {
  it("keeps the event's identity in a few bounded fields", () => {
    // Act
    const summary = summaryOf(
      env('transfers#state-change', {
        resource: { type: 'transfer', id: 9, profile_id: 7 },
        current_state: 'x'.repeat(500),
        occurred_at: '2020-01-01T00:00:00Z',
      }),
    );

    // Assess
    expect(summary).toEqual({
      resourceType: 'transfer',
      resourceId: '9',
      state: 'x'.repeat(64),
      occurredAt: Date.UTC(2020, 0, 1),
    });
  });
});
