import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { GatewayEvent } from '../shared/http/types';
import type { Bundle, BundleName } from './bundles';
import { median } from './stats';

const CHILD = fileURLToPath(new URL('./cold-child.mjs', import.meta.url));

/** A first request: an API Gateway event, or a stream batch for a stream consumer. */
export type ColdEvent = GatewayEvent | DynamoDBStreamEvent;

export interface ColdSample {
  bootMs: number;
  importMs: number;
  firstRequestMs: number;
  status: number;
}

export interface ColdStartResult {
  name: BundleName;
  samples: ColdSample[];
  /** Import of the bundle plus the first request, inside the fresh process (median). */
  initMsP50: number;
  /** The same, counted from the process's start (Node's own boot included), for comparison. */
  processMsP50: number;
  importMsP50: number;
  firstRequestMsP50: number;
  statuses: number[];
}

const runOnce = (bundle: Bundle, env: NodeJS.ProcessEnv, event: ColdEvent): Promise<ColdSample> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, bundle.file], {
      env: { ...env, BENCH_EVENT: JSON.stringify(event) },
      // stdout is where the function logs (the Lambda runtime captures it); it is discarded here.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let sample: ColdSample | undefined;
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('message', (m) => (sample = m as ColdSample));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (sample) resolve(sample);
      else reject(new Error(`cold start of ${bundle.name} failed (exit ${code}): ${stderr}`));
    });
  });

/**
 * Cold-init time of each bundle over `runs` fresh Node processes, interleaved (reference, onboarding,
 * oauth, … then again) so that a burst of load from elsewhere on the machine hits all bundles alike.
 */
export const measureColdStarts = async (
  bundles: readonly Bundle[],
  env: NodeJS.ProcessEnv,
  eventFor: (name: BundleName, run: number) => Promise<ColdEvent>,
  runs: number,
): Promise<Map<BundleName, ColdStartResult>> => {
  const samples = new Map<BundleName, ColdSample[]>(bundles.map((b) => [b.name, []]));
  // One unmeasured start per bundle first: the OS page cache then holds every bundle alike.
  for (const b of bundles) await runOnce(b, env, await eventFor(b.name, -1));
  for (let run = 0; run < runs; run++) {
    for (const b of bundles) samples.get(b.name)!.push(await runOnce(b, env, await eventFor(b.name, run)));
  }
  const results = new Map<BundleName, ColdStartResult>();
  for (const [name, list] of samples) {
    results.set(name, {
      name,
      samples: list,
      initMsP50: median(list.map((s) => s.importMs + s.firstRequestMs)),
      processMsP50: median(list.map((s) => s.bootMs + s.importMs + s.firstRequestMs)),
      importMsP50: median(list.map((s) => s.importMs)),
      firstRequestMsP50: median(list.map((s) => s.firstRequestMs)),
      statuses: [...new Set(list.map((s) => s.status))],
    });
  }
  return results;
};
