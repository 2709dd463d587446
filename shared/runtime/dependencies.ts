import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import type { Logger } from '@aws-lambda-powertools/logger';
import { KmsCipher } from '../adapters/kms-cipher';
import { LocalCipher } from '../adapters/local-cipher';
import { SecretsManagerCredentials, StaticCredentials } from '../adapters/secrets-manager-credentials';
import type { Cipher } from '../ports/cipher';
import type { WiseCredentialsProvider } from '../ports/secrets';
import type { UserTokens } from '../ports/user-tokens';
import type { WiseAs } from '../ports/wise';
import { AccountStore } from '../store/account-store';
import { ClientTokenCache } from '../tokens/client-token';
import { CustomerWiseAccess } from '../tokens/customer-wise';
import { RegistrationCodeRemint } from '../tokens/remint';
import { UserTokenService } from '../tokens/user-tokens';
import { WiseClient } from '../wise/client';
import { WiseTransport, type FetchLike, type RetryPolicy } from '../wise/transport';
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
  tokens: UserTokens;
  /** Wise as one customer: the user-token calls, with the token and its refresh handled. */
  wiseAs: WiseAs;
}

export interface DependencyOverrides extends StoreDependencyOverrides {
  cipher?: Cipher;
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
  const tokens = new UserTokenService(
    table,
    cipher,
    wise,
    clock,
    new RegistrationCodeRemint(accounts, cipher, wise),
    store.lease,
  );
  const access = new CustomerWiseAccess(wise, tokens);
  return {
    ...store,
    cipher,
    credentials,
    transport,
    wise,
    clientToken: new ClientTokenCache(wise, clock),
    accounts,
    tokens,
    wiseAs: (customerId, options) => access.wiseAs(customerId, options),
  };
};
