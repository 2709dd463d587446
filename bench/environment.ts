import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { StaticCredentials } from '../shared/adapters/secrets-manager-credentials';
import type { LambdaHandler } from '../shared/http/types';
import { createLogger } from '../shared/logging/logger';
import type { FunctionName } from '../shared/routes';
import { buildDependencies, createKmsCipher, type Dependencies } from '../shared/runtime/dependencies';
import { handlerWith, type RouteTable } from '../shared/runtime/function';
import { createDocumentClient, type Table } from '../shared/store/dynamo';
import { routes as kycRoutes } from '../functions/kyc-reviews/routes';
import { routes as oauthRoutes } from '../functions/oauth/routes';
import { routes as onboardingRoutes } from '../functions/onboarding/routes';
import { routes as webhookRoutes } from '../functions/webhooks/routes';
import { ensureTable } from '../local/dynamodb/create-table';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb/launcher';
import { LOCAL_WISE_CLIENT } from '../local/stack';
import { startWiseSandbox, type WiseSandbox } from '../local/wise-sandbox/index';
import { consumerHandlerWith } from '../local/stream-runner/consumers';
import { startStreamRunner, type StreamRunner } from '../local/stream-runner/runner';
import { streamConsumerByName } from '../shared/stream-consumers';
import { DynamoInstrument } from './capacity';
import { fakeKmsClient } from './fake-kms';
import type { RecordedCall } from './recording';

/** The simulator's registered redirect URI for the local client; the functions' OAuth callback. */
export const CALLBACK_URL = 'http://localhost:3000/v1/oauth/callback';
export const RETURN_URL_PREFIX = 'http://localhost:3000/';

/** Counters at the two places the product pays per call: the Wise transport and the cipher adapter. */
export interface CallCounters {
  wise: Map<string, number>;
  kms: number;
}

export interface BenchEnvironment {
  readonly dynamo: DynamoDbLocal;
  readonly sim: WiseSandbox;
  readonly tableName: string;
  readonly table: Table;
  readonly instrument: DynamoInstrument;
  readonly counters: CallCounters;
  /** Starts recording every DynamoDB command and Wise request the functions make, in order. */
  record(): RecordedCall[];
  stopRecording(): void;
  readonly deps: Record<FunctionName, Dependencies>;
  /** The functions behind the API (the stream consumer runs through {@link startProjection}). */
  readonly handlers: Record<FunctionName, LambdaHandler>;
  /**
   * The webhook projection over the table's stream, as the local stack runs it (local/stream-runner),
   * starting at the stream's end (LATEST): it sees only the records written after it started.
   */
  startProjection(): Promise<StreamRunner>;
  /** A key pair the webhook function trusts (as during a key rotation, beside the simulator's key). */
  readonly webhookKey: { privateKey: KeyObject; publicKeyPem: string };
  /** The environment a fresh Lambda process gets (cold-start runs), as the CDK stack would set it. */
  functionEnv(): NodeJS.ProcessEnv;
  signWebhook(body: string): string;
  resetCounters(): void;
  close(): Promise<void>;
}

const routeTables: Partial<Record<FunctionName, RouteTable<Dependencies>>> = {
  onboarding: onboardingRoutes,
  oauth: oauthRoutes,
  webhooks: webhookRoutes,
  'kyc-reviews': kycRoutes,
};

/**
 * The local stack's real parts, started for the run and stopped after it: DynamoDB Local on a free
 * port, the Wise simulator on a free port (no added latency, rate limit out of the way), and the four
 * functions' handlers built in this process as each Lambda container builds them, with the product's
 * own KmsCipher (over an in-process KMS stand-in) and the counters the cost figures need.
 */
