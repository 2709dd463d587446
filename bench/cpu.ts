import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { round } from './stats';

/** CPU used during one phase, per item of the phase (ms, 3 decimals). */
export interface PhaseCpu {
  /** This Node process's own CPU (user + system), from process.cpuUsage(). */
  nodeMs: number;
  /** DynamoDB Local's JVM (user + system, all its threads), from /proc; null when /proc cannot be read. */
  dynamoMs: number | null;
  /** Elapsed time over items: the phase's wall clock per item, all workers together. */
  wallMs: number;
}

let ticksPerSec: number | undefined;

/** Clock ticks per second, the unit of /proc's utime and stime: asked once of `getconf CLK_TCK`. */
const clockTicksPerSec = (): number => {
  if (ticksPerSec === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSec = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      // USER_HZ is 100 on every Linux architecture Node runs on.
      ticksPerSec = 100;
    }
  }
  return ticksPerSec;
};

/**
 * CPU time (user + system, ms) process `pid` has used so far, from /proc/<pid>/stat fields 14 and 15
 * (utime, stime; the whole thread group); undefined when there is no pid or /proc cannot be read.
 */
export const processCpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after its closing ') '.
  // What follows starts at field 3 (state), so field n sits at index n - 3.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / clockTicksPerSec();
};

/**
 * Starts metering a phase: Node's CPU, DynamoDB Local's CPU (process `dynamoPid`) and the wall
 * clock. The returned function ends the phase and divides each by the phase's `items`.
 */
export const startCpuMeter = (dynamoPid: number | undefined): ((items: number) => PhaseCpu) => {
  clockTicksPerSec();
  const node = process.cpuUsage();
  const dynamo = processCpuMs(dynamoPid);
  const started = performance.now();
  return (items) => {
    const wallMs = performance.now() - started;
    const nodeUsed = process.cpuUsage(node);
    const dynamoNow = processCpuMs(dynamoPid);
    const dynamoMs =
      dynamo === undefined || dynamoNow === undefined ? null : round((dynamoNow - dynamo) / items, 3);
    return {
      nodeMs: round((nodeUsed.user + nodeUsed.system) / 1000 / items, 3),
      dynamoMs,
      wallMs: round(wallMs / items, 3),
    };
  };
};
