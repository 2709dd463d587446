/**
 * `npm run load`: sustained mixed traffic through the local gateway — signups, links, KYC links,
 * webhooks and reads — at a stated rate, on this machine only (127.0.0.1), then a check that nothing
 * was lost or duplicated: every acknowledged write is in the table, and the simulator holds one Wise
 * user per signup, one personal profile per user and one KYC review per trigger. A second run kills
 * DynamoDB Local (SIGKILL) half-way and restarts it on its data directory: afterwards every write
 * acknowledged before, during and after is still there. The figures go into RELIABILITY.md's load
 * section (between its load markers) and test-results/reliability/load.json.
 *
 * Bounded: `--seconds 60` (default) for the first run, `--restart-seconds 30` for the second
 * (0 skips it), `--rate 60` actions per second offered, `--no-write` to leave RELIABILITY.md alone,
 * `--streams` to run the stream consumers too, `--durable` to keep the first run's table on disk.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb/launcher';
import { startLocalStack, subscribeWebhooks, type LocalStack } from '../local/stack';
import { startWiseSandbox, type WiseSandbox } from '../local/wise-sandbox/index';
import { ADMIN_SCOPE } from '../shared/routes';
import { dedupKeyOf, type WebhookEnvelope } from '../shared/webhooks/webhook-event';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

// ---- options --------------------------------------------------------------------------------

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number`);
  return value;
};
const SECONDS = Math.min(arg('seconds', 60), 600);
const RESTART_SECONDS = Math.min(arg('restart-seconds', 30), 600);
const RATE = Math.max(1, Math.min(arg('rate', 60), 500));
const WRITE = !process.argv.includes('--no-write');
/**
 * The table's stream consumers (webhook projection, partner events) run only with `--streams`: in
 * AWS they are functions of their own, here they would take the same two cores as the API.
 */
const STREAMS = process.argv.includes('--streams');
const DURABLE_STEADY = process.argv.includes('--durable');
/**
 * The offered actions, in percent: mostly what a bank's apps and Wise send all day (reads of the
 * account and reviews, webhooks), fewer of the flows that make things at Wise (signups, KYC links,
 * links: a link is four requests). Each of those takes several Wise and DynamoDB calls, so they
 * bound what this machine sustains.
 */
const MIX: readonly (readonly ['read' | 'webhook' | 'signup' | 'kycLink' | 'link', number])[] = [
  ['read', 55],
  ['webhook', 25],
  ['signup', 8],
  ['kycLink', 7],
  ['link', 5],
];
/** Requests in flight at most; beyond it an offered request is shed (counted, never sent). */
const MAX_IN_FLIGHT = 64;
const HOST = '127.0.0.1';

const say = (line: string) =>
  process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---- the stack ------------------------------------------------------------------------------

interface Env {
  dynamo: DynamoDbLocal;
  dataDir: string;
  sim: WiseSandbox;
  stack: LocalStack;
  base: string;
  webhookKey: ReturnType<typeof generateKeyPairSync>;
}

/** On a busy machine the JVM can take longer than the launcher waits: try again. */
const startDynamo = async (options: Parameters<typeof startDynamoDbLocal>[0]): Promise<DynamoDbLocal> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDynamoDbLocal(options);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
};

const startEnv = async (durable: boolean): Promise<Env> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wise-onboarding-load-'));
  // The restart run keeps the table in a data directory, so that it outlives the process it kills.
  const dynamo = await startDynamo(durable ? { dataDir: join(dataDir, 'dynamodb') } : {});
  const webhookKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const sim = await startWiseSandbox({
    port: 0,
    host: HOST,
    redirectUris: [`${base}/v1/oauth/callback`],
    rateLimit: { perSecond: 100_000, perMinute: 1_000_000 },
    kycNewMs: 500,
  });
  const stack = await startLocalStack({
    dynamoEndpoint: dynamo.endpoint,
    tableName: 'wise-onboarding-load',
    wiseApiUrl: sim.url,
    // The simulator's key and the load's own (deliveries the load signs), as during a rotation.
    webhookPublicKeyPem: `${sim.webhookPublicKeyPem}\n${webhookKey.publicKey.export({ type: 'spki', format: 'pem' }) as string}`,
    port,
    host: HOST,
    publicUrl: base,
    streams: STREAMS ? { dataDir, pollMs: 250 } : false,
  });
  await subscribeWebhooks(stack);
  return { dynamo, dataDir, sim, stack, base, webhookKey };
};