export const startBenchEnvironment = async (): Promise<BenchEnvironment> => {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  let sim: WiseSandbox | undefined;
  try {
    sim = await startWiseSandbox({
      port: 0,
      redirectUris: [CALLBACK_URL],
      rateLimit: { perSecond: 1_000_000, perMinute: 10_000_000 },
      mtls: false,
    });
    const tableName = `bench-${randomUUID().slice(0, 8)}`;
    await ensureTable(dynamo.endpoint, tableName);
    const table: Table = { db: createDocumentClient({ endpoint: dynamo.endpoint }), name: tableName };
    const instrument = new DynamoInstrument();
    instrument.attach(table.db);
    const counters: CallCounters = { wise: new Map(), kms: 0 };
    let recording: RecordedCall[] | undefined;
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const webhookKey = {
      privateKey: key.privateKey,
      publicKeyPem: key.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    };

    const baseEnv = {
      WISE_ENVIRONMENT: 'local',
      WISE_API_BASE_URL: sim.url,
      WISE_WEB_BASE_URL: sim.url,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      ALLOWED_RETURN_URLS: RETURN_URL_PREFIX,
      OAUTH_CALLBACK_URL: CALLBACK_URL,
      WISE_WEBHOOK_PUBLIC_KEYS: `${sim.webhookPublicKeyPem}\n${webhookKey.publicKeyPem}`,
      WISE_CLIENT_ID: LOCAL_WISE_CLIENT.clientId,
      WISE_CLIENT_SECRET: LOCAL_WISE_CLIENT.clientSecret,
      WISE_CLIENT_KEY: LOCAL_WISE_CLIENT.clientKey,
      // As deployed: the KMS app key is configured, so the container builds its KMS client.
      APP_KEY_ID: 'arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000',
    } satisfies NodeJS.ProcessEnv;

    const env: BenchEnvironment = {
      dynamo,
      sim,
      tableName,
      table,
      instrument,
      counters,
      record: () => {
        recording = [];
        instrument.recording = recording;
        return recording;
      },
      stopRecording: () => {
        recording = undefined;
        instrument.recording = undefined;
      },
      deps: {} as Record<FunctionName, Dependencies>,
      handlers: {} as Record<FunctionName, LambdaHandler>,
      webhookKey,
      functionEnv: () => ({
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...baseEnv,
        AWS_REGION: 'eu-west-1',
        // Never used for the cold-start requests (they call no KMS); present so no credential chain is probed.
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      }),
      signWebhook: (body) => sign('RSA-SHA256', Buffer.from(body), webhookKey.privateKey).toString('base64'),
      startProjection: async () => {
        const runner = await startStreamRunner({
          endpoint: dynamo.endpoint,
          tableName,
          consumers: [
            {
              definition: streamConsumerByName('webhook-projection'),
              handler: consumerHandlerWith('webhook-projection', env.deps['webhook-projection']),
            },
          ],
          pollMs: 20,
          startingPosition: 'LATEST',
        });
        // The first empty read has taken the shard iterators: everything written from now on is seen.
        await runner.drained();
        return runner;
      },
      resetCounters: () => {
        counters.wise.clear();
        counters.kms = 0;
        instrument.reset();
      },
      close: async () => {
        table.db.destroy();
        await sim?.close();
        await dynamo.stop();
      },
    };

    const recordingFetch = async (url: string, init: RequestInit): Promise<Response> => {
      if (recording) {
        recording.push({
          kind: 'wise',
          url,
          method: init.method ?? 'GET',
          headers: { ...(init.headers as Record<string, string>) },
          body: typeof init.body === 'string' ? init.body : undefined,
        });
      }
      return fetch(url, init);
    };
    // The functions' own KMS cipher (as dependencies.ts builds it), over the in-process KMS stand-in.
    const cipher = createKmsCipher(fakeKmsClient(), baseEnv.APP_KEY_ID, () => {
      counters.kms += 1;
    });
    for (const fn of ['onboarding', 'oauth', 'webhooks', 'kyc-reviews', 'webhook-projection'] as const) {
      const deps = buildDependencies(createLogger(fn), baseEnv, {
        table,
        cipher,
        credentials: new StaticCredentials(LOCAL_WISE_CLIENT),
        fetch: recordingFetch,
        onWiseCall: (path) => counters.wise.set(path, (counters.wise.get(path) ?? 0) + 1),
      });
      env.deps[fn] = deps;
      const routes = routeTables[fn];
      if (routes) env.handlers[fn] = handlerWith(fn, deps, routes);
    }
    return env;
  } catch (err) {
    await sim?.close();
    await dynamo.stop();
    throw err;
  }
};
