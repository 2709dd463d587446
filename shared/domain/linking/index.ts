export * from './authorize-url';
export * from './callback-outcome';
export * from './identity';
export * from './link-state';
