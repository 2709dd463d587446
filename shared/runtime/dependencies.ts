import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import type { Logger } from '@aws-lambda-powertools/logger';
import { KmsCipher } from '../adapters/kms-cipher';
import { LocalCipher } from '../adapters/local-cipher';
import { SecretsManagerCredentials, StaticCredentials } from '../adapters/secrets-manager-credentials';
import { DynamoIdentityRecords } from '../adapters/dynamodb/identity-records';
import { SealedIdentityKey } from '../adapters/dynamodb/sealed-identity-key';
import { localIdentityKey, SecretsManagerIdentityKey, StaticIdentityKey } from '../adapters/identity-key';
import type { IdentityDigestKey, IdentityRecords } from '../ports/identity';
import type { Cipher } from '../ports/cipher';
import type { WiseCredentialsProvider } from '../ports/secrets';
import type { Grants } from '../ports/grants';
import type { UserTokens } from '../ports/user-tokens';
import type { WiseAs } from '../ports/wise';
import { AccountStore } from '../store/account-store';
import type { Table } from '../store/dynamo';
import { ClientTokenCache } from '../tokens/client-token';
import { CustomerWiseAccess } from '../tokens/customer-wise';
import { RegistrationCodeRemint } from '../tokens/remint';
import { GrantService, longestRefreshMs } from '../tokens/grants';
import { GrantedUserTokens } from '../tokens/user-tokens';
import { IdempotencyRecords, ReplayedAnswers } from '../http/idempotency';
import { WiseClient } from '../wise/client';
import { defaultRetryPolicy, WiseTransport, type FetchLike, type RetryPolicy } from '../wise/transport';
import type { AppConfig } from './config';
import {
  buildStoreDependencies,
  type StoreDependencies,
  type StoreDependencyOverrides,
} from './store-dependencies';

/** Everything the Wise-facing functions' use cases need, built once per container. */
export interface Dependencies extends StoreDependencies {
  cipher: Cipher;
  credentials: WiseCredentialsProvider;
  transport: WiseTransport;
  wise: WiseClient;
  clientToken: ClientTokenCache;
  accounts: AccountStore;
  /** The customer's Wise grants, one token pair per grant (shared/ports/grants.ts). */
  grants: Grants;
  /** Compatibility: `grants` seen as the v1 single pair. */
  tokens: UserTokens;
  /** Wise as one customer: the user-token calls, with the token and its refresh handled. */
  wiseAs: WiseAs;
  /** The identity on record linking compares with, as keyed digests (shared/ports/identity.ts). */
  identities: IdentityRecords;
  /** The key of those digests (exposed so that the local stack shares one across its functions). */
  identityKey: IdentityDigestKey;
  /** Idempotency-Key replay: records keyed with `identityKey`, answers sealed with `cipher`. */
  idempotency: ReplayedAnswers;
}

export interface DependencyOverrides extends StoreDependencyOverrides {
  cipher?: Cipher;
  identityKey?: IdentityDigestKey;
  credentials?: WiseCredentialsProvider;
  fetch?: FetchLike;
  retry?: Partial<RetryPolicy>;
  onWiseCall?: (pathTemplate: string) => void;
}

/** The local stack's KMS stand-in key, kept under .local/ so data survives restarts. */
const localKey = (path: string): Buffer => {
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, key.toString('base64'), { mode: 0o600 });
  return key;
};

/** Builds its target on first use, so a function that never encrypts (webhooks) needs no key and no grant. */
const lazily = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

/** The KMS cipher as the functions use it; `npm run bench` builds its cipher here too, to count what AWS bills. */
export const createKmsCipher = (kms: KMSClient, keyId: string, onCall?: () => void): KmsCipher =>
  new KmsCipher(kms, keyId, onCall);

const cipherFor = (config: AppConfig, env: NodeJS.ProcessEnv): Cipher => {
  if (config.wiseEnvironment === 'local' && env.LOCAL_CIPHER_KEY_FILE)
    return new LocalCipher(localKey(env.LOCAL_CIPHER_KEY_FILE));
  const target = lazily(() => {
    if (!config.appKeyId) throw new Error('Invalid configuration: APP_KEY_ID');
    return createKmsCipher(new KMSClient({}), config.appKeyId);
  });
  return {
    encrypt: (plaintext, context) => target().encrypt(plaintext, context),
    decrypt: (ciphertext, context) => target().decrypt(ciphertext, context),
  };
};

