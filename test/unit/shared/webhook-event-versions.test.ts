import { describe, expect, it } from 'vitest';
import { dedupKeyOf, envelopeSchema, interpret } from '../../../shared/webhooks/webhook-event';
import { WISE_KYC_STATE_CHANGE_5_0_0_EXAMPLE } from '../../support/wise-examples';

const envelope = (body: unknown) => envelopeSchema.parse(body);

describe('kyc-reviews#state-change in every schema version Wise may send', () => {
  it("reads Wise's 5.0.0 example: state, prevState and the requirement changes", () => {
    // Act
    const read = interpret(envelope(WISE_KYC_STATE_CHANGE_5_0_0_EXAMPLE));

    // Assess
    expect(read).toEqual({
      kind: 'event',
      event: {
        type: 'kyc-reviews#state-change',
        reviewId: '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8',
        profileId: 30000001,
        status: 'WAITING_CUSTOMER_INPUT',
        previousStatus: 'WAITING_CUSTOMER_INPUT',
        requiredBy: '2026-09-03T16:22:02.257725',
        // No occurred_at in 5.0.0: the review's zone-less updatedAt (UTC) orders it.
        occurredAt: Date.parse('2026-09-03T16:29:41.147Z'),
        requirementChanges: [
          { key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'IN_REVIEW', previousState: 'NOT_PROVIDED' },
        ],
      },
    });
  });

  it('reads 4.0.0 (millisecond occurred_at) and 2.0.0 (seconds) the same way, without 5.0.0 fields', () => {
    // Prepare
    const resource = {
      id: '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8',
      state: 'PASSED',
      profileId: 30000001,
      requiredBy: null,
      createdAt: '2026-09-03T16:22:02.257725',
      updatedAt: '2026-09-03T16:29:41.147522',
      triggerReferences: [],
    };
    const at = (schema_version: string, occurred_at: string) =>
      envelope({ event_type: 'kyc-reviews#state-change', schema_version, data: { resource, occurred_at } });

    // Act
    const v4 = interpret(at('4.0.0', '2026-09-03T16:29:42.123Z'));
    const v2 = interpret(at('2.0.0', '2026-09-03T16:29:42Z'));

    // Assess
    expect(v4).toMatchObject({
      kind: 'event',
      event: { status: 'PASSED', occurredAt: Date.parse('2026-09-03T16:29:42.123Z') },
    });
    expect(v2).toMatchObject({
      kind: 'event',
      event: { status: 'PASSED', occurredAt: Date.parse('2026-09-03T16:29:42Z') },
    });
    for (const r of [v4, v2]) {
      expect(r.kind === 'event' && 'requirementChanges' in r.event).toBe(false);
      expect(r.kind === 'event' && 'previousStatus' in r.event).toBe(false);
    }
  });

  it('two 5.0.0 requirement changes of the same review and state are two events, a repeat is one', () => {
    // Prepare
    const example = WISE_KYC_STATE_CHANGE_5_0_0_EXAMPLE;
    const other = {
      ...example,
      data: {
        resource: {
          ...example.data.resource,
          requirementChanges: [{ key: 'ACCOUNT_PURPOSE', state: 'IN_REVIEW', prevState: 'NOT_PROVIDED' }],
        },
      },
    };

    // Act
    const first = dedupKeyOf(envelope(example));
    const repeat = dedupKeyOf(envelope(JSON.parse(JSON.stringify(example))));
    const second = dedupKeyOf(envelope(other));

    // Assess
    expect(repeat).toBe(first);
    expect(second).not.toBe(first);
  });

  it('keeps the de-duplication key of 2.0.0 events as it was', () => {
    // Prepare
    const body = envelope({
      event_type: 'profiles#verification-state-change',
      schema_version: '2.0.0',
      data: {
        resource: { type: 'profile', id: 111 },
        current_state: 'verified',
        occurred_at: '2020-01-01T12:34:56Z',
      },
    });

    // Act
    const key = dedupKeyOf(body);

    // Assess: sha256 over the canonical [type, resource type, id, state, occurred_at], as before
    expect(key).toBe('6Fy0E-OsS3MPW7cQtYpvqUv49mbSTlBNdyC1yJ5Ztag');
    expect(dedupKeyOf({ ...body, schema_version: '4.0.0' })).toBe(key);
  });
});