/** Each part gets 15 s to stop: a stream consumer polling a killed DynamoDB must not hold the run. */
const bounded = async (what: string, p: Promise<unknown>) => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      say(`${what} did not stop within 15 s`);
      resolve();
    }, 15_000);
  });
  await Promise.race([
    p.catch((err: unknown) => say(`${what} did not stop cleanly: ${(err as Error).message}`)),
    late,
  ]);
  clearTimeout(timer);
};

const stopEnv = async (env: Env) => {
  say('stopping');
  await bounded('the stack', env.stack.close());
  await bounded('the simulator', env.sim.close());
  await bounded('DynamoDB Local', env.dynamo.stop());
  rmSync(env.dataDir, { recursive: true, force: true });
};

// ---- traffic --------------------------------------------------------------------------------

interface Sample {
  route: string;
  status: number;
  ms: number;
  at: number;
  /** A 503 that said when to come back (Retry-After of at least 1 s). */
  retryAfter?: boolean;
}

interface Ledger {
  signups: { customerId: string; email: string; wiseUserId: number; profileId: number }[];
  links: { customerId: string; wiseUserId: number; profileId: number }[];
  reviews: { customerId: string; profileId: number; reviewId: string }[];
  webhooks: string[];
  /** Customers whose signup was sent (acknowledged or not): the emails to check for duplicates. */
  signupEmails: Set<string>;
}

class Traffic {
  readonly samples: Sample[] = [];
  readonly ledger: Ledger = { signups: [], links: [], reviews: [], webhooks: [], signupEmails: new Set() };
  inFlight = 0;
  shed = 0;
  readonly tokens = new Map<string, string>();
  private readonly reviewed = new Set<string>();
  private partnerToken?: string;
  private seq = 0;

  constructor(
    private readonly env: Env,
    private readonly label: string,
  ) {}

  private async token(customerId?: string): Promise<string> {
    if (!customerId) return (this.partnerToken ??= await this.env.stack.token(undefined, ADMIN_SCOPE));
    let token = this.tokens.get(customerId);
    if (!token) this.tokens.set(customerId, (token = await this.env.stack.token(customerId)));
    return token;
  }

