import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalEventSink } from '../../../local/event-sink/sink';
import { partnerEventTypes, type PartnerEvent } from '../../../shared/ports/partner-events';

const event = (n: number): PartnerEvent => ({
  detailType: partnerEventTypes.kycReviewStatus,
  detail: {
    eventId: `e${n}`,
    customerId: 'c',
    occurredAt: '2026-03-01T10:00:00.000Z',
    profileId: 1,
    reviewId: 'r',
    status: 'PASSED',
    previousStatus: 'NEW',
  },
});

describe('LocalEventSink', () => {
  it('answers the items after a position, oldest first, as EventBridge shapes them', async () => {
    // Prepare
    const sink = new LocalEventSink();
    await sink.publish([event(1), event(2), event(3)]);

    // Act
    const all = sink.after();
    const rest = sink.after(all[0]!.id);

    // Assess
    expect(all.map((i) => i.detail.eventId)).toEqual(['e1', 'e2', 'e3']);
    expect(all[0]).toMatchObject({
      'detail-type': 'Wise KYC Review Status Changed',
      source: 'wise-onboarding',
      time: '2026-03-01T10:00:00.000Z',
    });
    expect(rest.map((i) => i.detail.eventId)).toEqual(['e2', 'e3']);
    expect(sink.after(all[2]!.id)).toEqual([]);
  });

  it('keeps its items in a file, so a restarted stack still shows them and numbers on', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'sink-')), 'partner-events.jsonl');
    await new LocalEventSink(file).publish([event(1)]);

    // Act
    const restarted = new LocalEventSink(file);
    await restarted.publish([event(2)]);

    // Assess
    expect(restarted.all().map((i) => [i.id, i.detail.eventId])).toEqual([
      ['000000000001', 'e1'],
      ['000000000002', 'e2'],
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
