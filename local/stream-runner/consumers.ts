import type { Dependencies } from '../../shared/runtime/dependencies';
import type { StoreDependencies } from '../../shared/runtime/store-dependencies';
import { streamConsumers, type StreamConsumerName } from '../../shared/stream-consumers';
import type { StreamHandler } from '../../shared/streams/batch';
import { projectionConsumer } from '../../functions/webhook-projection/consumer';
import { partnerEventsConsumer } from '../../functions/partner-events/consumer';
import type { EventBus } from '../../shared/ports/partner-events';
import type { RunnerConsumer } from './runner';

/**
 * How the local stack builds each stream consumer's handler from its function's dependencies, as
 * the function's handler.ts does from the environment in AWS (one entry per consumer of
 * shared/stream-consumers.ts: a missing one does not compile).
 */
export const consumerHandlers: Record<
  StreamConsumerName,
  (deps: StoreDependencies, local: LocalConsumerPorts) => StreamHandler
> = {
  'webhook-projection': (deps) => projectionConsumer(deps),
  'partner-events': (deps, local) => partnerEventsConsumer({ ...deps, eventBus: local.eventBus }),
};

/** What the local stack puts where AWS has a service of its own (the bus: local/event-sink). */
export interface LocalConsumerPorts {
  eventBus: EventBus;
}

/** Without a sink given, partner events are refused (their records are retried, as with a bus outage). */
const noSink: LocalConsumerPorts = {
  eventBus: {
    publish: async () => {
      throw new Error('no local event sink');
    },
  },
};

/** A consumer's handler over given dependencies (tests: the projection over a faulty table client). */
export const consumerHandlerWith = (
  name: StreamConsumerName,
  deps: StoreDependencies,
  local: LocalConsumerPorts = noSink,
): StreamHandler => consumerHandlers[name](deps, local);

/** Every consumer of the definition with its handler, each over its function's dependencies. */
export const runnerConsumers = (
  depsOf: (fn: (typeof streamConsumers)[number]['function']) => Dependencies,
  local: LocalConsumerPorts = noSink,
): RunnerConsumer[] =>
  streamConsumers.flatMap((definition) => {
    // The compiler asks for every consumer's factory; a tree caught half-way (a consumer defined,
    // its factory not yet written) runs the others rather than none.
    const build = (consumerHandlers as Partial<typeof consumerHandlers>)[definition.name];
    return build ? [{ definition, handler: build(depsOf(definition.function), local) }] : [];
  });
