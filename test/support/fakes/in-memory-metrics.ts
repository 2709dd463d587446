/** The Metrics port's fake is the local stack's own in-memory adapter: one implementation to trust. */
export { InMemoryMetrics, type Observation } from '../../../shared/adapters/in-memory-metrics';
