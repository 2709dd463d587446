export * from './review';
export * from './link';
export * from './freshness';
export * from './wise-time';
export * from './requirement-submission';
export * from './status-order';
