/**
 * `npm run bench`: bundle sizes and cold starts, warm route latency against the floor, webhook
 * throughput and cost per onboarding and per webhook — in one run against the local stack's real
 * parts (DynamoDB Local and the Wise simulator, both started here on free ports and stopped at the
 * end). Prints the tables, writes bench-results.json and refreshes BENCHMARKS.md's results section.
 *
 * BENCH_QUICK=1 shortens every phase (a smoke run; its figures are not the ones to report).
 * `--only webhook` runs just the webhook figures (warm route latency, throughput, cost per webhook),
 * measured exactly as in the full run, and prints them; bench-results.json and BENCHMARKS.md are left alone.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { functionNames } from '../shared/routes';
import { buildBundles, PROJECT_ROOT, type BundleName } from './bundles';
import { measureAccessToken } from './access-token';
import { measureColdStarts, type ColdEvent } from './cold-start';
import { measureCost } from './cost';
import { startBenchEnvironment, type BenchEnvironment } from './environment';
import { gatewayEvent } from './events';
import { machineInfo } from './machine';
import {
  evaluateGoals,
  renderMachine,
  renderTables,
  updateBenchmarksMd,
  type BenchResults,
  type FunctionResult,
} from './report';
import { measureRoutes, type RouteResult } from './routes';
import { seedLinkedCustomer, webhookEvent } from './scenarios';
import { recordedEventBatch } from './stream-events';
import { round, withMutedStdout } from './stats';
import { measureWebhookThroughput } from './webhook-throughput';

const quick = process.env.BENCH_QUICK === '1';
const onlyArg = process.argv.find((a, i) => a.startsWith('--only=') || process.argv[i - 1] === '--only');
const only = onlyArg?.replace(/^--only=/, '');
if (only !== undefined && only !== 'webhook') throw new Error(`--only ${only}: only "webhook" is supported`);
const COLD_RUNS = quick ? 3 : 15;
const ROUTE_ITERATIONS = quick ? 20 : 150;
const DELIVERIES = quick ? 160 : 1600;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** One realistic first request per function, for the cold starts (a fresh one per process where it matters). */
const coldEvents = async (env: BenchEnvironment) => {
  const customer = await seedLinkedCustomer(env, 'cold');
  // The webhook-calls diagnostic records deliveries of a profile of its own, so that its puts and the
  // webhooks function's never collide.
  const callsCustomer = await seedLinkedCustomer(env, 'cold-calls');
  // The projection applies events of a profile of its own: each run's event is new and newer.
  const projectionCustomer = await seedLinkedCustomer(env, 'cold-projection');
  const params = { customerId: customer.customerId };
  const base = Date.now() - 7_200_000;
  return async (name: BundleName, run: number): Promise<ColdEvent | undefined> => {
    switch (name) {
      case 'reference':
      case 'libraries':
      case 'libraries-with-secrets':
        return gatewayEvent('getAccount', { pathParameters: params, sub: customer.customerId });
      case 'onboarding':
        return gatewayEvent('getAccount', { pathParameters: params, sub: customer.customerId });
      case 'oauth':
        return gatewayEvent('oauthCallback', { query: { state: randomUUID(), code: 'unknown-code' } });
      case 'webhooks':
        return webhookEvent(env, customer.profileId, base + (run + 2) * 1000, run % 2 === 0);
      case 'webhook-calls':
        return webhookEvent(env, callsCustomer.profileId, base + (run + 2) * 1000, run % 2 === 0);
      case 'kyc-reviews':
        return gatewayEvent('listKycReviews', {
          pathParameters: { ...params, profileId: String(customer.profileId) },
          sub: customer.customerId,
        });
      case 'webhook-projection':
        return recordedEventBatch(env, projectionCustomer.profileId, base + (run + 2) * 1000, run % 2 === 0);
      default:
        // A function this bench has no first request for yet: no cold-start row.
        return undefined;
    }
  };
};

/** The callback with an unknown state answers its fixed error page with 400; the others succeed. */
const expectedColdStatus: Partial<Record<BundleName, number>> = {
  reference: 200,
  libraries: 200,
  'libraries-with-secrets': 200,
  'webhook-calls': 200,
  onboarding: 200,
  oauth: 400,
  webhooks: 200,
  'kyc-reviews': 200,
  // The stream consumer's partial batch response, read as 200 when no record failed.
  'webhook-projection': 200,
};