  /** One request through the local gateway, timed and recorded under its route. */
  async send(
    route: string,
    method: string,
    path: string,
    init: {
      as?: string | 'partner' | null;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    const url = new URL(path, this.env.base);
    if (url.hostname !== HOST) throw new Error(`the load only talks to ${HOST}`);
    const headers: Record<string, string> = { ...init.headers };
    if (init.as)
      headers.authorization = `Bearer ${await this.token(init.as === 'partner' ? undefined : init.as)}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const started = performance.now();
    // eslint-disable-next-line no-useless-assignment -- 0 stands for "no answer" when fetch throws before status is set
    let status = 0;
    let text = '';
    let location: string | null = null;
    let retryAfter = false;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      location = res.headers.get('location');
      retryAfter = Number(res.headers.get('retry-after')) >= 1;
      text = await res.text();
    } catch {
      status = 599; // no answer at all (connection refused, timeout)
    }
    this.samples.push({ route, status, ms: performance.now() - started, at: Date.now(), retryAfter });
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status, json, location };
  }

  private customer() {
    this.seq += 1;
    const customerId = `load-${this.label}-${this.seq}-${randomUUID().slice(0, 6)}`;
    return { customerId, email: `${customerId}@example.com` };
  }

  private known() {
    const all = [...this.ledger.signups, ...this.ledger.links];
    return all.length === 0 ? undefined : all[Math.floor(Math.random() * all.length)]!;
  }

  async signup() {
    const { customerId, email } = this.customer();
    this.ledger.signupEmails.add(email);
    const res = await this.send('createAccount', 'POST', `/v1/customers/${customerId}/wise-account`, {
      as: 'partner',
      body: {
        email,
        firstName: 'Load',
        lastName: 'Test',
        dateOfBirth: '1990-01-01',
        phoneNumber: '+442079460000',
        address: {
          addressFirstLine: '1 Load Street',
          city: 'London',
          countryIso3Code: 'GBR',
          postCode: 'EC1A 1BB',
        },
        nationality: 'GBR',
        acceptedTermsAt: new Date(Date.now() - 60_000).toISOString(),
      },
    });
    if (res.status === 201 || res.status === 200) {
      this.ledger.signups.push({
        customerId,
        email,
        wiseUserId: res.json.wiseUserId,
        profileId: res.json.profiles[0].id,
      });
    }
  }

  async link() {
    const { customerId, email } = this.customer();
    const password = `pw-${randomUUID()}`;
    const user = await fetch(`${this.env.sim.url}/_sim/users`, {
      signal: AbortSignal.timeout(30_000),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email,
        password,
        firstName: 'Ada',
        lastName: 'Lovelace',
        dateOfBirth: '1988-04-12',
      }),
    }).then((r) => r.json() as Promise<{ userId: number; profileId: number }>);
    const identity = await this.send('putIdentity', 'PUT', `/v1/customers/${customerId}/identity`, {
      as: 'partner',
      body: { dateOfBirth: '1988-04-12' },
    });
    if (identity.status !== 200) return;
    const start = await this.send('startLink', 'POST', `/v1/customers/${customerId}/wise-link`, {
      as: customerId,
      body: { returnUrl: `${this.env.base}/app/linked` },
    });
    if (start.status !== 201) return;
    const authorize = new URL(start.json.authorizeUrl as string);
    const consent = await fetch(`${this.env.sim.url}/_sim/oauth/authorize`, {
      signal: AbortSignal.timeout(30_000),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: authorize.searchParams.get('client_id'),
        redirect_uri: authorize.searchParams.get('redirect_uri'),
        state: authorize.searchParams.get('state'),
        email,
        password,
        decision: 'allow',
      }),
    }).then((r) => r.json() as Promise<{ location: string }>);
    const callbackUrl = new URL(consent.location);
    const callback = await this.send('oauthCallback', 'GET', callbackUrl.pathname + callbackUrl.search);
    const result = callback.location ? new URL(callback.location).searchParams.get('result') : null;
    if (!result) return;
    const complete = await this.send(
      'completeLink',
      'POST',
      `/v1/customers/${customerId}/wise-link/complete`,
      {
        as: customerId,
        body: { result },
      },
    );
    if (complete.status === 200)
      this.ledger.links.push({ customerId, wiseUserId: user.userId, profileId: user.profileId });
  }

  async kycLink() {
    const c = this.ledger.signups[Math.floor(Math.random() * this.ledger.signups.length)];
    if (!c) return this.signup();
    const path = `/v1/customers/${c.customerId}/wise-account/profiles/${c.profileId}/kyc-reviews`;
    const review = this.ledger.reviews.find((r) => r.customerId === c.customerId);
    if (review) {
      await this.send('refreshKycLink', 'POST', `${path}/${review.reviewId}/link`, {
        as: c.customerId,
        body: { redirectUrl: `${this.env.base}/kyc/done` },
      });
      return;
    }
    // One creation per customer at a time: a second concurrent one would only wait for the first.
    if (this.reviewed.has(c.customerId)) return this.read();
    this.reviewed.add(c.customerId);
    const res = await this.send('createKycReview', 'POST', path, {
      as: c.customerId,
      body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: `${this.env.base}/kyc/done` },
    });
    if (res.status === 201 || res.status === 200)
      this.ledger.reviews.push({ customerId: c.customerId, profileId: c.profileId, reviewId: res.json.id });
    else this.reviewed.delete(c.customerId);
  }

  async webhook() {
    const c = this.known();
    if (!c) return this.signup();
    const now = new Date().toISOString();
    const envelope = {
      data: { resource: { id: c.profileId, type: 'profile' }, current_state: 'verified', occurred_at: now },
      subscription_id: '00000000-0000-0000-0000-00000000load',
      event_type: 'profiles#verification-state-change',
      schema_version: '2.0.0',
      sent_at: now,
    };
    const raw = JSON.stringify(envelope);
    const res = await this.send('receiveWebhook', 'POST', '/v1/webhooks/wise', {
      raw,
      headers: {
        'content-type': 'application/json',
        'x-signature-sha256': sign('RSA-SHA256', Buffer.from(raw), this.env.webhookKey.privateKey).toString(
          'base64',
        ),
        'x-delivery-id': randomUUID(),
      },
    });
    if (res.status === 200) this.ledger.webhooks.push(dedupKeyOf(envelope as unknown as WebhookEnvelope));
  }

  async read() {
    const c = this.known();
    if (!c) return this.signup();
    if (Math.random() < 0.6)
      await this.send('getAccount', 'GET', `/v1/customers/${c.customerId}/wise-account`, {
        as: c.customerId,
      });
    else
      await this.send(
        'listKycReviews',
        'GET',
        `/v1/customers/${c.customerId}/wise-account/profiles/${c.profileId}/kyc-reviews`,
        {
          as: c.customerId,
        },
      );
  }

  /** The mix, by offered actions (see MIX). */
  private pick(): () => Promise<void> {
    let r = Math.random() * 100;
    for (const [action, weight] of MIX) {
      r -= weight;
      if (r < 0) return () => this[action]();
    }
    return () => this.read();
  }

  /** Customers to read, review and send webhooks for before the clock starts (not measured). */
  async seed(signups: number, links: number, reviews: number): Promise<void> {
    const inBatches = async (n: number, work: () => Promise<void>) => {
      for (let done = 0; done < n; done += 8)
        await Promise.all(Array.from({ length: Math.min(8, n - done) }, () => work().catch(() => undefined)));
    };
    await inBatches(signups, () => this.signup());
    await inBatches(links, () => this.link());
    await inBatches(reviews, () => this.kycLink());
    this.samples.length = 0;
  }

  /** Offers `rate` actions a second for `seconds`, open loop; `during(elapsedMs)` is called every second. */
  async run(
    seconds: number,
    rate: number,
    during?: (elapsedMs: number) => Promise<void> | void,
  ): Promise<number> {
    const started = Date.now();
    const pending = new Set<Promise<void>>();
    let offered = 0;
    let nextTick = started + 1000;
    while (Date.now() - started < seconds * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (offered < due) {
        offered += 1;
        if (this.inFlight >= MAX_IN_FLIGHT) {
          this.shed += 1;
          continue;
        }
        this.inFlight += 1;
        const p: Promise<void> = this.pick()()
          .catch(() => undefined)
          .finally(() => {
            this.inFlight -= 1;
            pending.delete(p);
          });
        pending.add(p);
      }
      if (Date.now() >= nextTick) {
        nextTick += 1000;
        const second = Math.round((Date.now() - started) / 1000);
        if (second % 10 === 0)
          say(
            `${this.label}: ${second} s, ${this.samples.length} answered, ${this.inFlight} in flight, ${this.shed} shed`,
          );
        if (during) void during(Date.now() - started);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    say(`${this.label}: offered ${offered}; waiting for ${pending.size} in flight`);
    await Promise.all(pending);
    return Date.now() - started;
  }
}

// ---- checks ---------------------------------------------------------------------------------

interface Check {
  acknowledged: number;
  /** Of them, the webhook deliveries answered 200 (Wise would not redeliver them). */
  webhooks: number;
  missing: string[];
  duplicated: string[];
}

const verify = async (env: Env, ledger: Ledger): Promise<Check> => {
  const { table } = env.stack.deps.onboarding;
  const missing: string[] = [];
  const duplicated: string[] = [];
  const get = async (pk: string, sk: string) =>
    (await table.db.send(new GetCommand({ TableName: table.name, Key: { pk, sk }, ConsistentRead: true })))
      .Item;
  for (const s of ledger.signups) {
    const account = await get(`CUSTOMER#${s.customerId}`, 'ACCOUNT');
    if (!account || account.wiseUserId !== s.wiseUserId) missing.push(`signup ${s.customerId}`);
    if (!(await get(`CUSTOMER#${s.customerId}`, `PROFILE#${s.profileId}`)))
      missing.push(`profile ${s.customerId}/${s.profileId}`);
  }
  for (const l of ledger.links) {
    const account = await get(`CUSTOMER#${l.customerId}`, 'ACCOUNT');
    if (account?.status !== 'LINKED' || account.wiseUserId !== l.wiseUserId)
      missing.push(`link ${l.customerId}`);
  }
  for (const r of ledger.reviews) {
    const out = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${r.customerId}`, ':sk': `KYC#${r.profileId}#` },
        ConsistentRead: true,
      }),
    );
    if (!(out.Items ?? []).some((i) => JSON.stringify(i).includes(r.reviewId)))
      missing.push(`review ${r.reviewId}`);
  }
  for (const key of new Set(ledger.webhooks)) {
    if (!(await get(`WEBHOOK#${key}`, 'EVENT'))) missing.push(`webhook ${key}`);
  }
  // At the simulator: one Wise user per signup email, one personal profile per user, one review per trigger.
  const state = (await (await fetch(`${env.sim.url}/_sim/state`)).json()) as {
    users: { id: number; email: string }[];
    profiles: { id: number; userId: number; type: string }[];
    kycReviews: { id: string; profileId: number }[];
  };
  const usersByEmail = new Map<string, number>();
  for (const u of state.users) usersByEmail.set(u.email, (usersByEmail.get(u.email) ?? 0) + 1);
  for (const email of ledger.signupEmails)
    if ((usersByEmail.get(email) ?? 0) > 1) duplicated.push(`Wise user ${email}`);
  const ours = new Set(ledger.signups.map((s) => s.wiseUserId));
  for (const userId of ours) {
    const personal = state.profiles.filter((p) => p.userId === userId && p.type === 'PERSONAL');
    if (personal.length !== 1) duplicated.push(`personal profiles of user ${userId}: ${personal.length}`);
  }
  const reviewed = new Set(ledger.reviews.map((r) => r.profileId));
  for (const profileId of reviewed) {
    const atWise = state.kycReviews.filter((r) => r.profileId === profileId);
    if (atWise.length !== 1) duplicated.push(`KYC reviews of profile ${profileId}: ${atWise.length}`);
  }
  const acknowledged =
    ledger.signups.length + ledger.links.length + ledger.reviews.length + new Set(ledger.webhooks).size;
  return { acknowledged, webhooks: new Set(ledger.webhooks).size, missing, duplicated };
};

