import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { inject } from 'vitest';
import { routes as onboardingRoutes } from '../../functions/onboarding/routes';
import { LOCAL_WISE_CLIENT } from '../../local/stack';
import { LocalCipher } from '../../shared/adapters/local-cipher';
import { SecretsManagerCredentials } from '../../shared/adapters/secrets-manager-credentials';
import type { GatewayEvent } from '../../shared/http/types';
import { createLogger } from '../../shared/logging/logger';
import { routeKey, routes, WISE_ACCESS_SCOPE, type RouteId } from '../../shared/routes';
import { buildDependencies } from '../../shared/runtime/dependencies';
import { handlerWith } from '../../shared/runtime/function';
import type { CallResult } from '../support/stack';
import {
  DynamoFaults,
  FaultyCipher,
  isWrite,
  type DynamoCall,
  type DynamoFaultKind,
} from './support/dependency-faults';
import { leakScanTest } from './support/leaks';
import { figures, proves, reportFor, saveReport } from './support/report';
import {
  accountPath,
  activeCustomer,
  customerBody,
  existingWiseUser,
  freshCustomer,
  linkThroughCallback,
  completeLink,
  makeTokensDue,
  partner,
  profilePath,
  startReliabilityStack,
  type ReliabilityStack,
} from './support/stack';

/**
 * The product's own dependencies failing — DynamoDB throttling or failing (or a write landing with
 * its answer lost), KMS throttling or failing, Secrets Manager unavailable — on every route and at
 * every step of signup, linking, token refresh and KYC review creation. The partner's side of the
 * promise (PARTNER-API.md): 503 with Retry-After (or success), never a bare 500, nothing
 * half-written, and the retry completes with nothing duplicated at Wise.
 *
 * Each flow is first run once fault-free with its DynamoDB and cipher calls recorded; then each
 * recorded step is failed in turn, on a fresh customer.
 */
reportFor(import.meta.url);

const webhookKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dynamo = new DynamoFaults();
const cipher = new FaultyCipher(new LocalCipher(randomBytes(32)));

let t: ReliabilityStack;
beforeAll(async () => {
  t = await startReliabilityStack({
    subscribe: false,
    stack: {
      cipher,
      // No stream consumers: their polling would write to the table between the steps being counted.
      streams: false,
      webhookPublicKeyPem: webhookKey.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    },
  });
  dynamo.install(t.stack.deps.onboarding.table.db);
});
afterEach(() => {
  dynamo.disarm();
  cipher.disarm();
});
afterAll(async () => {
  saveReport();
  await t?.close();
});

const terms = () => new Date(Date.now() - 60_000).toISOString();
const signupBody = (email: string) => ({ ...customerBody(email), acceptedTermsAt: terms() });
const returnUrl = () => `${t.stack.deps.oauth.config.allowedReturnUrls[0]}app/linked`;
const redirectUrl = () => `${t.stack.deps['kyc-reviews'].config.allowedReturnUrls[0]}kyc/done`;

/** The partner's side of the promise for one answer given while a dependency failed. */
const expectRetryLater = (res: CallResult) => {
  expect(res.status, res.text).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(res.text).not.toMatch(/Exception|injected|at .*\.ts/);
};

/** The first answer is a success or "retry later"; then the same call, retried, completes. */
const completesOrRetries = async (call: () => Promise<CallResult>, done: (r: CallResult) => boolean) => {
  const first = await call();
  if (!done(first)) expectRetryLater(first);
  dynamo.disarm();
  cipher.disarm();
  let last = first;
  for (let i = 0; i < 3 && !done(last); i++) last = await call();
  expect(done(last), `${last.status} ${last.text}`).toBe(true);
  return { first, last };
};

/**
 * What the customer's partition holds, by kind of item: a flow that failed half-way and was retried
 * must end with the same kinds of items as one that never failed (no stray lease, no second
 * profile, no grant without its account status).
 */
