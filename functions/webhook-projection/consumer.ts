import type { DynamoDBRecord } from 'aws-lambda';
import type { StoreDependencies } from '../../shared/runtime/store-dependencies';
import { streamBatchHandler, type StreamHandler } from '../../shared/streams/batch';
import { newImageOf } from '../../shared/streams/records';
import { CallBudget } from '../../shared/webhooks/call-budget';
import {
  storedEventOf,
  WebhookEventStore,
  WEBHOOK_PK_PREFIX,
} from '../../shared/webhooks/webhook-event-store';
import { WiseStateProjection } from '../../shared/webhooks/wise-state-projection';
import { applyPendingEvents, projectRecordedEvent, type ProjectionPorts } from './project-recorded-event';

const CUSTOMER_PREFIX = 'CUSTOMER#';
const PROFILE_PREFIX = 'PROFILE#';
const WISE_USER_PREFIX = 'WISEUSER#';

/** Leaves room before the function's timeout for the batch answer itself. */
const MARGIN_MS = 1000;
/**
 * Each DynamoDB call's own bound. Nobody waits on the projection as Wise waits on the receiver (5 s):
 * a slow call may take longer, and one that hangs fails its record, which the stream then retries.
 */
const PER_CALL_MS = 5000;

/**
 * What a stream record asks of the projection, read from its keys and images exactly as the
 * mapping's filters select them (shared/stream-consumers.ts): a recorded event to apply, or a
 * profile or Wise user that became a customer's, whose pending events can now apply.
 */
export type ProjectionWork =
  | { kind: 'recorded-event'; image: Record<string, unknown> }
  | { kind: 'owner-arrived'; pendingKey: string; customerId: string }
  | { kind: 'none' };

export const workOf = (record: DynamoDBRecord): ProjectionWork => {
  const pk = record.dynamodb?.Keys?.pk?.S ?? '';
  const sk = record.dynamodb?.Keys?.sk?.S ?? '';
  const newImage = record.dynamodb?.NewImage;
  const oldImage = record.dynamodb?.OldImage;
  if (!newImage) return { kind: 'none' };
  if (pk.startsWith(WEBHOOK_PK_PREFIX) && sk === 'EVENT') {
    return newImage.status?.S === 'RECEIVED'
      ? { kind: 'recorded-event', image: newImageOf(record)! }
      : { kind: 'none' };
  }
  if (!pk.startsWith(CUSTOMER_PREFIX)) return { kind: 'none' };
  const customerId = pk.slice(CUSTOMER_PREFIX.length);
  if (sk.startsWith(PROFILE_PREFIX) && !oldImage) {
    return {
      kind: 'owner-arrived',
      pendingKey: `PENDING_PROFILE#${sk.slice(PROFILE_PREFIX.length)}`,
      customerId,
    };
  }
  const user = newImage.gsi1pk?.S;
  if (sk === 'ACCOUNT' && user?.startsWith(WISE_USER_PREFIX) && oldImage?.gsi1pk === undefined) {
    return {
      kind: 'owner-arrived',
      pendingKey: `PENDING_USER#${user.slice(WISE_USER_PREFIX.length)}`,
      customerId,
    };
  }
  return { kind: 'none' };
};

/** The projection's services, built once per container (the owner cache lives as long as it does). */
export const projectionPorts = (deps: StoreDependencies): ProjectionPorts => ({
  events: new WebhookEventStore(deps.table, deps.clock),
  projection: new WiseStateProjection(deps.table, deps.clock),
  clock: deps.clock,
  logger: deps.logger,
});

/**
 * The webhook projection's stream handler: each record's work, with the time bound of the
 * invocation on every DynamoDB call; a failed record is reported, and Lambda (or the local runner)
 * redelivers it from there.
 */
export const projectionConsumer = (
  deps: StoreDependencies,
  ports: ProjectionPorts = projectionPorts(deps),
): StreamHandler =>
  streamBatchHandler({
    logger: deps.logger,
    handle: async (record, context) => {
      const work = workOf(record);
      if (work.kind === 'none') return;
      const budget = CallBudget.within(context.remainingMs(), MARGIN_MS, PER_CALL_MS);
      if (work.kind === 'recorded-event')
        await projectRecordedEvent(ports, storedEventOf(work.image), budget);
      else await applyPendingEvents(ports, work.pendingKey, work.customerId, budget);
    },
  });