// ---- figures --------------------------------------------------------------------------------

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const figuresOf = (samples: Sample[], ms: number) => {
  const byRoute = new Map<string, Sample[]>();
  for (const s of samples) byRoute.set(s.route, [...(byRoute.get(s.route) ?? []), s]);
  const routes = [...byRoute.entries()]
    .map(([route, list]) => {
      const sorted = list.map((s) => s.ms).sort((a, b) => a - b);
      return {
        route,
        requests: list.length,
        p50: Math.round(percentile(sorted, 50)),
        p99: Math.round(percentile(sorted, 99)),
        status5xx: list.filter((s) => s.status >= 500).length,
        status4xx: list.filter((s) => s.status >= 400 && s.status < 500).length,
      };
    })
    .sort((a, b) => b.requests - a.requests);
  return {
    seconds: Math.round(ms / 100) / 10,
    requests: samples.length,
    perSecond: Math.round((samples.length / (ms / 1000)) * 10) / 10,
    status5xx: samples.filter((s) => s.status >= 500).length,
    routes,
  };
};

const sampleCpu = () => {
  try {
    const [load1] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    return Number(load1);
  } catch {
    return undefined;
  }
};

// ---- the runs -------------------------------------------------------------------------------

const steadyRun = async () => {
  say('steady run: starting DynamoDB Local, the simulator and the stack');
  // In memory: DynamoDB Local's data directory is SQLite with a sync per write, which bounds what the
  // restart run (which needs it) sustains; `--durable` measures with it.
  const env = await startEnv(DURABLE_STEADY);
  say(`steady run: ${SECONDS} s at ${RATE} actions/s`);
  try {
    const traffic = new Traffic(env, 'steady');
    say('steady run: seeding customers (not measured)');
    await traffic.seed(24, 4, 8);
    const loadBefore = sampleCpu();
    const ms = await traffic.run(SECONDS, RATE);
    say('steady run: checking every acknowledged write');
    const check = await verify(env, traffic.ledger);
    return { figures: figuresOf(traffic.samples, ms), check, shed: traffic.shed, loadAverage: loadBefore };
  } finally {
    await stopEnv(env);
  }
};

