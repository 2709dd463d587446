import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15-minute load averages. */
  load: [number, number, number];
  uptime: string;
}

const uptimeLine = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

/** The machine as it is right now: the figures mean little without its size and its load. */
export const machineInfo = (): MachineInfo => {
  const gib = (n: number) => Math.round((n / 1024 ** 3) * 10) / 10;
  const [l1, l5, l15] = loadavg().map((l) => Math.round(l * 100) / 100);
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load: [l1 ?? 0, l5 ?? 0, l15 ?? 0],
    uptime: uptimeLine(),
  };
};
