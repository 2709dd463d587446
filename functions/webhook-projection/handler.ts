import { buildStoreDependencies } from '../../shared/runtime/store-dependencies';
import { streamLambdaHandler } from '../../shared/streams/batch';
import { projectionConsumer } from './consumer';

/** The webhook projection's Lambda entry (its event source mapping: shared/stream-consumers.ts). */
export const handler = streamLambdaHandler('webhook-projection', buildStoreDependencies, (deps) =>
  projectionConsumer(deps),
);
