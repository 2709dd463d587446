import { existsSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { it } from 'vitest';
import { capturedLogs, RESULTS_DIR, runDir } from '../../support/log-capture';

/**
 * The reliability suite's own bookkeeping: which promise each test proves, how it ended, the
 * figures of the run (cases tried, faults injected, duplicates sent, leaks found) and the secrets
 * the run produced. Every file saves its part under the run's folder and re-renders RELIABILITY.md
 * from all parts saved so far, so the file written by the last test file reports the whole run,
 * whatever order vitest chose.
 */
export const PROMISES = {
  'faults.signup':
    'Signup (route 1) completes through Wise 5xx, 429 and timeouts at every step, or answers 503 WISE_UNAVAILABLE and completes on retry: one Wise user, one personal profile, nothing lost.',
  'faults.linking':
    'Linking (routes 8–10, 17) survives Wise 5xx, 429 and timeouts at every step of the code exchange: a clear answer, a retry (or a new link) that links, no grant kept from a failed attempt.',
  'faults.refresh':
    'Token refresh survives Wise 5xx, 429 and timeouts: the call completes or answers 503, the customer keeps working tokens, never RELINK_REQUIRED.',
  'faults.kyc':
    'KYC review creation (route 12) survives Wise 5xx, 429 and timeouts at every step: one Wise review per trigger, completed on retry.',
  'faults.crash':
    "A crash between Wise's answer and the store write, then a retry: every flow completes with no duplicate Wise user, profile or review.",
  'faults.store':
    'DynamoDB throttling or failing (a call refused, or a write whose answer is lost) on every route and at every step of signup, linking, refresh and KYC review creation: 503 with Retry-After or success, nothing half-written, and the retry completes.',
  'faults.kms':
    'KMS throttling or failing at every encryption and decryption of signup, linking, refresh and KYC review creation: 503 with Retry-After, nothing half-written, and the retry completes.',
  'faults.secrets':
    'Secrets Manager unavailable: a container that read the Wise credentials keeps working on them; a cold container answers 503 with Retry-After, and completes once Secrets Manager is back.',
  'concurrency.signup':
    '50 concurrent duplicate signups for one customer (same body) make one Wise user and one profile.',
  'concurrency.idempotency':
    '50 concurrent requests with one Idempotency-Key run once; every answer is the first answer or 409 IN_PROGRESS.',
  'concurrency.refresh': '20 concurrent callers inside the refresh window cause exactly one refresh at Wise.',
  'concurrency.webhook': '10 concurrent copies of one webhook are applied once.',
  'webhooks.applied':
    "A genuine signed delivery (route 11), Wise's own and ours, is recorded, carried by the table's stream to the projection and applied: the verified profile shows on GET wise-account; the receipt-to-state lag is measured.",
  'webhooks.signature':
    'Through the stream: unsigned, wrongly signed and tampered deliveries get 401; nothing is recorded, nothing is handed to the projection, nothing is applied.',
  'webhooks.fail-closed':
    "With no verification key configured, route 11 fails closed: 503 WEBHOOK_KEYS_NOT_CONFIGURED, nothing recorded nor applied; Wise's redelivery once the keys are configured is applied.",
  'webhooks.dedup':
    'A copy arriving 16 days after the first answers 200 duplicate and changes nothing: not the state, not the record, and the projection is not handed it again.',
  'webhooks.order':
    'An older event arriving after a newer one (one after the other, or both in one stream batch) leaves the newest state.',
  'webhooks.concurrent-copies':
    '10 concurrent copies of one delivery through the stream: all answered 200, recorded once, handed to the projection once, applied once.',
  'webhooks.test-notifications':
    "A test notification (ours and the simulator's) is verified and acknowledged, never handed to the projection and never applied.",
  'webhooks.consumer-retry':
    "The projection's store failing its writes for a while is retried by the stream: every event is applied once, nothing is lost, nothing reaches the failure destination.",
  'webhooks.poison-replay':
    'A record whose writes keep failing ends on the failure destination (the queue its depth alarm watches) while the others are applied; `npm run webhooks:replay` applies it once after the fix, and again changes nothing.',
  'input.fuzz':
    'Property-based fuzzing of every partner route and the webhook route (in-process and over HTTP): never a 5xx, always problem+json, nothing written for a rejected input.',
  'input.edges':
    'Oversized bodies, wrong content types, traversal and control characters in ids, unicode edge cases: a clear 4xx, nothing written.',
  'attacks.cross-customer':
    "Another customer's token gets 403 FORBIDDEN on every partner route, whether or not the customer exists.",
  'attacks.jwt': 'Forged JWTs (another key, alg none, expired, wrong audience, wrong issuer) get 401.',
  'attacks.oauth-state': 'Forged and replayed OAuth state never link an account and never redirect.',
  'attacks.open-redirect':
    'Return and redirect URLs off the allowlist (look-alike hosts, userinfo, //host, javascript:, encoded tricks) are refused before anything is stored.',
  'attacks.webhooks':
    'Forged webhooks (no signature, another key, tampered body) get 401 and store nothing; a replayed genuine delivery changes nothing.',
  'attacks.host-headers':
    'Spoofed Host and X-Forwarded-Host headers change no URL the service builds (authorize redirect_uri, claim URL, KYC link).',
  'attacks.cross-customer-link':
    "A link started by one customer and consented to by another person is never completed into a customer's record: route 17 answers 400 LINK_RESULT_INVALID in the victim's session, the attacker never receives the result, and no Wise token is obtained.",
  'attacks.partner-only':
    'A customer token on the partner-only routes (1, 3, 4, 6, 18: KYC data and the identity on record) gets 403 FORBIDDEN; nothing is stored and Wise is not called.',
  'attacks.scope-parsing':
    'Only the space-delimited `scope` claim grants a scope: a comma-joined `x,wise-onboarding/admin`, a bracketed list or an `scp` claim gets 403.',
  'attacks.encoded-traversal':
    'Return URLs with encoded traversal (`..%2f`, `%5c`, backslashes, dot segments, double encoding) are refused before anything is stored; the normalised URL is what is stored and redirected to.',
  'wise-access.refresh':
    '20 concurrent route-20 calls for a token inside its last five minutes cause one refresh at Wise; every answer is the same token, valid 5 more minutes, and Wise accepts it.',
  'secrets.audit':
    "The audit trail of every customer of the run holds none of the tokens (route 20's included), codes, states or links the run produced.",
  'secrets.logs':
    'The logs of the whole run hold none of the tokens, registration codes, authorization codes, claim codes, OAuth states or client secret the run produced.',
} as const;

export type PromiseId = keyof typeof PROMISES;

export interface Figures {
  /** Inputs tried by the fuzzers (in-process and HTTP). */
  casesTried: number;
  /** Of those, sent over HTTP through the local gateway. */
  httpCases: number;
  /** Faults injected at the simulator (5xx, 429, delays) and crashes injected in the transport. */
  faultsInjected: number;
  crashesInjected: number;
  /** DynamoDB, KMS and Secrets Manager faults injected (test/reliability/support/dependency-faults.ts). */
  dependencyFaultsInjected: number;
  /** Concurrent duplicate requests and webhook copies sent. */
  duplicatesSent: number;
  /** Attack requests sent (cross-customer, forged tokens, states, redirects, webhooks, headers). */
  attacksSent: number;
  /** Distinct secrets searched for in the logs, log lines searched, and hits. */
  secretsSearched: number;
  logLinesSearched: number;
  leaksFound: number;
  /** Webhook pipeline (test/reliability/webhook-pipeline.test.ts): route 11 deliveries sent, events the projection applied. */
  webhookDeliveriesSent: number;
  webhookEventsApplied: number;
  /** Receipt (route 11's 200) to the state applied, in ms, over that many applied deliveries. */
  webhookLagSamples: number;
  webhookLagP50Ms: number;
  webhookLagP99Ms: number;
  /** Records on the projection's failure destination, and of those, applied by webhooks:replay. */
  webhookFailedRecords: number;
  webhookReplayedRecords: number;
}

export const figures: Figures = {
  casesTried: 0,
  httpCases: 0,
  faultsInjected: 0,
  crashesInjected: 0,
  dependencyFaultsInjected: 0,
  duplicatesSent: 0,
  attacksSent: 0,
  secretsSearched: 0,
  logLinesSearched: 0,
  leaksFound: 0,
  webhookDeliveriesSent: 0,
  webhookEventsApplied: 0,
  webhookLagSamples: 0,
  webhookLagP50Ms: 0,
  webhookLagP99Ms: 0,
  webhookFailedRecords: 0,
  webhookReplayedRecords: 0,
};

interface TestResult {
  promise: PromiseId;
  test: string;
  file: string;
  status: 'passed' | 'failed';
  durationMs: number;
}

const results: TestResult[] = [];
let currentFile = 'unknown';

/** Names the file whose results this worker records (call once at the top of a test file). */
export const reportFor = (file: string): void => {
  currentFile = basename(file);
};

/** A test that proves one promise; its outcome is recorded for RELIABILITY.md. */
export const proves = (
  promise: PromiseId,
  title: string,
  fn: () => Promise<void>,
  timeoutMs?: number,
): void => {
  it(
    title,
    async () => {
      const started = Date.now();
      try {
        await fn();
        results.push({
          promise,
          test: title,
          file: currentFile,
          status: 'passed',
          durationMs: Date.now() - started,
        });
      } catch (err) {
        results.push({
          promise,
          test: title,
          file: currentFile,
          status: 'failed',
          durationMs: Date.now() - started,
        });
        throw err;
      }
    },
    timeoutMs,
  );
};

// ---- secrets -------------------------------------------------------------------------------

/** Secrets are kept for the scan only, in the run's folder under test-results (never printed). */
export const noteSecrets = (kind: string, values: readonly (string | undefined | null)[]): void => {
  const lines = values
    .filter((v): v is string => typeof v === 'string' && v.length >= 6)
    .map((value) => JSON.stringify({ kind, value }))
    .join('\n');
  if (lines) appendFileSync(join(runDir(), 'secrets.jsonl'), `${lines}\n`);
};

export interface LeakScan {
  secrets: number;
  logLines: number;
  /** Per kind of secret, how many distinct secrets of that kind appear in the logs. */
  leaks: Record<string, number>;
  total: number;
}

/** The kinds of the secrets noted in this run that appear in `text` (route 23's audit details, say), with counts. */
export const secretsIn = (text: string): Record<string, number> => {
  const file = join(runDir(), 'secrets.jsonl');
  const found: Record<string, number> = {};
  if (!existsSync(file)) return found;
  const seen = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const { kind, value } = JSON.parse(line) as { kind: string; value: string };
    if (seen.has(value)) continue;
    seen.add(value);
    if (text.includes(value)) found[kind] = (found[kind] ?? 0) + 1;
  }
  return found;
};