const shapeOf = async (customerId: string) => {
  const table = t.stack.deps.onboarding.table;
  const out = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}` },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? [])
    .map((item) => {
      const kind = String(item.sk).replace(/#.*$/, '');
      const status = typeof item.status === 'string' ? `:${item.status}` : '';
      const lease = Object.keys(item).some((k) => /lease/i.test(k)) ? ':leased' : '';
      return `${kind}${status}${lease}`;
    })
    .sort();
};

/** The steps of a flow: which DynamoDB calls (and cipher calls) one fault-free run makes, in order. */
const stepsOf = (calls: DynamoCall[]) => {
  const seen = new Map<string, number>();
  return calls.map((c) => {
    const nth = (seen.get(c.operation) ?? 0) + 1;
    seen.set(c.operation, nth);
    return { operation: c.operation, nth };
  });
};

/** Faults to try at a step: throttled everywhere; a lost answer where the step writes. */
const kindsAt = (operation: string): DynamoFaultKind[] =>
  isWrite(operation) ? ['throttle', 'lost-answer'] : ['throttle'];

/** At most this many steps of a flow are failed (the longest flows have more; the first ones are the risky ones). */
const MAX_STEPS = 24;

// ---- flows --------------------------------------------------------------------------------

const expectOneUserAndProfile = async (email: string) => {
  const s = await t.state();
  const users = s.users.filter((u) => u.email === email);
  expect(users).toHaveLength(1);
  expect(s.profiles.filter((p) => p.userId === users[0]!.id)).toHaveLength(1);
};

interface Flow<C> {
  name: string;
  prepare(): Promise<C>;
  call(c: C): Promise<CallResult>;
  done(r: CallResult): boolean;
  verify(c: C, last: CallResult): Promise<void>;
  customerOf(c: C): string;
  /**
   * Cipher purposes whose encryption only keeps a spare copy for a later retry: when KMS fails
   * there, the flow goes on with the value in hand and may succeed at once (linking keeps Wise's
   * token answer beside the result, which Wise would never give twice).
   */
  spareCopies?: readonly string[];
}

const signupFlow: Flow<{ customerId: string; email: string }> = {
  name: 'signup (route 1)',
  prepare: async () => freshCustomer('dep-signup'),
  call: (c) => t.call('POST', accountPath(c.customerId), { as: partner, body: signupBody(c.email) }),
  done: (r) => r.status === 201 || r.status === 200,
  verify: async (c, last) => {
    expect(last.body.status).toBe('ACTIVE');
    await expectOneUserAndProfile(c.email);
  },
  customerOf: (c) => c.customerId,
};

const linkFlow: Flow<{ customerId: string; result?: string; profileId: number; userId: number }> = {
  name: 'linking (route 17, completing a callback result)',
  prepare: async () => {
    const { customerId } = freshCustomer('dep-link');
    const user = await existingWiseUser(t);
    const callback = await linkThroughCallback(t, customerId, user, returnUrl());
    if (!callback.result) throw new Error(`no link result: ${callback.status} ${callback.location}`);
    return { customerId, result: callback.result, profileId: user.profileId, userId: user.userId };
  },
  call: (c) => completeLink(t, c.customerId, c.result),
  done: (r) => r.status === 200,
  spareCopies: ['link-result-tokens'],
  verify: async (c, last) => {
    expect(last.body).toMatchObject({ status: 'LINKED', profileId: c.profileId });
    const account = await t.call('GET', accountPath(c.customerId), { as: c.customerId });
    expect(account.body).toMatchObject({ status: 'LINKED', wiseUserId: c.userId });
    expect(account.body.profiles.map((p: { id: number }) => p.id)).toEqual([c.profileId]);
  },
  customerOf: (c) => c.customerId,
};

const refreshFlow: Flow<{ customerId: string; profileId: number }> = {
  name: 'token refresh (route 5 with tokens due)',
  prepare: async () => {
    const c = await activeCustomer(t, 'dep-refresh');
    await makeTokensDue(t, c.customerId);
    return c;
  },
  call: (c) =>
    t.call('POST', `${profilePath(c.customerId, c.profileId)}/verification-check`, {
      as: c.customerId,
      body: { sourceCurrencies: ['GBP'] },
    }),
  done: (r) => r.status === 200,
  verify: async (c) => {
    const account = await t.call('GET', accountPath(c.customerId), { as: c.customerId });
    expect(account.body.status).toBe('ACTIVE');
    // The tokens still work: a second call needs no refresh and succeeds.
    const again = await refreshFlow.call(c);
    expect(again.status, again.text).toBe(200);
  },
  customerOf: (c) => c.customerId,
};

const kycFlow: Flow<{ customerId: string; profileId: number }> = {
  name: 'KYC review creation (route 12)',
  prepare: () => activeCustomer(t, 'dep-kyc'),
  call: (c) =>
    t.call('POST', `${profilePath(c.customerId, c.profileId)}/kyc-reviews`, {
      as: c.customerId,
      body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: redirectUrl() },
    }),
  done: (r) => r.status === 201 || r.status === 200,
  verify: async (c, last) => {
    const atWise = (await t.state()).kycReviews.filter((r) => r.profileId === c.profileId);
    expect(atWise.map((r) => r.id)).toEqual([last.body.id]);
    const listed = await t.call('GET', `${profilePath(c.customerId, c.profileId)}/kyc-reviews`, {
      as: c.customerId,
    });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([last.body.id]);
  },
  customerOf: (c) => c.customerId,
};

const flows = [signupFlow, linkFlow, refreshFlow, kycFlow] as Flow<unknown>[];

/** The DynamoDB steps and the cipher steps of every flow, from one fault-free run each. */
const recorded = new Map<
  string,
  { dynamo: DynamoCall[]; cipher: { operation: 'encrypt' | 'decrypt'; purpose?: string }[]; shape: string[] }
>();
const recordFlow = async (flow: Flow<unknown>) => {
  const existing = recorded.get(flow.name);
  if (existing) return existing;
  const c = await flow.prepare();
  const { value: withCipher, calls: cipherCalls } = await cipher.record(() =>
    dynamo.record(() => flow.call(c)),
  );
  expect(
    flow.done(withCipher.value),
    `${flow.name}: ${withCipher.value.status} ${withCipher.value.text}`,
  ).toBe(true);
  await flow.verify(c, withCipher.value);
  const entry = { dynamo: withCipher.calls, cipher: cipherCalls, shape: await shapeOf(flow.customerOf(c)) };
  recorded.set(flow.name, entry);
  return entry;
};

describe('DynamoDB failing at every step of each flow', () => {
  for (const flow of flows) {
    proves(
      'faults.store',
      `${flow.name}: each step throttled, or written with its answer lost — 503 with Retry-After or success, and the retry completes with nothing half-written`,
      async () => {
        // Prepare
        const { dynamo: calls, shape } = await recordFlow(flow);
        const steps = stepsOf(calls).slice(0, MAX_STEPS);
        expect(steps.length).toBeGreaterThan(0);

        const failures: string[] = [];
        for (const step of steps) {
          for (const kind of kindsAt(step.operation)) {
            const at = `${step.operation} #${step.nth} (${kind})`;
            try {
              const c = await flow.prepare();
              dynamo.arm({ operation: step.operation, nth: step.nth, kind });

              // Act
              const { last } = await completesOrRetries(() => flow.call(c), flow.done);

              // Assess
              await flow.verify(c, last);
              expect(await shapeOf(flow.customerOf(c))).toEqual(shape);
            } catch (err) {
              failures.push(`${at}: ${String((err as Error).message).slice(0, 300)}`);
            } finally {
              dynamo.disarm();
            }
          }
        }
        if (failures.length > 0)
          process.stderr.write(`${JSON.stringify({ flow: flow.name, failures }, null, 1)}\n`);
        expect(failures, `steps: ${steps.map((s) => `${s.operation}#${s.nth}`).join(', ')}`).toEqual([]);
      },
      600_000,
    );
  }
});

