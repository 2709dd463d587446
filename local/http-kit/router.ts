/** What a router does with empty path segments (a trailing slash, `//`) and with bad escapes. */
export interface RouterOptions {
  /**
   * `strict` (the default): `/a/` and `//a` are paths of their own, as API Gateway treats them.
   * `ignore`: empty segments are dropped, so `/a/` matches the route `/a`.
   */
  readonly emptySegments?: 'strict' | 'ignore';
  /**
   * A captured segment that is not valid percent-encoding: `keep-raw` (the default) captures it as
   * it came; `no-match` makes the route not match it.
   */
  readonly undecodable?: 'keep-raw' | 'no-match';
}

/** A route that matched both the path and the method, with its captures decoded. */
export interface RouteMatch<H> {
  readonly handler: H;
  readonly params: Record<string, string>;
}

interface Entry<H> {
  readonly method: string;
  readonly segments: readonly Segment[];
  readonly handler: H;
}

type Segment = { readonly literal: string } | { readonly param: string };

const PARAM = /^(?:\{(\w+)\}|:(\w+))$/;

/**
 * Method + path pattern → handler. A whole segment written `{name}` or `:name` captures one
 * non-empty segment; everything else matches literally. Routes are tried in the order they were
 * added and the first that matches path and method wins.
 *
 * @example
 * const router = new Router<string>().on('GET', '/v1/customers/{customerId}', 'getCustomer');
 * router.match('GET', '/v1/customers/alice'); // { handler: 'getCustomer', params: { customerId: 'alice' } }
 * router.match('PUT', '/v1/customers/alice'); // 'method-not-allowed'
 * router.match('GET', '/nope'); // undefined
 */
export class Router<H> {
  private readonly entries: Entry<H>[] = [];
  private readonly emptySegments: 'strict' | 'ignore';
  private readonly undecodable: 'keep-raw' | 'no-match';

  constructor(options: RouterOptions = {}) {
    this.emptySegments = options.emptySegments ?? 'strict';
    this.undecodable = options.undecodable ?? 'keep-raw';
  }

  on(method: string, pattern: string, handler: H): this {
    const segments = this.split(pattern).map((s): Segment => {
      const m = PARAM.exec(s);
      return m ? { param: (m[1] ?? m[2]) as string } : { literal: s };
    });
    this.entries.push({ method: method.toUpperCase(), segments, handler });
    return this;
  }

  /**
   * The first route matching path and method; `'method-not-allowed'` when some route has this
   * path but none this method (a 405); `undefined` when no route has this path (a 404).
   */
  match(method: string, path: string): RouteMatch<H> | 'method-not-allowed' | undefined {
    const wanted = method.toUpperCase();
    const actual = this.split(path);
    let pathMatched = false;
    for (const entry of this.entries) {
      const params = this.capture(entry.segments, actual);
      if (!params) continue;
      pathMatched = true;
      if (entry.method === wanted) return { handler: entry.handler, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }

  private split(path: string): string[] {
    const segments = path.split('/');
    return this.emptySegments === 'ignore' ? segments.filter((s) => s.length > 0) : segments;
  }

  private capture(
    pattern: readonly Segment[],
    actual: readonly string[],
  ): Record<string, string> | undefined {
    if (pattern.length !== actual.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i] as Segment;
      const a = actual[i] as string;
      if ('literal' in p) {
        if (p.literal !== a) return undefined;
        continue;
      }
      if (a === '') return undefined;
      const decoded = decode(a);
      if (decoded === undefined && this.undecodable === 'no-match') return undefined;
      params[p.param] = decoded ?? a;
    }
    return params;
  }
}

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};
