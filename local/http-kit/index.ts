/**
 * The local stack's HTTP plumbing, shared by the local gateway and the Wise simulator: a router,
 * a body reader with a byte limit, and listen/stop. Each caller keeps its own error bodies.
 */
export { Router, type RouteMatch, type RouterOptions } from './router';
export { BodyTooLargeError, readBody, type BodyLimit } from './body';
export { DEFAULT_HOST, listen, localUrl, stop } from './listen';
