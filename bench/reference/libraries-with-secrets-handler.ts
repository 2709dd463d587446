import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The "libraries + KMS + Secrets Manager" row of the cold-start table: the `libraries` diagnostic
 * (bench/reference/libraries-handler.ts, same handler, same request) plus the two clients that
 * onboarding, oauth and kyc-reviews must carry — KMS for the registration codes and tokens, and
 * Powertools' Secrets Manager reader for the Wise client secret — kept in the bundle the way the
 * functions keep them: imported, built on first use, not used by this request. No product code.
 */
export { handler } from './libraries-handler';

/** Exported so that esbuild keeps the clients, as the functions' dependency wiring does. */
export const secretsClients = {
  kms: () => new KMSClient({}),
  commands: [EncryptCommand, DecryptCommand] as const,
  secret: (arn: string) => getSecret(arn, { maxAge: 300, transform: 'json' }),
};