describe('KMS failing at every encryption and decryption of each flow', () => {
  for (const flow of flows) {
    proves(
      'faults.kms',
      `${flow.name}: each cipher call throttled, or failed at KMS — 503 with Retry-After, and the retry completes with nothing half-written`,
      async () => {
        // Prepare
        const { cipher: calls, shape } = await recordFlow(flow);
        process.stderr.write(`${JSON.stringify({ flow: flow.name, cipherCalls: calls })}\n`);
        const seen = new Map<string, number>();
        const steps = calls.map((call) => {
          const nth = (seen.get(call.operation) ?? 0) + 1;
          seen.set(call.operation, nth);
          return { ...call, nth };
        });

        const failures: string[] = [];
        for (const [i, step] of steps.entries()) {
          const at = `${step.operation} #${step.nth} (${step.purpose})`;
          try {
            const c = await flow.prepare();
            cipher.arm({
              operation: step.operation,
              nth: step.nth,
              kind: i % 2 === 0 ? 'throttle' : 'internal',
            });

            // Act
            const { first, last } = await completesOrRetries(() => flow.call(c), flow.done);

            // Assess
            const spare = step.purpose !== undefined && flow.spareCopies?.includes(step.purpose);
            if (cipher.fired && !(spare && flow.done(first))) expectRetryLater(first);
            await flow.verify(c, last);
            expect(await shapeOf(flow.customerOf(c))).toEqual(shape);
          } catch (err) {
            failures.push(`${at}: ${String((err as Error).message).slice(0, 300)}`);
          } finally {
            cipher.disarm();
          }
        }
        if (failures.length > 0)
          process.stderr.write(`${JSON.stringify({ flow: flow.name, failures }, null, 1)}\n`);
        expect(failures, `steps: ${steps.map((s) => `${s.operation}#${s.nth}`).join(', ')}`).toEqual([]);
      },
      600_000,
    );
  }
});

// ---- every route ---------------------------------------------------------------------------

interface RouteRequest {
  path: string;
  as?: string | { customerId?: string; scope: string } | null;
  body?: unknown;
  rawBody?: Buffer | string;
  headers?: Record<string, string>;
  query?: string;
}

const webhookDelivery = (profileId: number) => {
  const body = JSON.stringify({
    data: {
      resource: { id: profileId, type: 'profile' },
      current_state: 'verified',
      occurred_at: new Date().toISOString(),
    },
    subscription_id: '00000000-0000-0000-0000-000000000001',
    event_type: 'profiles#verification-state-change',
    schema_version: '2.0.0',
    sent_at: new Date().toISOString(),
  });
  return {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-signature-sha256': sign('RSA-SHA256', Buffer.from(body), webhookKey.privateKey).toString('base64'),
    },
  };
};

