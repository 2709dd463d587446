import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ADMIN_SCOPE } from '../../../shared/routes';
import { waitUntil } from '../../../shared/runtime/wait';
import type { FetchLike } from '../../../shared/wise/transport';
import { captureLogs } from '../../support/log-capture';
import { startTestStack, type TestStack, type TestStackOptions } from '../../support/stack';
import { figures, noteSecrets } from './report';

/** Retries kept short so that a persistent fault turns into a 503 quickly, and a slow Wise into a timeout. */
export const RETRY = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 1000 } as const;
/** A Wise answer held this long times every attempt out. */
export const SLOW_WISE_MS = 1200;

/**
 * The fetch the product uses to reach Wise, with a crash that can be armed: the first request
 * that matches goes to Wise (Wise acts), then its answer and every later matching request of
 * that partner call are lost, as when the invocation dies right after Wise answered.
 */
export class Crasher {
  private match?: { method: string; path: RegExp; body?: string };
  reached = 0;

  readonly fetch: FetchLike = async (url, init) => {
    const m = this.match;
    const path = new URL(url).pathname;
    const body = typeof init.body === 'string' ? init.body : '';
    if (
      !m ||
      init.method !== m.method ||
      !m.path.test(path) ||
      (m.body !== undefined && !body.includes(m.body))
    ) {
      return fetch(url, init);
    }
    this.reached += 1;
    if (this.reached === 1) {
      figures.crashesInjected += 1;
      const answer = await fetch(url, init);
      await answer.arrayBuffer();
    }
    throw new TypeError('fetch failed (crashed after Wise answered)');
  };

  arm(method: string, path: RegExp, body?: string): void {
    this.match = { method, path, body };
    this.reached = 0;
  }

  disarm(): void {
    this.match = undefined;
  }
}

export interface ReliabilityStack extends TestStack {
  crasher: Crasher;
  /** Injects a Wise fault at the simulator. */
  fault(spec: {
    method?: string;
    path: string;
    status?: number;
    times?: number;
    delayMs?: number;
    retryAfter?: number;
  }): Promise<void>;
  /** Clears every fault, counting how many requests they hit. */
  clearFaults(): Promise<void>;
  /**
   * Resolves once the simulator serves no Wise request any more (a slow Wise has finished what it
   * was asked after the product stopped waiting): a bounded poll, never a fixed sleep.
   */
  wiseSettled(): Promise<void>;
  state(): Promise<SimState>;
  /** Number of items in the table. */
  countItems(): Promise<number>;
  /** Notes every secret the simulator holds for the leak scan. */
  noteSimSecrets(): Promise<void>;
}

export interface SimState {
  users: { id: number; email: string; registrationCode?: string; active: boolean }[];
  profiles: { id: number; userId: number; type: 'PERSONAL' | 'BUSINESS'; verification: string }[];
  tokens: {
    kind: 'client' | 'user';
    userId?: number;
    access_token: string;
    refresh_token?: string;
    revoked: boolean;
  }[];
  authorizationCodes?: { code: string; userId: number; used: boolean }[];
  emailedAuthorizationCodes?: { email: string; code: string }[];
  claimAccountCodes?: { code: string; userId: number; used: boolean }[];
  kycReviews: { id: string; profileId: number; status: string }[];
  deliveries?: { id: string; event_type: string; responseStatus?: number; attempts: number }[];
}

