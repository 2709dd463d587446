import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerResponse } from 'node:http';
import { PARTNER_EVENT_SOURCE, type EventBus, type PartnerEvent } from '../../shared/ports/partner-events';

/** One event as EventBridge would hand it to a target (the fields a partner's rule sees). */
export interface SinkItem {
  /** The sink's own position: `GET /local/events?after=<id>` answers the items after it. */
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  /** When the sink accepted it (EventBridge's `time` is the event's own: `detail.occurredAt`). */
  readonly receivedAt: string;
  readonly time: string;
  readonly detail: PartnerEvent['detail'];
}

/** Positions are zero-padded, so that they order as strings too. */
const ID_DIGITS = 12;
const idOf = (n: number) => String(n).padStart(ID_DIGITS, '0');

/** The most items one answer carries; a reader asks again with `after` = the last id. */
export const MAX_ITEMS_PER_PAGE = 500;

/**
 * The local stack's stand-in for the EventBridge bus: every event published, in order, kept in
 * memory and, when the stack keeps its data (npm start), appended as a JSON line to a file under
 * .local, so the quickstart page and `GET /local/events` still show them after a restart.
 * Nothing is de-duplicated here: like the bus, it shows a redelivered event twice (same eventId).
 */
export class LocalEventSink implements EventBus {
  private readonly items: SinkItem[] = [];

  constructor(
    private readonly file?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.items.push(JSON.parse(line) as SinkItem);
      } catch {
        // A line cut short by a crash: the events before and after it still count.
      }
    }
  }

  async publish(events: readonly PartnerEvent[]): Promise<void> {
    for (const event of events) {
      const item: SinkItem = {
        id: idOf(this.items.length + 1),
        'detail-type': event.detailType,
        source: PARTNER_EVENT_SOURCE,
        receivedAt: new Date(this.now()).toISOString(),
        time: event.detail.occurredAt,
        detail: event.detail,
      };
      this.items.push(item);
      if (this.file) appendFileSync(this.file, `${JSON.stringify(item)}\n`);
    }
  }

  /** The items after position `after` (all without it), oldest first, at most `limit`. */
  after(after?: string, limit = MAX_ITEMS_PER_PAGE): SinkItem[] {
    const from = after === undefined ? 0 : this.items.findIndex((i) => i.id > after);
    return from < 0 ? [] : this.items.slice(from, from + limit);
  }

  /** Every item, oldest first. */
  all(): readonly SinkItem[] {
    return [...this.items];
  }
}

/** `after` must be a position the sink hands out. */
export const isSinkPosition = (value: string): boolean => /^\d{1,12}$/.test(value);

/** `GET /local/events?after=<id>` → `{ items: [...] }`, oldest first (PARTNER-API.md, "Partner events"). */
export const serveEvents = (sink: LocalEventSink, url: URL, res: ServerResponse): void => {
  const after = url.searchParams.get('after') ?? undefined;
  const send = (status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (after !== undefined && !isSinkPosition(after)) {
    return send(
      400,
      {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: 'after must be the id of an event this endpoint answered.',
        errors: [{ path: 'after', message: 'must be digits' }],
      },
      'application/problem+json',
    );
  }
  send(200, { items: sink.after(after === undefined ? undefined : after.padStart(ID_DIGITS, '0')) });
};