const restartRun = async () => {
  say('restart run: starting');
  const env = await startEnv(true);
  say(`restart run: ${RESTART_SECONDS} s at ${RATE} actions/s, DynamoDB Local killed half-way`);
  try {
    const traffic = new Traffic(env, 'restart');
    say('restart run: seeding customers (not measured)');
    await traffic.seed(16, 2, 4);
    const port = env.dynamo.port;
    let killedAt: number | undefined;
    let backAt: number | undefined;
    let restart: Promise<void> | undefined;
    const ms = await traffic.run(RESTART_SECONDS, RATE, (elapsed) => {
      if (restart || elapsed < (RESTART_SECONDS * 1000) / 2) return;
      restart = (async () => {
        // Killed, not stopped: no chance to flush anything it has not already made durable.
        if (env.dynamo.pid) process.kill(env.dynamo.pid, 'SIGKILL');
        killedAt = Date.now();
        say('restart run: DynamoDB Local killed');
        await new Promise((r) => setTimeout(r, 2_000));
        env.dynamo = await startDynamo({ port, dataDir: join(env.dataDir, 'dynamodb') });
        backAt = Date.now();
        say(`restart run: DynamoDB Local back after ${backAt - killedAt} ms`);
      })();
    });
    // The check reads the table: it waits for DynamoDB Local to be back, however long its JVM takes.
    await restart;
    say('restart run: checking every acknowledged write');
    const check = await verify(env, traffic.ledger);
    const during = traffic.samples.filter(
      (s) => killedAt !== undefined && s.at >= killedAt && s.at <= (backAt ?? Infinity) + 1000,
    );
    return {
      figures: figuresOf(traffic.samples, ms),
      check,
      shed: traffic.shed,
      downtimeMs: killedAt !== undefined && backAt !== undefined ? backAt - killedAt : undefined,
      answeredDuringDowntime: during.length,
      status5xxDuringDowntime: during.filter((s) => s.status >= 500).length,
      status503RetryAfterDuringDowntime: during.filter((s) => s.status === 503 && s.retryAfter).length,
      status500DuringDowntime: during.filter((s) => s.status === 500).length,
      unansweredDuringDowntime: during.filter((s) => s.status === 599).length,
    };
  } finally {
    await stopEnv(env);
  }
};

