import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../../shared/ports/clock';
import type {
  ProjectionOutcome,
  StoredWebhookEvent,
  WebhookEventStore,
} from '../../shared/ports/webhook-events';
import type { CallBudget } from '../../shared/webhooks/call-budget';
import { interpretRecorded, type WiseEvent } from '../../shared/webhooks/webhook-event';
import { pendingKeyOf, type StateProjection } from '../../shared/webhooks/wise-state-projection';

/** What the projection use cases need: the event records, the state projection, a clock (for the lag) and a logger. */
export interface ProjectionPorts {
  events: WebhookEventStore;
  projection: StateProjection;
  clock: Clock;
  logger: Logger;
}

/** What projecting one record did: its outcome, and whether this run recorded it (false: it was there). */
export type Projected = ProjectionOutcome & { recorded: boolean };

/**
 * Applies one recorded event with today's rules and records the outcome on its record:
 * the owner (remembered per container, else one gsi1 query), then the one conditional write of
 * WiseStateProjection (a state is written only when it occurred strictly later than the stored one,
 * so a repeat or an older event changes nothing), then the outcome (itself conditional: a record
 * that already has an outcome keeps it). Three writes in all for an event of a customer of ours:
 * the receiver's record, the state, the outcome.
 *
 * An event nobody owns yet is recorded UNMATCHED under its pending key (PENDING_PROFILE#{id},
 * PENDING_USER#{id}); when that profile or user becomes a customer's, its stream record brings
 * {@link applyPendingEvents}. The profile may become a customer's between the owner lookup and that
 * write — its stream record then found nothing pending — so the owner is looked up once more after
 * it. What is left is the index's own lag (gsi1 is eventually consistent, typically well under a
 * second); `npm run webhooks:replay` covers it.
 *
 * `owner`: the customer the caller already knows owns the event's profile or user (a pending event
 * applied on the profile's arrival: the index may not show the new owner yet).
 */
export const projectRecordedEvent = async (
  ports: ProjectionPorts,
  record: StoredWebhookEvent,
  budget: CallBudget,
  owner?: string,
): Promise<Projected> => {
  const interpretation = interpretRecorded(record.eventType, record.payload);
  if (interpretation.kind !== 'event') {
    return settle(ports, record, { status: 'IGNORED', reason: interpretation.reason }, budget);
  }
  const event = interpretation.event;
  const applied = await applyTo(
    ports,
    event,
    owner ?? (await ports.projection.ownerOf(event, budget)),
    budget,
  );
  if (applied) return settle(ports, record, applied, budget);

  const pendingKey = pendingKeyOf(event);
  const unmatched = await settle(ports, record, { status: 'UNMATCHED', pendingKey }, budget);
  if (!unmatched.recorded || pendingKey === undefined || owner !== undefined) return unmatched;
  const late = await applyTo(ports, event, await ports.projection.ownerOf(event, budget), budget);
  return late ? settle(ports, record, late, budget) : unmatched;
};

/** The event's conditional write to `customerId`'s items; undefined when nobody (or no longer that customer) owns it. */
const applyTo = async (
  ports: ProjectionPorts,
  event: WiseEvent,
  customerId: string | undefined,
  budget: CallBudget,
): Promise<ProjectionOutcome | undefined> => {
  if (customerId === undefined) return undefined;
  const application = await ports.projection.applyFor(event, customerId, budget);
  if (application.outcome === 'UNMATCHED') return undefined;
  return { status: 'APPLIED', outcome: application.outcome, customerId: application.customerId };
};

const settle = async (
  ports: ProjectionPorts,
  record: StoredWebhookEvent,
  outcome: ProjectionOutcome,
  budget: CallBudget,
): Promise<Projected> => {
  const recorded = await ports.events.recordOutcome(record.dedupKey, outcome, budget);
  ports.logger.info('webhook projected', {
    eventType: record.eventType,
    status: outcome.status,
    ...(outcome.status === 'APPLIED' ? { outcome: outcome.outcome } : {}),
    ...(outcome.status === 'IGNORED' ? { reason: outcome.reason } : {}),
    recorded,
    lagMs: ports.clock.now() - record.receivedAt,
    writeUnits: budget.writeUnits,
  });
  return { ...outcome, recorded };
};

/**
 * A profile or Wise user became `customerId`'s: applies every event kept for it in order of occurrence (the
 * order does not matter for the result — each write is conditional on occurred_at — but it keeps
 * the log readable). Returns how many were applied.
 */
export const applyPendingEvents = async (
  ports: ProjectionPorts,
  pendingKey: string,
  customerId: string,
  budget: CallBudget,
): Promise<number> => {
  const pending = await ports.events.pending(pendingKey, budget);
  let applied = 0;
  for (const record of pending) {
    const projected = await projectRecordedEvent(ports, record, budget, customerId);
    if (projected.status === 'APPLIED' && projected.recorded) applied++;
  }
  if (pending.length > 0)
    ports.logger.info('pending webhook events applied', { pendingKey, found: pending.length, applied });
  return applied;
};
