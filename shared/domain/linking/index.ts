export * from './authorize-url';
export * from './callback-outcome';
export * from './identity';
export * from './link-result';
export * from './link-state';
