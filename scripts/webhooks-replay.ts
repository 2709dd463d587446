/**
 * `npm run webhooks:replay -- --since <ISO instant> [--customer <id>]` — applies the recorded Wise
 * events received since that instant again, with the projection's own rules (each write conditional
 * on the event's occurred_at, each outcome recorded once), so that replaying twice changes nothing
 * the second time. For events the stream consumer gave up on (its failure queue's messages name
 * only stream positions; the records themselves are in the table, still RECEIVED), for events kept
 * UNMATCHED whose profile is a customer's by now, and for state restored from a backup.
 *
 *   npm run webhooks:replay -- --since 2026-03-01T00:00:00Z                      # the local stack's table
 *   TABLE_NAME=WiseOnboarding-Table... npm run webhooks:replay -- --since ...    # a deployed table (AWS credentials)
 *
 * Local by default: DynamoDB Local on DYNAMODB_PORT (8000) and the table `npm start` uses. With
 * TABLE_NAME set, that table, at DYNAMODB_ENDPOINT when set, else in AWS (the default credential
 * chain and AWS_REGION). The scan reads every event record (an operator's tool, not a hot path).
 */
import { pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { systemClock, type Clock } from '../shared/ports/clock';
import type { StoredWebhookEvent } from '../shared/ports/webhook-events';
import { createDocumentClient, type Table } from '../shared/store/dynamo';
import { CallBudget } from '../shared/webhooks/call-budget';
import { interpretRecorded } from '../shared/webhooks/webhook-event';
import { WebhookEventStore } from '../shared/webhooks/webhook-event-store';
import { WiseStateProjection } from '../shared/webhooks/wise-state-projection';
import {
  projectRecordedEvent,
  type ProjectionPorts,
} from '../functions/webhook-projection/project-recorded-event';

const USAGE = 'Usage: npm run webhooks:replay -- --since <ISO instant> [--customer <customerId>]';
const LOCAL_TABLE = 'wise-onboarding-local';
const CUSTOMER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** An operator's run waits for a slow table rather than failing its records: 10 s a call. */
const budget = () => CallBudget.within(60_000, 0, 10_000);

export interface ReplayInput {
  /** Epoch ms. */
  since: number;
  customerId?: string;
}

export interface ReplaySummary {
  /** Records read (received since the instant). */
  read: number;
  /** Records replayed (test notifications, and other customers' events with --customer, are not). */
  replayed: number;
  /** Replayed events whose write changed the state (0 on a second replay). */
  stateChanged: number;
  /** Records whose outcome this replay recorded (0 on a second replay). */
  outcomesRecorded: number;
  /** Replayed events still without an owner. */
  unmatched: number;
  /** Records that failed again (the run ends with a non-zero exit code). */
  failed: number;
}

/** Flags only; unknown flags are an error rather than silently ignored. */
export const readReplayInput = (argv: readonly string[]): ReplayInput => {
  let since: string | undefined;
  let customerId: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = inline ?? argv[++i];
    if (flag !== '--since' && flag !== '--customer') throw new Error(`Unknown argument ${flag}\n${USAGE}`);
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--since') since = value;
    else customerId = value;
  }
  // A full ISO 8601 instant, with its zone: "since midnight" in an unstated zone is not an instant.
  if (
    !since ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(since) ||
    Number.isNaN(Date.parse(since))
  ) {
    throw new Error(`--since must be an ISO 8601 instant with its zone, e.g. 2026-03-01T00:00:00Z\n${USAGE}`);
  }
  if (customerId !== undefined && !CUSTOMER_ID.test(customerId))
    throw new Error(`--customer must match ${CUSTOMER_ID}\n${USAGE}`);
  return { since: Date.parse(since), customerId };
};