/**
 * The identity digests' HMAC key: in AWS the stack's own envelope key (sealed by the application
 * key, kept in the table), or a Secrets Manager secret when IDENTITY_KEY_SECRET_ARN names one;
 * locally a key file under .local/ (LOCAL_IDENTITY_KEY_FILE), else one in memory.
 */
const identityKeyFor = (
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  table: Table,
  cipher: Cipher,
): IdentityDigestKey => {
  if (config.wiseEnvironment === 'local')
    return env.LOCAL_IDENTITY_KEY_FILE
      ? localIdentityKey(env.LOCAL_IDENTITY_KEY_FILE)
      : new StaticIdentityKey();
  if (config.identityKeySecretArn) return new SecretsManagerIdentityKey(config.identityKeySecretArn);
  return new SealedIdentityKey(table, cipher);
};

const credentialsFor = (config: AppConfig, env: NodeJS.ProcessEnv): WiseCredentialsProvider => {
  const target = lazily((): WiseCredentialsProvider => {
    if (config.credentialsSecretArn) return new SecretsManagerCredentials(config.credentialsSecretArn);
    // Only the local stack passes credentials through the environment; AWS always uses the secret.
    if (config.wiseEnvironment === 'local' && env.WISE_CLIENT_ID && env.WISE_CLIENT_SECRET) {
      return new StaticCredentials({
        clientId: env.WISE_CLIENT_ID,
        clientSecret: env.WISE_CLIENT_SECRET,
        clientKey: env.WISE_CLIENT_KEY ?? env.WISE_CLIENT_ID,
      });
    }
    throw new Error('Invalid configuration: WISE_CREDENTIALS_SECRET_ARN');
  });
  return { get: () => target().get() };
};

export const buildDependencies = (
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  overrides: DependencyOverrides = {},
): Dependencies => {
  const store = buildStoreDependencies(logger, env, overrides);
  const { config, clock, table } = store;
  const cipher = overrides.cipher ?? cipherFor(config, env);
  const credentials = overrides.credentials ?? credentialsFor(config, env);
  const transport = new WiseTransport({
    baseUrl: config.wiseApiBaseUrl,
    logger,
    fetch: overrides.fetch,
    retry: overrides.retry,
    onCall: overrides.onWiseCall,
    metrics: store.metrics,
    // Once Wise has a partner on mTLS it accepts calls only on the api-mtls host.
    mtls: async () => {
      const creds = await credentials.get();
      if (!creds.mtlsCertificate || !creds.mtlsPrivateKey || !config.wiseApiMtlsBaseUrl) return undefined;
      return {
        baseUrl: config.wiseApiMtlsBaseUrl,
        certificate: creds.mtlsCertificate,
        privateKey: creds.mtlsPrivateKey,
        ca: config.mtlsCaPem,
      };
    },
  });
  const wise = new WiseClient(transport, credentials);
  const accounts = new AccountStore(table, clock);
  const grants = new GrantService(
    table,
    cipher,
    wise,
    clock,
    new RegistrationCodeRemint(accounts, cipher, wise),
    store.lease,
    accounts,
    // The refresh lease must outlive the longest refresh this transport can make.
    { refreshBudgetMs: longestRefreshMs({ ...defaultRetryPolicy, ...overrides.retry }) },
  );
  const tokens = new GrantedUserTokens(grants, accounts, wise);
  const identityKey = overrides.identityKey ?? identityKeyFor(config, env, table, cipher);
  const access = new CustomerWiseAccess(wise, grants);
  return {
    ...store,
    cipher,
    credentials,
    transport,
    wise,
    clientToken: new ClientTokenCache(wise, clock),
    accounts,
    grants,
    tokens,
    wiseAs: (customerId, options) => access.wiseAs(customerId, options),
    identities: new DynamoIdentityRecords(table, identityKey, clock),
    identityKey,
    idempotency: new ReplayedAnswers(new IdempotencyRecords(table, clock), {
      digestKey: identityKey,
      cipher,
    }),
  };
};
