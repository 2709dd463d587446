import { readFileSync, writeFileSync } from 'node:fs';
import type { PhaseCpu } from './cpu';
import type { MachineInfo } from './machine';
import type { UnitCost } from './cost';
import type { RouteResult } from './routes';
import { round } from './stats';
import type { ThroughputResult } from './webhook-throughput';
import { routesOf, type FunctionName } from '../shared/routes';
import { streamConsumerByName } from '../shared/stream-consumers';

const PROJECTION_BATCH = streamConsumerByName('webhook-projection').batchSize;

export interface FunctionResult {
  bundleBytes: number;
  initMsP50: number;
  initRatio: number;
  processMsP50: number;
  importMsP50: number;
  firstRequestMsP50: number;
  coldRuns: number;
  statuses: number[];
  topInputs: { path: string; bytes: number }[];
}

export interface BenchResults {
  functions: Record<string, FunctionResult>;
  reference: FunctionResult;
  /** Diagnostic, not a goal: the required libraries without the product (initRatio against the reference). */
  libraries: FunctionResult;
  /** Diagnostic, not a goal: `libraries` plus the KMS and Secrets Manager clients (initRatio against the reference). */
  librariesWithSecrets: FunctionResult;
  /** Diagnostic, not a goal: the reference making a cold webhook's DynamoDB calls (initRatio against the reference). */
  webhookCalls: FunctionResult;
  routes: Record<string, RouteResult>;
  webhookThroughput: ThroughputResult;
  /** `accessToken`: per token route 20 issues (warm, the grant far from expiry). */
  cost: { onboarding: UnitCost; webhook: UnitCost; accessToken?: UnitCost };
  goals: { goal: string; value: string; met: boolean }[];
  machine: { before: MachineInfo; after: MachineInfo };
  method: Record<string, string>;
  finishedAt: string;
  durationSeconds: number;
}

/** The goals, evaluated on the figures. */
export const evaluateGoals = (r: Omit<BenchResults, 'goals'>): BenchResults['goals'] => {
  const goals: BenchResults['goals'] = [];
  for (const [name, f] of Object.entries(r.functions)) {
    // The goal is for the functions behind the API; a stream consumer's cold start is reported, not judged.
    if (routesOf(name as FunctionName).length === 0) continue;
    goals.push({ goal: `${name}: initRatio ≤ 1.3`, value: String(f.initRatio), met: f.initRatio <= 1.3 });
  }
  for (const [name, route] of Object.entries(r.routes)) {
    goals.push({ goal: `${name}: route ratio ≤ 1.25`, value: String(route.ratio), met: route.ratio <= 1.25 });
  }
  const t = r.webhookThroughput;
  goals.push({
    goal: 'webhook throughput ratio ≥ 0.5',
    value: String(t.ratio),
    met: t.ratio >= 0.5 && t.notRecorded === 0,
  });
  goals.push({
    goal: 'webhook projection: every recorded event applied',
    value: `${t.projection.notApplied} not applied`,
    met: t.projection.notApplied === 0,
  });
  const o = r.cost.onboarding;
  const onboardingWise = o.wiseCalls + o.clientTokenCalls;
  goals.push({
    goal: 'onboarding: ≤ 4 Wise calls',
    value: `${o.wiseCalls} (+${o.clientTokenCalls} client token)`,
    met: onboardingWise <= 4,
  });
  goals.push({ goal: 'onboarding: ≤ 2 KMS calls', value: String(o.kmsCalls), met: o.kmsCalls <= 2 });
  // Version 2 records the signup on the audit trail: the budget grew from 6 to 10 WCU for it (#16).
  goals.push({ goal: 'onboarding (with audit): ≤ 10 WCU', value: String(o.wcu), met: o.wcu <= 10 });
  const w = r.cost.webhook;
  goals.push({ goal: 'webhook: 0 KMS calls', value: String(w.kmsCalls), met: w.kmsCalls === 0 });
  goals.push({
    goal: 'webhook (record + projection + outcome): ≤ 3 WCU',
    value: String(w.wcu),
    met: w.wcu <= 3,
  });
  return goals;
};