/** The table to replay into: the local stack's unless TABLE_NAME names another. */
export const replayTable = (env: NodeJS.ProcessEnv): Table & { where: string } => {
  if (env.TABLE_NAME) {
    const endpoint = env.DYNAMODB_ENDPOINT || undefined;
    return {
      db: createDocumentClient({ endpoint }),
      name: env.TABLE_NAME,
      where: endpoint ?? `AWS ${env.AWS_REGION ?? 'eu-west-1'}`,
    };
  }
  const endpoint = `http://localhost:${env.DYNAMODB_PORT ?? 8000}`;
  return { db: createDocumentClient({ endpoint }), name: LOCAL_TABLE, where: endpoint };
};

/** Whether a record concerns the customer: applied to it, or (not applied yet) about a profile or user it owns. */
const concerns = async (
  ports: ProjectionPorts,
  record: StoredWebhookEvent,
  customerId: string,
): Promise<boolean> => {
  if (record.customerId !== undefined) return record.customerId === customerId;
  const interpretation = interpretRecorded(record.eventType, record.payload);
  if (interpretation.kind !== 'event') return false;
  return (await ports.projection.ownerOf(interpretation.event, budget())) === customerId;
};

/** Re-applies the recorded events of the input's window (see the file comment); one record at a time. */
export const replayWebhookEvents = async (
  ports: ProjectionPorts,
  input: ReplayInput,
  print: (line: string) => void = () => undefined,
): Promise<ReplaySummary> => {
  const summary: ReplaySummary = {
    read: 0,
    replayed: 0,
    stateChanged: 0,
    outcomesRecorded: 0,
    unmatched: 0,
    failed: 0,
  };
  for await (const record of ports.events.receivedSince(input.since)) {
    summary.read++;
    if (record.status === 'TEST') continue;
    if (input.customerId !== undefined && !(await concerns(ports, record, input.customerId))) continue;
    summary.replayed++;
    try {
      const projected = await projectRecordedEvent(ports, record, budget());
      if (projected.status === 'APPLIED' && projected.outcome === 'APPLIED') summary.stateChanged++;
      if (projected.status === 'UNMATCHED') summary.unmatched++;
      if (projected.recorded) summary.outcomesRecorded++;
    } catch (err) {
      summary.failed++;
      print(
        `  failed  ${record.eventType} received ${new Date(record.receivedAt).toISOString()}: ${(err as Error).name}`,
      );
    }
  }
  return summary;
};

export interface ReplayOptions {
  print?: (line: string) => void;
  clock?: Clock;
  /** The table (tests); otherwise from the environment (see {@link replayTable}). */
  table?: Table;
}

/** The command: reads the flags, replays, prints what it did. */
export const replay = async (
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: ReplayOptions = {},
): Promise<ReplaySummary> => {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const input = readReplayInput(argv);
  const target = options.table ? { ...options.table, where: 'the given table' } : replayTable(env);
  const clock = options.clock ?? systemClock;
  const ports: ProjectionPorts = {
    events: new WebhookEventStore(target, clock),
    projection: new WiseStateProjection(target, clock),
    clock,
    // The projection's per-event lines would bury the summary; warnings and errors still show.
    logger: new Logger({ serviceName: 'webhooks-replay', logLevel: 'WARN' }),
  };
  print(
    `Replaying webhook events received since ${new Date(input.since).toISOString()}${input.customerId ? ` for ${input.customerId}` : ''}`,
  );
  print(`Table ${target.name} (${target.where})`);
  try {
    const s = await replayWebhookEvents(ports, input, print);
    print(
      `${s.read} read, ${s.replayed} replayed: ${s.stateChanged} changed the state, ${s.outcomesRecorded} outcomes recorded, ` +
        `${s.unmatched} still unmatched, ${s.failed} failed.`,
    );
    return s;
  } finally {
    if (!options.table) target.db.destroy();
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  replay(process.argv.slice(2), process.env).then(
    (s) => {
      if (s.failed > 0) process.exitCode = 1;
    },
    (err: unknown) => {
      process.stderr.write(`webhooks:replay failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