/** Searches every log line captured in this run for every secret noted in this run. */
export const scanLogsForSecrets = (): LeakScan => {
  const file = join(runDir(), 'secrets.jsonl');
  const secrets = new Map<string, string>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const { kind, value } = JSON.parse(line) as { kind: string; value: string };
      secrets.set(value, kind);
    }
  }
  const logs = capturedLogs();
  // JSON escaping could hide a secret with quotes or slashes; search the decoded text as well.
  const decoded = logs.replaceAll('\\/', '/').replaceAll('\\"', '"');
  const leaks: Record<string, number> = {};
  let total = 0;
  for (const [value, kind] of secrets) {
    if (logs.includes(value) || decoded.includes(value) || logs.includes(encodeURIComponent(value))) {
      leaks[kind] = (leaks[kind] ?? 0) + 1;
      total += 1;
    }
  }
  return { secrets: secrets.size, logLines: logs.split('\n').filter(Boolean).length, leaks, total };
};

// ---- the report ----------------------------------------------------------------------------

interface FilePart {
  file: string;
  savedAt: string;
  results: TestResult[];
  figures: Figures;
}

const suiteFiles = (): string[] =>
  readdirSync(join(process.cwd(), 'test', 'reliability'))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();

/** Saves this file's part of the run and renders RELIABILITY.md from every part saved so far. */
export const saveReport = (): void => {
  const part: FilePart = { file: currentFile, savedAt: new Date().toISOString(), results, figures };
  writeFileSync(join(runDir(), `part-${currentFile}.json`), JSON.stringify(part, null, 2));
  render();
};

