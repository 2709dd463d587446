import { eventBridgeBus } from '../../shared/adapters/eventbridge/event-bus';
import { buildStoreDependencies } from '../../shared/runtime/store-dependencies';
import { streamLambdaHandler } from '../../shared/streams/batch';
import { partnerEventsConsumer } from './consumer';

/** The partner events' Lambda entry (its event source mapping: shared/stream-consumers.ts). */
export const handler = streamLambdaHandler(
  'partner-events',
  (logger) => {
    const busName = process.env.EVENT_BUS_NAME;
    if (!busName) throw new Error('Invalid configuration: EVENT_BUS_NAME');
    return { ...buildStoreDependencies(logger), eventBus: eventBridgeBus(busName) };
  },
  (deps) => partnerEventsConsumer(deps),
);
