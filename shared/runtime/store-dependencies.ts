import type { Logger } from '@aws-lambda-powertools/logger';
import { IdempotencyRecords } from '../http/idempotency';
import { systemClock, type Clock } from '../ports/clock';
import { createDocumentClient, type Table } from '../store/dynamo';
import { loadConfig, type AppConfig } from './config';

/**
 * What a function that only talks to its own table needs (the webhooks function): configuration,
 * clock, table, logger and the Idempotency-Key records the handler stack uses. Nothing here imports
 * KMS, Secrets Manager or the Wise client, so a function built from these alone carries none of
 * their code — it cannot decrypt, read the Wise secret or call Wise, and it starts faster.
 */
export interface StoreDependencies {
  config: AppConfig;
  clock: Clock;
  table: Table;
  idempotency: IdempotencyRecords;
  logger: Logger;
}

export interface StoreDependencyOverrides {
  clock?: Clock;
  table?: Table;
}

/** Built once per container from the environment (`loadConfig` fails fast naming a bad variable). */
export const buildStoreDependencies = (
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  overrides: StoreDependencyOverrides = {},
): StoreDependencies => {
  const config = loadConfig(env);
  const clock = overrides.clock ?? systemClock;
  const table = overrides.table ?? { db: createDocumentClient({ endpoint: config.dynamoEndpoint }), name: config.tableName };
  return { config, clock, table, idempotency: new IdempotencyRecords(table, clock), logger };
};