const sum = (parts: FilePart[], key: keyof Figures) => parts.reduce((n, p) => n + (p.figures[key] ?? 0), 0);
const max = (parts: FilePart[], key: keyof Figures) =>
  parts.reduce((n, p) => Math.max(n, p.figures[key] ?? 0), 0);

/** RELIABILITY.md's load section is written by \`npm run load\` (scripts/load.ts); the suite keeps it as it is. */
export const LOAD_START = '<!-- load:start -->';
export const LOAD_END = '<!-- load:end -->';
export const loadSection = (): string => {
  const file = join(process.cwd(), 'RELIABILITY.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(LOAD_START);
  const end = text.indexOf(LOAD_END);
  if (start !== -1 && end > start) return text.slice(start, end + LOAD_END.length);
  return `${LOAD_START}\n## Load\n\nNot run yet: \`npm run load\` writes this section.\n${LOAD_END}`;
};

const render = (): void => {
  const dir = runDir();
  const parts = readdirSync(dir)
    .filter((f) => f.startsWith('part-') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as FilePart);
  const all = parts.flatMap((p) => p.results);
  const expected = suiteFiles();
  const done = parts.map((p) => p.file);
  const missing = expected.filter((f) => !done.includes(f));
  const total: Figures = {
    casesTried: sum(parts, 'casesTried'),
    httpCases: sum(parts, 'httpCases'),
    faultsInjected: sum(parts, 'faultsInjected'),
    crashesInjected: sum(parts, 'crashesInjected'),
    dependencyFaultsInjected: sum(parts, 'dependencyFaultsInjected'),
    duplicatesSent: sum(parts, 'duplicatesSent'),
    attacksSent: sum(parts, 'attacksSent'),
    // Each file's scan covers the whole run so far: the largest is the whole run.
    secretsSearched: max(parts, 'secretsSearched'),
    logLinesSearched: max(parts, 'logLinesSearched'),
    leaksFound: max(parts, 'leaksFound'),
    webhookDeliveriesSent: sum(parts, 'webhookDeliveriesSent'),
    webhookEventsApplied: sum(parts, 'webhookEventsApplied'),
    // Percentiles do not add up: one file measures them.
    webhookLagSamples: max(parts, 'webhookLagSamples'),
    webhookLagP50Ms: max(parts, 'webhookLagP50Ms'),
    webhookLagP99Ms: max(parts, 'webhookLagP99Ms'),
    webhookFailedRecords: sum(parts, 'webhookFailedRecords'),
    webhookReplayedRecords: sum(parts, 'webhookReplayedRecords'),
  };
  const summary = {
    renderedAt: new Date().toISOString(),
    complete: missing.length === 0,
    filesRun: done.sort(),
    filesMissing: missing,
    tests: {
      passed: all.filter((r) => r.status === 'passed').length,
      failed: all.filter((r) => r.status === 'failed').length,
    },
    figures: total,
    results: all,
  };
  writeFileSync(join(RESULTS_DIR, 'last-run.json'), JSON.stringify(summary, null, 2));

  const rows = (Object.keys(PROMISES) as PromiseId[]).map((id) => {
    const tests = all.filter((r) => r.promise === id);
    const status =
      tests.length === 0 ? 'not run' : tests.every((r) => r.status === 'passed') ? 'passed' : 'FAILED';
    const names =
      tests.length === 0
        ? '—'
        : tests
            .map((r) => `\`${r.file}\` › ${r.test}${r.status === 'failed' ? ' (**failed**)' : ''}`)
            .join('<br>');
    return `| ${PROMISES[id]} | ${names} | ${status} |`;
  });
  const md = `# Reliability

What the product promises, the test in \`test/reliability/\` that proves each promise on the local
stack (the real handlers behind the local gateway, DynamoDB Local, the Wise simulator), and the
figures of the last run. This file is written by the suite itself (\`npx vitest run --project
reliability\`, part of \`npm test\`); do not edit it by hand.

## Last run

- Rendered: ${summary.renderedAt}${summary.complete ? '' : ` — **incomplete run**: ${missing.join(', ')} did not finish`}
- Tests: ${summary.tests.passed} passed, ${summary.tests.failed} failed
- Bad-input cases tried: **${total.casesTried}** (of which ${total.httpCases} over HTTP)
- Faults injected: **${total.faultsInjected}** Wise faults (5xx, 429, delays) and **${total.crashesInjected}** crashes after Wise answered
- Faults in the product's own dependencies: **${total.dependencyFaultsInjected}** (DynamoDB throttled, failing or losing a write's answer; KMS throttled or failing; Secrets Manager unavailable)
- Duplicates sent: **${total.duplicatesSent}** concurrent duplicate requests and webhook copies
- Attack requests sent: **${total.attacksSent}**
- Webhook pipeline (route 11 → the table's stream → the projection): **${total.webhookDeliveriesSent}** deliveries sent, **${total.webhookEventsApplied}** events applied; receipt-to-state lag p50 **${total.webhookLagP50Ms} ms**, p99 **${total.webhookLagP99Ms} ms** over ${total.webhookLagSamples} applied deliveries; **${total.webhookFailedRecords}** records on the failure destination, **${total.webhookReplayedRecords}** applied by replay
- Secrets searched for in the logs: **${total.secretsSearched}** across ${total.logLinesSearched} captured log lines — leaks found: **${total.leaksFound}**

## Promises

| Promise | Test | Status |
|---|---|---|
${rows.join('\n')}

${loadSection()}

## How the figures are gathered

- Faults are injected through the simulator's \`/_sim/faults\` (status, \`times\`, \`delayMs\`), crashes by the
  transport's \`fetch\` (the request reaches Wise, its answer is lost, the invocation fails).
- The product's own dependencies fail where the test stack builds them, never in product code: a middleware
  on the DynamoDB document client fails the n-th call of a kind (throttled, failed, or written with its
  answer lost), a wrapper around the cipher throws KMS's ThrottlingException and KMSInternalException, and
  Secrets Manager is mocked (aws-sdk-client-mock) to fail. Each flow's steps are first recorded call by
  call, then each step is failed in turn on a fresh customer.
- Fuzzing uses fast-check with a case budget and a time limit per route; most cases invoke the handlers
  in-process with API Gateway events, a few hundred go through the local gateway over HTTP. The table's
  items are counted before and after.
- Logs: every JSON line the functions write to stdout and stderr during the run (Powertools logger at
  DEBUG) is captured to \`test-results/reliability/runs/\`; the secrets come from the simulator's state
  (tokens, registration codes, authorization codes, claim codes), the OAuth state of every authorize URL,
  and the client secret.
- Webhook lag: from the 200 of route 11 (the record written) to the first read, every 10 ms, that shows the
  event's record APPLIED (written right after the state), for each delivery the projection applied through the
  stream (store faults included, replays not); the stream runner polls as Lambda's event source mapping would.
- Raw figures: \`test-results/reliability/last-run.json\`.
`;
  writeFileSync(join(process.cwd(), 'RELIABILITY.md'), md);
};
