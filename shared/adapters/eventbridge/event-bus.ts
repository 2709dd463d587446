import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PARTNER_EVENT_SOURCE, type EventBus, type PartnerEvent } from '../../ports/partner-events';
import { sleep } from '../../runtime/wait';

/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

/** Some events were not accepted after every attempt: the caller publishes them all again. */
export class PartnerEventsNotPublishedError extends Error {
  constructor(
    readonly failed: number,
    readonly errorCodes: readonly string[],
  ) {
    super(
      `${failed} partner event(s) were not accepted by EventBridge (${[...new Set(errorCodes)].join(', ')})`,
    );
    this.name = 'PartnerEventsNotPublishedError';
  }
}

export interface EventBridgeBusOptions {
  /** Attempts per call for entries EventBridge refused (throttling, internal failures). */
  attempts?: number;
  /** First pause before an attempt, doubling. */
  baseDelayMs?: number;
}

/**
 * The stack's EventBridge bus as the partner events' {@link EventBus}. Events go out in the given
 * order, ten per PutEvents call; entries EventBridge refuses (PutEvents answers 200 with
 * `FailedEntryCount`) are sent again, and still-refused ones make `publish` throw, so that the
 * stream record is redelivered (the same `eventId`s: a partner de-duplicates on it).
 * EventBridge itself does not promise delivery order to targets: partners order by `occurredAt`.
 *
 * @example new EventBridgeBus(new EventBridgeClient({}), process.env.EVENT_BUS_NAME!)
 */
export class EventBridgeBus implements EventBus {
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    options: EventBridgeBusOptions = {},
  ) {
    this.attempts = options.attempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
  }

  async publish(events: readonly PartnerEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += ENTRIES_PER_CALL) {
      await this.put(events.slice(i, i + ENTRIES_PER_CALL).map((e) => this.entryOf(e)));
    }
  }

  private entryOf(event: PartnerEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: PARTNER_EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.occurredAt),
    };
  }

  private async put(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    let codes: string[] = [];
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!out.FailedEntryCount) return;
      // Results come back in the order of the entries sent; a failed one carries an ErrorCode.
      const results = out.Entries ?? [];
      const refused = pending.filter(
        (_, i) => results[i]?.ErrorCode !== undefined || results[i]?.EventId === undefined,
      );
      codes = results.filter((r) => r.ErrorCode !== undefined).map((r) => r.ErrorCode!);
      pending = refused;
      if (pending.length === 0) return;
      if (attempt < this.attempts) await sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
    throw new PartnerEventsNotPublishedError(pending.length, codes);
  }
}

/** The bus as a function's container builds it once (region and credentials from the Lambda environment). */
export const eventBridgeBus = (busName: string): EventBridgeBus =>
  new EventBridgeBus(new EventBridgeClient({}), busName);