const table = (header: string[], rows: (string | number)[][]): string => {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

const LIBRARIES_LABEL =
  'libraries (DynamoDB doc client + middy + zod/mini + Powertools logger; no product code)';
const LIBRARIES_WITH_SECRETS_LABEL =
  'libraries + KMS + Secrets Manager clients (as onboarding, oauth, kyc-reviews carry them; no product code)';
const WEBHOOK_CALLS_LABEL =
  "webhook calls (reference + a cold webhook's one call: the record's conditional put; no product code)";

/** The cold-start rows: the reference, the three diagnostics right after it, then the functions. */
const coldRows = (r: BenchResults) =>
  [
    ['reference', r.reference] as const,
    [LIBRARIES_LABEL, r.libraries] as const,
    [LIBRARIES_WITH_SECRETS_LABEL, r.librariesWithSecrets] as const,
    [WEBHOOK_CALLS_LABEL, r.webhookCalls] as const,
    ...Object.entries(r.functions),
  ].map(([name, f]) => [
    name,
    kib(f.bundleBytes),
    f.initMsP50,
    f.importMsP50,
    f.firstRequestMsP50,
    f.processMsP50,
    name === 'reference' ? '1 (by definition)' : f.initRatio,
  ]);

const cpuCells = (c: PhaseCpu) => [
  c.nodeMs,
  c.dynamoMs ?? 'n/a',
  c.dynamoMs === null ? 'n/a' : round(c.nodeMs + c.dynamoMs, 3),
  c.wallMs,
];

/** Where the webhook phases' CPU goes, per item, with the sentence that reads it. */
const cpuSection = (r: BenchResults): string[] => {
  const { cpu } = r.webhookThroughput;
  const cores = r.machine.before.nproc;
  return [
    "Where the webhook phases' CPU goes (per item; ms)",
    '',
    table(
      [
        'phase',
        'node CPU ms per item',
        'DynamoDB Local CPU ms per item',
        'total CPU per item',
        'wall ms per item',
      ],
      [
        ['product deliveries (per delivery)', ...cpuCells(cpu.product)],
        ['floor PutItem (per put)', ...cpuCells(cpu.floorPut)],
        ['diagnostic: the same record, landing (per delivery)', ...cpuCells(cpu.sameWrites)],
      ],
    ),
    '',
    `On ${cores} CPUs both processes share the cores, so throughput is bounded by total CPU per item ` +
      `(at most ${cores} × 1000 / total CPU ms items per second).`,
  ];
};

/** The run as Markdown tables: printed to stdout and placed in BENCHMARKS.md. */
export const renderTables = (r: BenchResults): string => {
  const fnRows = coldRows(r);
  const routeRows = Object.entries(r.routes).map(([name, x]) => [
    name,
    x.p50Ms,
    x.p99Ms,
    x.floorP50Ms,
    x.floorP99Ms,
    x.ratio,
    `${x.dynamoCalls} DynamoDB + ${x.wiseCalls} Wise`,
  ]);
  const t = r.webhookThroughput;
  const sameWrites =
    t.sameWritesFailures > 0
      ? `${t.sameWritesFloorPerSec} (${t.sameWritesFailures} calls FAILED)`
      : t.sameWritesFloorPerSec;
  const costRows = (['onboarding', 'webhook', 'accessToken'] as const).flatMap((k) => {
    const c = r.cost[k];
    return c
      ? [[k, c.wiseCalls, c.clientTokenCalls, c.kmsCalls, c.wcu, c.rcu, c.dynamoCalls, c.refusedWrites]]
      : [];
  });
  return [
    `Cold start (median of ${r.reference.coldRuns} fresh Node processes each; ms)`,
    '',
    table(
      [
        'bundle',
        'size (minified)',
        'init = import + 1st request',
        'import',
        '1st request',
        'since process start',
        'initRatio',
      ],
      fnRows,
    ),
    '',
    `Warm routes (in-process handler invocation, ${Object.values(r.routes)[0]?.samples ?? 0} requests each; ms)`,
    '',
    table(
      ['route family', 'p50', 'p99', 'floor p50', 'floor p99', 'ratio (p50)', 'calls per request'],
      routeRows,
    ),
    '',
    `Webhook throughput (concurrency ${t.concurrency}, ${t.deliveries} deliveries)`,
    '',
    table(
      [
        'recorded deliveries/s (signed, verified, recorded)',
        'DynamoDB Local conditional PutItem/s',
        'ratio',
        'not recorded',
        "diagnostic: one delivery's record, landing, with a bare client /s",
      ],
      [[t.perSec, t.floorPerSec, t.ratio, t.notRecorded, sameWrites]],
    ),
    '',
    `Webhook projection from the table's stream (local stream runner, batch ${PROJECTION_BATCH}; lag at ${t.projection.lagOfferedPerSec} deliveries/s offered, ${t.projection.lagDeliveries} deliveries)`,
    '',
    table(
      [
        'applied events/s (backlog)',
        'not applied',
        'of which stale (superseded in a batch)',
        'receipt-to-state lag p50 ms',
        'p99 ms',
        'max ms',
      ],
      [
        [
          t.projection.appliedPerSec,
          t.projection.notApplied,
          t.projection.stale,
          t.projection.lagP50Ms,
          t.projection.lagP99Ms,
          t.projection.lagMaxMs,
        ],
      ],
    ),
    '',
    ...cpuSection(r),
    '',
    'Cost per unit (warm container)',
    '',
    table(
      [
        'unit',
        'Wise calls',
        '+ client token (amortised)',
        'KMS calls',
        'WCU',
        'RCU',
        'DynamoDB calls',
        'refused cond. writes',
      ],
      costRows,
    ),
    '',
    'Goals',
    '',
    table(
      ['goal', 'value', 'met'],
      r.goals.map((g) => [g.goal, g.value, g.met ? 'yes' : 'NO']),
    ),
  ].join('\n');
};

const machineLine = (m: MachineInfo) =>
  `${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory (${m.freeMemoryGiB} GiB free), Node ${m.node}, ${m.platform}; load average ${m.load.join(' / ')}`;

export const renderMachine = (r: BenchResults): string =>
  [
    `- Before: ${machineLine(r.machine.before)}`,
    `- After: ${machineLine(r.machine.after)}`,
    `- Run took ${r.durationSeconds} s, finished ${r.finishedAt}`,
  ].join('\n');

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated section of BENCHMARKS.md (between the markers) with this run. */
export const updateBenchmarksMd = (path: string, r: BenchResults): boolean => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return false;
  const section = `${START}\n_Generated by \`npm run bench\`; do not edit by hand._\n\n${renderMachine(r)}\n\n${renderTables(r)}\n${END}`;
  writeFileSync(path, text.slice(0, from) + section + text.slice(to + END.length));
  return true;
};