const requirementForm = () => {
  const boundary = 'reliability-boundary';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n{"accountPurpose":"SENDING_MONEY_TO_FRIENDS_OR_FAMILY"}\r\n` +
    `--${boundary}--\r\n`;
  return { rawBody: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
};

/** A request for each route, on a customer made for it (destructive routes get their own). */
const requestFor = async (id: RouteId): Promise<RouteRequest> => {
  const c = await activeCustomer(t, `dep-route-${id}`);
  const profile = profilePath(c.customerId, c.profileId);
  const review = async () => {
    const res = await kycFlow.call(c);
    if (res.status !== 201) throw new Error(`review: ${res.status} ${res.text}`);
    return res.body.id as string;
  };
  switch (id) {
    case 'createAccount': {
      const fresh = freshCustomer('dep-route-signup');
      return { path: accountPath(fresh.customerId), as: partner, body: signupBody(fresh.email) };
    }
    case 'getAccount':
      return { path: accountPath(c.customerId), as: c.customerId };
    case 'createBusinessProfile':
      return {
        path: `${accountPath(c.customerId)}/business-profiles`,
        as: partner,
        body: {
          businessName: 'Reliable Faults Ltd',
          registrationNumber: '07654321',
          companyType: 'LIMITED',
          companyRole: 'OWNER',
          firstLevelCategory: 'CONSULTING_IT_BUSINESS_SERVICES',
          secondLevelCategory: 'DESIGN',
          address: {
            addressFirstLine: '1 Test Street',
            city: 'London',
            countryIso3Code: 'gbr',
            postCode: 'EC1A 1BB',
          },
        },
      };
    case 'updateProfile':
      return { path: profile, as: partner, body: { ...customerBody(c.email), email: undefined } };
    case 'checkVerification':
      return { path: `${profile}/verification-check`, as: c.customerId, body: { sourceCurrencies: ['GBP'] } };
    case 'submitIdentityDocument':
      return {
        path: `${profile}/identity-documents`,
        as: partner,
        body: { type: 'SSN', uniqueIdentifier: '123456789' },
      };
    case 'createClaimLink':
      return { path: `${accountPath(c.customerId)}/claim`, as: c.customerId, body: {} };
    case 'startLink':
      return {
        path: `/v1/customers/${c.customerId}/wise-link`,
        as: c.customerId,
        body: { returnUrl: returnUrl() },
      };
    case 'oauthCallback':
      return {
        path: '/v1/oauth/callback',
        query: `code=c0de&state=${'s'.repeat(43)}&profileId=${c.profileId}`,
        as: null,
      };
    case 'linkWithCode':
      return {
        path: `/v1/customers/${c.customerId}/wise-link/code`,
        as: c.customerId,
        body: { code: 'not-a-code' },
      };
    case 'receiveWebhook':
      return { path: '/v1/webhooks/wise', as: null, ...webhookDelivery(c.profileId) };
    case 'createKycReview':
      return {
        path: `${profile}/kyc-reviews`,
        as: c.customerId,
        body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: redirectUrl() },
      };
    case 'listKycReviews':
      return { path: `${profile}/kyc-reviews`, as: c.customerId };
    case 'getKycReview':
      return { path: `${profile}/kyc-reviews/${await review()}`, as: c.customerId };
    case 'refreshKycLink':
      return {
        path: `${profile}/kyc-reviews/${await review()}/link`,
        as: c.customerId,
        body: { redirectUrl: redirectUrl() },
      };
    case 'submitKycRequirement':
      return {
        path: `${profile}/kyc-reviews/${await review()}/requirements/ACCOUNT_PURPOSE`,
        as: c.customerId,
        ...requirementForm(),
      };
    case 'completeLink':
      return {
        path: `/v1/customers/${c.customerId}/wise-link/complete`,
        as: c.customerId,
        body: { result: 'r'.repeat(43) },
      };
    case 'putIdentity':
      return {
        path: `/v1/customers/${c.customerId}/identity`,
        as: partner,
        body: { dateOfBirth: '1990-01-01' },
      };
    case 'disconnect':
      return { path: `/v1/customers/${c.customerId}/wise-link`, as: c.customerId };
    case 'issueAccessToken':
      return { path: `${profile}/access-token`, as: { scope: WISE_ACCESS_SCOPE }, body: {} };
    case 'listAuditEvents':
      return { path: `/v1/customers/${c.customerId}/audit-events`, as: partner, query: 'limit=10' };
    case 'listCustomers':
      return { path: '/v1/customers', as: partner, query: 'status=ACTIVE&limit=5' };
    case 'eraseCustomer':
      return { path: `/v1/customers/${c.customerId}`, as: partner };
    default:
      throw new Error(`no request for route ${id as string}: add one here`);
  }
};

const send = (method: string, r: RouteRequest) =>
  t.call(method, r.query ? `${r.path}?${r.query}` : r.path, {
    as: r.as,
    body: r.body,
    rawBody: r.rawBody,
    headers: r.headers,
  });

describe('DynamoDB failing on every route', () => {
  for (const route of routes) {
    for (const kind of ['throttle', 'internal'] as const) {
      proves(
        'faults.store',
        `${routeKey(route)} with its first DynamoDB call ${kind === 'throttle' ? 'throttled' : 'failing'}: 503 with Retry-After, then the retry is answered`,
        async () => {
          // Prepare
          const request = await requestFor(route.id);
          dynamo.arm({ kind, nth: 1 });

          // Act
          const first = await send(route.method, request);
          const fired = dynamo.fired;
          dynamo.disarm();
          const retried = await send(route.method, request);

          // Assess: the callback answers its HTML pages (a 503 page when the store is down).
          if (fired) {
            if (route.id === 'oauthCallback') {
              expect(first.status, first.text).toBe(503);
              expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
            } else if (first.status >= 300) expectRetryLater(first);
          } else {
            expect(first.status, first.text).toBeLessThan(500);
          }
          expect(retried.status, retried.text).toBeLessThan(500);
        },
      );
    }
  }
});

// ---- Secrets Manager -----------------------------------------------------------------------

const lambdaContext = {
  getRemainingTimeInMillis: () => 20_000,
  awsRequestId: 'r',
  functionName: 'f',
} as unknown as Context;

/** Route 1 as API Gateway hands it to the onboarding function (a container of our own, in process). */
const signupEvent = (customerId: string, email: string): GatewayEvent =>
  ({
    version: '2.0',
    routeKey: 'POST /v1/customers/{customerId}/wise-account',
    rawPath: accountPath(customerId),
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signupBody(email)),
    isBase64Encoded: false,
    pathParameters: { customerId },
    requestContext: {
      requestId: `secrets-${customerId}`,
      http: { method: 'POST' },
      authorizer: { jwt: { claims: { sub: 'partner-backend', scope: partner.scope } } },
    },
  }) as unknown as GatewayEvent;

/** An onboarding container whose Wise credentials come from (a mocked) Secrets Manager. */
const containerReading = (secretArn: string, maxAgeSeconds: number) => {
  const base = t.stack.deps.onboarding;
  const env = {
    WISE_ENVIRONMENT: 'local',
    WISE_API_BASE_URL: t.sim.url,
    WISE_WEB_BASE_URL: t.sim.url,
    TABLE_NAME: t.tableName,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    ALLOWED_RETURN_URLS: base.config.allowedReturnUrls.join(','),
    OAUTH_CALLBACK_URL: base.config.oauthCallbackUrl,
  };
  const deps = buildDependencies(createLogger('onboarding'), env, {
    credentials: new SecretsManagerCredentials(secretArn, maxAgeSeconds),
    cipher,
    identityKey: base.identityKey,
    table: base.table,
    clock: base.clock,
    retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 1000 },
  });
  return handlerWith('onboarding', deps, onboardingRoutes);
};

const secretsDown = () =>
  Object.assign(new Error('Rate exceeded (injected)'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

describe('Secrets Manager unavailable', () => {
  const sm = mockClient(SecretsManagerClient);
  afterAll(() => sm.restore());

  proves(
    'faults.secrets',
    'a container that read the credentials keeps working on them once its cache has aged',
    async () => {
      // Prepare: a warm container read the secret, then Secrets Manager goes down. Its cache lasts
      // 0 s: aged by the next call, which must ask Secrets Manager again (no waiting).
      sm.reset();
      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(LOCAL_WISE_CLIENT) });
      const handler = containerReading('arn:aws:secretsmanager:eu-west-1:000000000000:secret:warm', 0);
      const before = freshCustomer('secrets-warm');
      const warm = await handler(signupEvent(before.customerId, before.email), lambdaContext);
      expect(warm.statusCode, warm.body).toBe(201);
      sm.reset();
      sm.on(GetSecretValueCommand).rejects(secretsDown());
      figures.dependencyFaultsInjected += 1;

      // Act
      const after = freshCustomer('secrets-warm');
      const res = await handler(signupEvent(after.customerId, after.email), lambdaContext);

      // Assess
      expect(res.statusCode, res.body).toBe(201);
      expect(sm.commandCalls(GetSecretValueCommand).length).toBeGreaterThanOrEqual(1);
      await expectOneUserAndProfile(after.email);
    },
  );

  proves(
    'faults.secrets',
    'a cold container answers 503 with Retry-After, writes nothing, and completes once Secrets Manager is back',
    async () => {
      // Prepare
      sm.reset();
      sm.on(GetSecretValueCommand).rejects(secretsDown());
      figures.dependencyFaultsInjected += 1;
      const handler = containerReading('arn:aws:secretsmanager:eu-west-1:000000000000:secret:cold', 300);
      const c = freshCustomer('secrets-cold');

      // Act
      const cold = await handler(signupEvent(c.customerId, c.email), lambdaContext);
      const shapeWhileDown = await shapeOf(c.customerId);
      const atWiseWhileDown = (await t.state()).users.filter((u) => u.email === c.email);
      sm.reset();
      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(LOCAL_WISE_CLIENT) });
      const retried = await handler(signupEvent(c.customerId, c.email), lambdaContext);

      // Assess
      expect(cold.statusCode, cold.body).toBe(503);
      expect(cold.headers['Content-Type']).toBe('application/problem+json');
      expect(Number(cold.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(cold.body as string).code).toBe('SERVICE_UNAVAILABLE');
      expect(atWiseWhileDown).toEqual([]);
      expect(shapeWhileDown.every((s) => !s.includes(':leased'))).toBe(true);
      expect(retried.statusCode, retried.body).toBe(201);
      await expectOneUserAndProfile(c.email);
    },
  );
});

leakScanTest(() => t);