const section = (
  steady: Awaited<ReturnType<typeof steadyRun>>,
  restart?: Awaited<ReturnType<typeof restartRun>>,
) => {
  const table = (f: ReturnType<typeof figuresOf>) =>
    [
      '| Route | Requests | p50 (ms) | p99 (ms) | 4xx | 5xx |',
      '|---|---:|---:|---:|---:|---:|',
      ...f.routes.map(
        (r) => `| \`${r.route}\` | ${r.requests} | ${r.p50} | ${r.p99} | ${r.status4xx} | ${r.status5xx} |`,
      ),
    ].join('\n');
  const checkLine = (c: Check) =>
    `**${c.acknowledged}** acknowledged writes checked (${c.webhooks} of them webhook deliveries answered 200) — lost: **${c.missing.length}**, duplicated at Wise: **${c.duplicated.length}**` +
    (c.missing.length + c.duplicated.length > 0
      ? ` (${[...c.missing, ...c.duplicated].slice(0, 10).join('; ')})`
      : '');
  const lines = [
    '<!-- load:start -->',
    '## Load',
    '',
    `Written by \`npm run load\` (scripts/load.ts) on ${new Date().toISOString()}: mixed traffic through the local gateway`,
    `on 127.0.0.1 (${MIX.map(([a, w]) => `${a} ${w}%`).join(', ')} of the offered actions; a link is four requests),`,
    `offered at ${RATE} actions/s with at most ${MAX_IN_FLIGHT} in flight, after a seed of customers that is not measured, against`,
    `DynamoDB Local and the Wise simulator in this one process tree${STREAMS ? ', with the stream consumers running' : ' (the stream consumers, functions of their own in AWS, not running)'}.`,
    `The steady run keeps DynamoDB Local ${DURABLE_STEADY ? 'on a data directory' : 'in memory (its data directory is SQLite with a sync per write)'}; the restart run keeps it on a data directory.`,
    `Everything shares this machine: 2 cores, load average ${steady.loadAverage ?? 'unknown'} at the start of the steady run (other work included).`,
    '',
    `### Steady run: ${steady.figures.seconds} s, ${steady.figures.requests} requests, **${steady.figures.perSecond} requests/s**, 5xx: **${steady.figures.status5xx}**`,
    '',
    table(steady.figures),
    '',
    `- ${checkLine(steady.check)}`,
    `- Offered actions shed by the load generator (${MAX_IN_FLIGHT} already in flight): ${steady.shed}`,
  ];
  if (restart) {
    lines.push(
      '',
      `### DynamoDB Local killed (SIGKILL) and restarted half-way: ${restart.figures.seconds} s, ${restart.figures.requests} requests, ${restart.figures.perSecond} requests/s`,
      '',
      `- Down for ${restart.downtimeMs ?? '?'} ms (kill, 2 s, then a new process on the same port and data directory).`,
      `- Answered while it was down (and the second after): ${restart.answeredDuringDowntime} requests, of which ${restart.status5xxDuringDowntime} 5xx:` +
        ` ${restart.status503RetryAfterDuringDowntime} were 503 with Retry-After; bare 500s: **${restart.status500DuringDowntime}**;` +
        ` no answer within 30 s: ${restart.unansweredDuringDowntime}.`,
      `- Afterwards: ${checkLine(restart.check)}`,
      '',
      table(restart.figures),
    );
  }
  lines.push('<!-- load:end -->');
  return lines.join('\n');
};

const main = async () => {
  const steady = await steadyRun();
  const restart = RESTART_SECONDS > 0 ? await restartRun() : undefined;
  const results = { steady, restart, rate: RATE, at: new Date().toISOString() };
  mkdirSync(join('test-results', 'reliability'), { recursive: true });
  writeFileSync(join('test-results', 'reliability', 'load.json'), JSON.stringify(results, null, 2));
  const md = section(steady, restart);
  process.stdout.write(`${md}\n`);
  if (WRITE) {
    const file = 'RELIABILITY.md';
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('<!-- load:start -->');
    const end = text.indexOf('<!-- load:end -->');
    const next =
      start !== -1 && end > start
        ? `${text.slice(0, start)}${md}${text.slice(end + '<!-- load:end -->'.length)}`
        : `${text.trimEnd()}\n\n${md}\n`;
    writeFileSync(file, next);
  }
  const bad =
    steady.check.missing.length +
    steady.check.duplicated.length +
    (restart ? restart.check.missing.length + restart.check.duplicated.length : 0);
  process.exitCode = bad > 0 ? 1 : 0;
};

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`load failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
