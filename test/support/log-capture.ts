import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * Captures what the functions log. The Powertools logger writes one JSON document per line to
 * process.stdout (info, debug) and process.stderr (warn, error) of the test worker; both streams
 * are wrapped so that every JSON line is appended to one file per test run, which tests can then
 * search (for secrets, for instance). Lines that are not JSON pass through to the terminal.
 *
 * A run is identified by the vitest process that started the workers: a forked worker's parent,
 * or the process itself when workers are threads. So every file of one `vitest run` writes to the
 * same file, and the next run starts a new one.
 */
export const RESULTS_DIR = join(process.cwd(), 'test-results', 'reliability');

const runKey = (): string => String(isMainThread ? process.ppid : process.pid);

/** Older runs are removed so the folder does not grow without bound. */
const KEEP_RUNS_MS = 6 * 60 * 60 * 1000;

export const runDir = (): string => {
  const runs = join(RESULTS_DIR, 'runs');
  const dir = join(runs, `run-${runKey()}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(runs)) {
      const other = join(runs, name);
      if (other !== dir && Date.now() - statSync(other).mtimeMs > KEEP_RUNS_MS)
        rmSync(other, { recursive: true, force: true });
    }
  }
  return dir;
};

export const logFile = (): string => join(runDir(), 'logs.jsonl');

const INSTALLED = Symbol.for('wise-onboarding.log-capture');

type Write = typeof process.stdout.write;

const wrap = (stream: NodeJS.WriteStream, file: string): void => {
  const original = stream.write.bind(stream) as Write;
  const write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (text.trimStart().startsWith('{')) {
      appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as Write;
  stream.write = write;
};

/**
 * Starts capturing this worker's log lines (idempotent). Call it before the stack is built.
 * Returns the file the lines go to.
 */
export const captureLogs = (): string => {
  const file = logFile();
  const g = globalThis as unknown as Record<symbol, string | undefined>;
  if (g[INSTALLED] === file) return file;
  g[INSTALLED] = file;
  appendFileSync(file, '');
  wrap(process.stdout, file);
  wrap(process.stderr, file);
  return file;
};

/** Everything captured so far in this run. */
export const capturedLogs = (): string => {
  const file = logFile();
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};