/** A whole local stack, logging at DEBUG into the run's captured logs, with a crashable transport. */
export const startReliabilityStack = async (options: TestStackOptions = {}): Promise<ReliabilityStack> => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  captureLogs();
  const crasher = new Crasher();
  const t = await startTestStack({
    ...options,
    stack: {
      ...options.stack,
      overrides: { retry: { ...RETRY }, fetch: crasher.fetch, ...options.stack?.overrides },
    },
  });
  const table = t.stack.deps.onboarding.table;
  const state = async () => (await t.sim_('GET', '/_sim/state')).body as SimState;
  return Object.assign(t, {
    crasher,
    fault: async (spec: Parameters<ReliabilityStack['fault']>[0]) => {
      const res = await t.sim_('POST', '/_sim/faults', spec);
      if (res.status !== 201) throw new Error(`fault not injected: ${res.status} ${res.text}`);
    },
    clearFaults: async () => {
      const listed = await t.sim_('GET', '/_sim/faults');
      const faults = (Array.isArray(listed.body) ? listed.body : (listed.body?.faults ?? [])) as {
        hits?: number;
      }[];
      figures.faultsInjected += faults.reduce((n, f) => n + (f.hits ?? 0), 0);
      await t.sim_('DELETE', '/_sim/faults');
    },
    wiseSettled: async () => {
      const settled = await waitUntil(
        async () => {
          const res = await t.sim_('GET', '/_sim/requests');
          return res.body?.inProgress === 0 ? true : undefined;
        },
        { every: 20, deadline: Date.now() + 30_000 },
      );
      if (!settled) throw new Error('the simulator still serves requests after 30 s');
    },
    state,
    countItems: async () => {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await table.db.send(
          new ScanCommand({
            TableName: table.name,
            Select: 'COUNT',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
      return count;
    },
    noteSimSecrets: async () => {
      const s = await state();
      noteSecrets(
        'access token',
        s.tokens.map((k) => k.access_token),
      );
      noteSecrets(
        'refresh token',
        s.tokens.map((k) => k.refresh_token),
      );
      noteSecrets(
        'registration code',
        s.users.map((u) => u.registrationCode),
      );
      noteSecrets('authorization code', [
        ...(s.authorizationCodes ?? []).map((c) => c.code),
        ...(s.emailedAuthorizationCodes ?? []).map((c) => c.code),
      ]);
      noteSecrets(
        'claim account code',
        (s.claimAccountCodes ?? []).map((c) => c.code),
      );
      noteSecrets('client secret', ['local-secret']);
    },
  });
};

let seq = 0;
/** A customer id and email used nowhere else in the run. */
export const freshCustomer = (label: string) => {
  seq += 1;
  const customerId = `${label}-${randomUUID().slice(0, 8)}-${seq}`;
  return { customerId, email: `${customerId}@example.com` };
};

/** The partner backend's token: routes 1, 3, 4, 6 and 18 are its alone. */
export const partner = { scope: ADMIN_SCOPE } as const;

export const accountPath = (customerId: string) => `/v1/customers/${customerId}/wise-account`;
export const profilePath = (customerId: string, profileId: number) =>
  `${accountPath(customerId)}/profiles/${profileId}`;

/** A customer as the partner's KYC knows them: valid under Wise's personal-profile rules. */
export const customerBody = (email: string, overrides: Record<string, unknown> = {}) => ({
  email,
  firstName: 'Test',
  lastName: 'User',
  dateOfBirth: '1990-01-01',
  phoneNumber: '+442079460000',
  address: {
    addressFirstLine: '1 Test Street',
    city: 'London',
    countryIso3Code: 'GBR',
    postCode: 'EC1A 1BB',
  },
  nationality: 'GBR',
  // Route 1 requires the instant the customer accepted Wise's terms (contract v2).
  acceptedTermsAt: new Date(Date.now() - 60_000).toISOString(),
  ...overrides,
});

/** Route 1 to completion: an ACTIVE customer with a Wise user, tokens and a personal profile. */
export const activeCustomer = async (t: TestStack, label: string) => {
  const c = freshCustomer(label);
  const res = await t.call('POST', accountPath(c.customerId), { as: partner, body: customerBody(c.email) });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${res.text}`);
  const body = res.body as { wiseUserId: number; profiles: { id: number; type: string }[] };
  return { ...c, userId: body.wiseUserId, profileId: body.profiles[0]!.id };
};

/** A person who already has a Wise account (made at the simulator). */
export const existingWiseUser = async (t: TestStack, dateOfBirth = '1988-04-12') => {
  const { email } = freshCustomer('wise-person');
  const password = `pw-${randomUUID()}`;
  const res = await t.sim_('POST', '/_sim/users', {
    email,
    password,
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth,
  });
  if (res.status !== 201) throw new Error(`sim user: ${res.status} ${res.text}`);
  return {
    email,
    password,
    dateOfBirth,
    userId: res.body.userId as number,
    profileId: res.body.profileId as number,
  };
};

/**
 * The first phase of a link: the partner records the identity (route 18), route 8, the consent at
 * Wise, and the browser arriving at the callback; the callback's answer and the one-time result.
 */
export const linkThroughCallback = async (
  t: TestStack,
  customerId: string,
  user: { email: string; password: string; dateOfBirth: string },
  returnUrl: string,
) => {
  const identity = await t.call('PUT', `/v1/customers/${customerId}/identity`, {
    as: partner,
    body: { dateOfBirth: user.dateOfBirth },
  });
  if (identity.status !== 200) throw new Error(`identity: ${identity.status} ${identity.text}`);
  const start = await t.call('POST', `/v1/customers/${customerId}/wise-link`, {
    as: customerId,
    body: { returnUrl },
  });
  if (start.status !== 201) throw new Error(`start link: ${start.status} ${start.text}`);
  const authorizeUrl = new URL(start.body.authorizeUrl as string);
  const state = authorizeUrl.searchParams.get('state') ?? '';
  noteSecrets('oauth state', [state]);
  const consent = await t.sim_('POST', '/_sim/oauth/authorize', {
    client_id: authorizeUrl.searchParams.get('client_id'),
    redirect_uri: authorizeUrl.searchParams.get('redirect_uri'),
    state,
    email: user.email,
    password: user.password,
    decision: 'allow',
  });
  if (consent.status !== 200) throw new Error(`consent: ${consent.status} ${consent.text}`);
  const location = new URL(consent.body.location as string);
  const callback = await fetch(new URL(location.pathname + location.search, t.stack.url), {
    redirect: 'manual',
  });
  await callback.text();
  const back = callback.headers.get('location');
  const result = back ? (new URL(back).searchParams.get('result') ?? undefined) : undefined;
  noteSecrets('link result', [result]);
  return { status: callback.status, location: back, state, callbackUrl: location, result };
};

/** The second phase (route 17), in the customer's own session. */
export const completeLink = (t: TestStack, customerId: string, result: string | undefined) =>
  t.call('POST', `/v1/customers/${customerId}/wise-link/complete`, {
    as: customerId,
    body: { result: result ?? '' },
  });

/** Both phases: the answer of route 17. */
export const linkCustomer = async (
  t: TestStack,
  customerId: string,
  user: { email: string; password: string; dateOfBirth: string },
  returnUrl: string,
) => completeLink(t, customerId, (await linkThroughCallback(t, customerId, user, returnUrl)).result);

/** Polls a condition without a timed assertion: the condition is what the test asserts. */
export const until = async <T>(
  check: () => Promise<T | undefined | false>,
  attempts = 100,
): Promise<T | undefined> => {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
};

/**
 * Puts one customer's tokens inside the refresh window (30 minutes left) without moving the
 * shared clock, which would make every customer's tokens due at once.
 */
export const makeTokensDue = async (
  t: ReliabilityStack,
  customerId: string,
  fn: 'onboarding' | 'kyc-reviews' = 'onboarding',
) => {
  const tokens = t.stack.deps[fn].tokens;
  const access = await tokens.accessToken(customerId);
  const record = (await t.state()).tokens.find((k) => k.access_token === access);
  if (!record?.refresh_token) throw new Error('no refresh token at the simulator');
  await tokens.store(customerId, {
    access_token: access,
    refresh_token: record.refresh_token,
    token_type: 'bearer',
    expires_in: 30 * 60,
  });
};
