import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import type { WiseCredentials, WiseCredentialsProvider } from '../ports/secrets';

// Built on first use: a container that never reads the secret (a GET served from the table) never builds it.
const credentialsSchema = z.lazy(() =>
  z.object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    clientKey: z.string().min(1).optional(),
    mtlsCertificate: z.string().min(1).optional(),
    mtlsPrivateKey: z.string().min(1).optional(),
  }),
);

/**
 * Reads the Wise client credentials from Secrets Manager through Powertools' cache. Five
 * minutes keeps cold and warm invocations off Secrets Manager while a rotation still lands quickly.
 */
export class SecretsManagerCredentials implements WiseCredentialsProvider {
  constructor(
    private readonly secretArn: string,
    private readonly maxAgeSeconds = 300,
  ) {}

  async get(): Promise<WiseCredentials> {
    const raw = await getSecret(this.secretArn, { maxAge: this.maxAgeSeconds, transform: 'json' });
    const parsed = credentialsSchema.safeParse(raw);
    // The secret's content must never reach a log or an error: name the problem, not the value.
    if (!parsed.success) throw new Error('The Wise credentials secret is not in the expected JSON shape');
    return { ...parsed.data, clientKey: parsed.data.clientKey ?? parsed.data.clientId };
  }
}

/** Credentials given directly (the local stack and tests). */
export class StaticCredentials implements WiseCredentialsProvider {
  constructor(private readonly credentials: WiseCredentials) {}
  async get(): Promise<WiseCredentials> {
    return this.credentials;
  }
}
