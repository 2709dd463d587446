import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeBus,
  PartnerEventsNotPublishedError,
} from '../../../shared/adapters/eventbridge/event-bus';
import { partnerEventTypes, type PartnerEvent } from '../../../shared/ports/partner-events';

const eventbridge = mockClient(EventBridgeClient);
const BUS = 'wise-onboarding-partner-events';

const statusEvent = (n: number): PartnerEvent => ({
  detailType: partnerEventTypes.accountStatus,
  detail: {
    eventId: `id-${n}`,
    customerId: `c-${n}`,
    occurredAt: '2026-03-01T10:00:00.000Z',
    status: 'LINKED',
    previousStatus: 'LINK_PENDING',
  },
});

beforeEach(() => {
  eventbridge.reset();
});

describe('EventBridgeBus', () => {
  it('puts each event on the bus with the contract source, detail-type and detail', async () => {
    // Prepare
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), BUS);

    // Act
    await bus.publish([statusEvent(1)]);

    // Assess
    expect(eventbridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: BUS,
          Source: 'wise-onboarding',
          DetailType: 'Wise Account Status Changed',
          Detail: JSON.stringify(statusEvent(1).detail),
          Time: new Date('2026-03-01T10:00:00.000Z'),
        },
      ],
    });
  });

  it('sends at most ten entries per call, in order', async () => {
    // Prepare
    eventbridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), BUS);

    // Act
    await bus.publish(Array.from({ length: 23 }, (_, i) => statusEvent(i)));

    // Assess
    const calls = eventbridge
      .commandCalls(PutEventsCommand)
      .map((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).eventId));
    expect(calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(calls.flat()).toEqual(Array.from({ length: 23 }, (_, i) => `id-${i}`));
  });

  it('sends refused entries again, and only those', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e0' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), BUS, { baseDelayMs: 1 });

    // Act
    await bus.publish([statusEvent(0), statusEvent(1)]);

    // Assess
    const second = eventbridge.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!;
    expect(second.map((e) => JSON.parse(e.Detail!).eventId)).toEqual(['id-1']);
  });

  it('throws when entries are still refused after every attempt, so the record is redelivered', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), BUS, {
      attempts: 3,
      baseDelayMs: 1,
    });

    // Act
    const outcome = bus.publish([statusEvent(0)]);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(PartnerEventsNotPublishedError);
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
  });

  it('lets a failing call fail the publication', async () => {
    // Prepare
    eventbridge.on(PutEventsCommand).rejects(new Error('network down'));
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), BUS);

    // Act / Assess
    await expect(bus.publish([statusEvent(0)])).rejects.toThrow('network down');
  });
});
