import { randomUUID } from 'node:crypto';

/**
 * Injected Wise failures (POST /_sim/faults). `path` is a prefix ("/v1/profiles" matches
 * "/v1/profiles/123/kyc-reviews"), or, when it contains `*`, a whole-path pattern where `*`
 * matches any run of characters (e.g. "/v2/profiles/" + "*" + "/kyc-reviews").
 */
export interface Fault {
  id: string;
  method?: string;
  path: string;
  status?: number;
  /** How many matching requests it still applies to; undefined = every one. */
  times?: number;
  /** Probability 0..1 that a matching request is affected; default 1. */
  rate: number;
  delayMs: number;
  retryAfter?: number;
  hits: number;
  /** Requests whose answer this fault is holding back right now (delayMs). */
  held: number;
}

export type FaultInput = Omit<Fault, 'id' | 'hits' | 'held' | 'rate' | 'delayMs'> & {
  rate?: number;
  delayMs?: number;
};

export class FaultBook {
  private faults: Fault[] = [];

  add(input: FaultInput): Fault {
    const fault: Fault = {
      ...input,
      id: randomUUID(),
      rate: input.rate ?? 1,
      delayMs: input.delayMs ?? 0,
      hits: 0,
      held: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults;
  }

  /** The first fault that applies to this request, consuming one of its `times`. */
  take(method: string, path: string, random: () => number = Math.random): Fault | undefined {
    for (const f of this.faults) {
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!pathMatches(f.path, path)) continue;
      if (f.times !== undefined && f.times <= 0) continue;
      if (random() >= f.rate) continue;
      if (f.times !== undefined) f.times--;
      f.hits++;
      return f;
    }
    return undefined;
  }
}

export function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return path.startsWith(pattern);
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}/?$`,
  );
  return re.test(path);
}

export function validateFault(body: unknown): FaultInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be an object';
  const b = body as Record<string, unknown>;
  if (typeof b.path !== 'string' || !b.path.startsWith('/')) return 'path must be a string starting with /';
  if (b.method !== undefined && typeof b.method !== 'string') return 'method must be a string';
  if (
    b.status !== undefined &&
    (!Number.isInteger(b.status) || (b.status as number) < 100 || (b.status as number) > 599)
  )
    return 'status must be an HTTP status';
  if (b.times !== undefined && (!Number.isInteger(b.times) || (b.times as number) < 1))
    return 'times must be a positive integer';
  if (b.rate !== undefined && (typeof b.rate !== 'number' || b.rate < 0 || b.rate > 1))
    return 'rate must be between 0 and 1';
  if (b.delayMs !== undefined && (typeof b.delayMs !== 'number' || b.delayMs < 0 || b.delayMs > 120_000))
    return 'delayMs must be between 0 and 120000';
  if (b.retryAfter !== undefined && (!Number.isInteger(b.retryAfter) || (b.retryAfter as number) < 0))
    return 'retryAfter must be a non-negative integer (seconds)';
  if (b.status === undefined && b.delayMs === undefined) return 'give status, delayMs, or both';
  return {
    path: b.path,
    method: b.method as string | undefined,
    status: b.status as number | undefined,
    times: b.times as number | undefined,
    rate: b.rate as number | undefined,
    delayMs: b.delayMs as number | undefined,
    retryAfter: b.retryAfter as number | undefined,
  };
}