/** The functions with a first request here (the others are left out of the cold starts, and said so). */
const coldFunctions = functionNames.filter((fn) => expectedColdStatus[fn] !== undefined);

/** The warm phases, the same in the full run and in `--only webhook`: route latency, webhook throughput, cost. */
const measureWarm = async (env: BenchEnvironment) => {
  log(`warm routes: ${ROUTE_ITERATIONS} requests per family, each next to its floor`);
  const routes = await measureRoutes(env, ROUTE_ITERATIONS);
  log(`webhook throughput: ${DELIVERIES} deliveries at concurrency 16`);
  const webhookThroughput = await measureWebhookThroughput(env, 16, DELIVERIES);
  log('cost per onboarding and per webhook');
  const cost = await measureCost(env, 10);
  log(
    `route 20 (Wise access tokens): ${ROUTE_ITERATIONS} requests next to their floor, and the cost per token`,
  );
  const accessToken = await measureAccessToken(env, ROUTE_ITERATIONS);
  const allRoutes: Record<string, RouteResult> = { ...routes, accessToken: accessToken.route };
  return { routes: allRoutes, webhookThroughput, cost: { ...cost, accessToken: accessToken.cost } };
};

/** Everything but the final tables: the functions' own log lines would bury them. */
const measure = async () => {
  const started = Date.now();
  const before = machineInfo();
  log(`machine: ${before.nproc} CPUs, ${before.memoryGiB} GiB, Node ${before.node}; ${before.uptime}`);

  const outDir = mkdtempSync(join(tmpdir(), 'wise-bench-bundles-'));
  let env: BenchEnvironment | undefined;
  const stop = async () => {
    await env?.close().catch(() => undefined);
    env = undefined;
    if (process.env.BENCH_KEEP_BUNDLES !== '1') rmSync(outDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  }

  try {
    log('bundling with the CDK options');
    const bundles = await buildBundles(
      ['reference', 'libraries', 'libraries-with-secrets', 'webhook-calls', ...coldFunctions],
      outDir,
    );
    if (process.env.BENCH_KEEP_BUNDLES === '1') log(`bundles and metafiles kept in ${outDir}`);

    log('starting DynamoDB Local and the Wise simulator');
    env = await startBenchEnvironment();
    const e = env;

    log(`cold starts: ${COLD_RUNS} fresh processes per bundle`);
    const skipped = functionNames.filter((fn) => !coldFunctions.includes(fn));
    if (skipped.length > 0) log(`no first request defined for ${skipped.join(', ')}: no cold-start row`);
    const eventFor = await coldEvents(e);
    const cold = await measureColdStarts(
      bundles,
      env.functionEnv(),
      async (name, run) => {
        const event = await eventFor(name, run);
        if (!event) throw new Error(`no cold-start event for ${name}`);
        return event;
      },
      COLD_RUNS,
    );
    for (const [name, c] of cold) {
      if (c.statuses.some((s) => s !== expectedColdStatus[name]))
        throw new Error(`cold start of ${name} answered ${c.statuses.join(',')}`);
    }
    const ref = cold.get('reference')!;
    const fnResult = (name: BundleName): FunctionResult => {
      const c = cold.get(name)!;
      const b = bundles.find((x) => x.name === name)!;
      return {
        bundleBytes: b.bytes,
        initMsP50: round(c.initMsP50),
        initRatio: round(c.initMsP50 / ref.initMsP50),
        processMsP50: round(c.processMsP50),
        importMsP50: round(c.importMsP50),
        firstRequestMsP50: round(c.firstRequestMsP50),
        coldRuns: c.samples.length,
        statuses: c.statuses,
        topInputs: b.topInputs,
      };
    };

    const { routes, webhookThroughput, cost } = await measureWarm(e);
    await stop();

    const partial: Omit<BenchResults, 'goals'> = {
      functions: Object.fromEntries(coldFunctions.map((fn) => [fn, fnResult(fn)])),
      reference: fnResult('reference'),
      libraries: fnResult('libraries'),
      librariesWithSecrets: fnResult('libraries-with-secrets'),
      webhookCalls: fnResult('webhook-calls'),
      routes,
      webhookThroughput,
      cost,
      machine: { before, after: machineInfo() },
      method: {
        bundles:
          'esbuild with the options NodejsFunction passes (infra/constructs/functions.ts): ESM, minify, sourcemap, platform node, read from the construct’s exported BUNDLING options (target, sourcesContent, no externals, mainFields, createRequire banner)',
        coldStart:
          'fresh `node` process per sample; initMs = import of the bundle + its first request, timed inside the process (Node boot excluded, also reported as processMsP50)',
        coldStartLibraries:
          'diagnostic, not a goal: bench/reference/libraries-handler.ts (DynamoDB document client, middy, zod/mini, Powertools logger; no product code) serving the reference’s request; its initRatio is against the reference, like the functions’',
        coldStartLibrariesWithSecrets:
          'diagnostic, not a goal: bench/reference/libraries-with-secrets-handler.ts, the libraries handler plus the KMS client and Powertools’ Secrets Manager reader (imported and kept, built on first use, as onboarding, oauth and kyc-reviews keep them), serving the same request',
        coldStartWebhookCalls:
          'diagnostic, not a goal: bench/reference/webhook-calls-handler.ts (the reference’s DynamoDB client + middy, no product code) making the DynamoDB call of a cold webhook delivery: the event record’s conditional put; same webhook events as the webhooks function',
        coldStartProjection:
          'webhook-projection: a fresh process handed one stream batch (the INSERT of a delivery recorded just before, untimed), applying it: the gsi1 owner query, the state update, the outcome update; reported, no goal',
        routes:
          'handler invoked in-process with API Gateway payload-2.0 events; floor = the same recorded DynamoDB commands and Wise requests replayed in order with a bare DynamoDB client and fetch',
        throughput:
          '16 concurrent in-process invocations of the webhooks handler (signed, verified, recorded; the projection paused meanwhile, as it runs in another function in AWS); floor = 16 concurrent conditional PutItem with a bare client',
        throughputDiagnostics:
          'not goals: one recorded delivery’s put replayed concurrently by 16 workers with a bare client, made to land (fresh record key); CPU per item per phase from process.cpuUsage() (Node) and /proc/<pid>/stat utime+stime (DynamoDB Local’s JVM)',
        projection:
          'the local stream runner (local/stream-runner, the definition’s batch size, filters and retries) with the webhook projection only, in this process: applied events/s = the throughput phase’s backlog over the time from resuming to its last outcome; lag = outcome written minus record written, deliveries offered at a steady rate (half the backlog rate, at most 100/s), polling the stream every 20 ms',
        cost: 'warm container; Wise calls at the transport onCall, KMS calls at KmsCipher onCall (in-process KMS stand-in), WCU/RCU from ReturnConsumedCapacity TOTAL',
      },
      finishedAt: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    return { ...partial, goals: evaluateGoals(partial) } satisfies BenchResults;
  } finally {
    await stop();
  }
};

/** `--only webhook`: the same webhook measurements as the full run, without bundles, cold starts or the report files. */
const measureWebhookOnly = async () => {
  log('starting DynamoDB Local and the Wise simulator');
  const env = await startBenchEnvironment();
  try {
    const { routes, webhookThroughput, cost } = await measureWarm(env);
    return {
      webhookRoute: routes.webhook,
      webhookThroughput,
      webhookCost: cost.webhook,
      machine: machineInfo(),
    };
  } finally {
    await env.close().catch(() => undefined);
  }
};

const main = async () => {
  if (only === 'webhook') {
    const results = await withMutedStdout(measureWebhookOnly);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const results = await withMutedStdout(measure);
  writeFileSync(join(PROJECT_ROOT, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const updated = !quick && updateBenchmarksMd(join(PROJECT_ROOT, 'BENCHMARKS.md'), results);
  process.stdout.write(`\n${renderMachine(results)}\n\n${renderTables(results)}\n\n`);
  log(`wrote bench-results.json${updated ? ' and BENCHMARKS.md' : ''} in ${results.durationSeconds} s`);
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
