// One cold start, as a fresh Lambda container lives it: import the bundle (module init, where the
// SDK clients and the dependencies are built), then serve one request. Run as plain `node` (no
// loader) so nothing but the bundle is loaded. Reports through the IPC channel, then exits: the
// SDK's keep-alive sockets would otherwise hold the process open.
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
const event = JSON.parse(process.env.BENCH_EVENT ?? '{}');
delete process.env.BENCH_EVENT;

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:bench',
  memoryLimitInMB: '1024',
  awsRequestId: 'cold-start',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 25_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const beforeImport = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const afterImport = performance.now();
const result = await mod.handler(event, context);
const afterRequest = performance.now();

process.send(
  {
    // performance.now() counts from this process's start, so afterRequest includes Node's own boot.
    bootMs: beforeImport,
    importMs: afterImport - beforeImport,
    firstRequestMs: afterRequest - afterImport,
    // A stream consumer answers a partial batch response: 200 when no record failed, else 500.
    status:
      result?.statusCode ??
      (Array.isArray(result?.batchItemFailures)
        ? result.batchItemFailures.length === 0
          ? 200
          : 500
        : undefined),
  },
  () => process.exit(0),
);
