import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoAuditTrail } from '../adapters/dynamodb/audit-trail';
import { DynamoLease } from '../adapters/dynamodb/lease';
import { InMemoryMetrics } from '../adapters/in-memory-metrics';
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import type { Metrics } from '../ports/metrics';
import type { ReplayedAnswers } from '../http/idempotency';
import type { AuditTrail } from '../ports/audit';
import { systemClock, type Clock } from '../ports/clock';
import type { Lease } from '../ports/lease';
import { createDocumentClient, type Table } from '../store/dynamo';
import { loadConfig, type AppConfig } from './config';

/**
 * What a function that only talks to its own table needs (the webhooks function): configuration,
 * clock, table, logger and the one lease. Nothing here imports
 * KMS, Secrets Manager or the Wise client, so a function built from these alone carries none of
 * their code — it cannot decrypt, read the Wise secret or call Wise, and it starts faster.
 */
export interface StoreDependencies {
  config: AppConfig;
  clock: Clock;
  table: Table;
  /**
   * Idempotency-Key replay (the handler stack's): only the Wise-facing functions have it
   * (shared/runtime/dependencies.ts), as it needs the digest key and the cipher.
   */
  idempotency?: ReplayedAnswers;
  /** One holder at a time for a piece of work (signup, token refresh, KYC review creation). */
  lease: Lease;
  /** The customers' audit trail (route 21): every function records what it does to a customer. */
  audit: AuditTrail;
  /** Business and health metrics (shared/metrics/names.ts): EMF in AWS, in memory locally. */
  metrics: Metrics;
  logger: Logger;
}

export interface StoreDependencyOverrides {
  clock?: Clock;
  table?: Table;
  metrics?: Metrics;
}

/** CloudWatch reads EMF only in AWS; the local stack and tests keep the observations in memory. */
const metricsFor = (config: AppConfig): Metrics =>
  config.wiseEnvironment === 'local' ? new InMemoryMetrics() : new PowertoolsMetrics();

/** Built once per container from the environment (`loadConfig` fails fast naming a bad variable). */
export const buildStoreDependencies = (
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  overrides: StoreDependencyOverrides = {},
): StoreDependencies => {
  const config = loadConfig(env);
  const clock = overrides.clock ?? systemClock;
  const table = overrides.table ?? {
    db: createDocumentClient({ endpoint: config.dynamoEndpoint }),
    name: config.tableName,
  };
  return {
    config,
    clock,
    table,
    lease: new DynamoLease(table, clock),
    audit: new DynamoAuditTrail(table, clock, { retentionDays: config.auditRetentionDays }),
    metrics: overrides.metrics ?? metricsFor(config),
    logger,
  };
};
