import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from '../zod';
import { isDependencyOutage } from '../errors/dependency-outage';
import type { WiseCredentials, WiseCredentialsProvider } from '../ports/secrets';

// Built on first use: a container that never reads the secret (a GET served from the table) never builds it.
const credentialsSchema = z.lazy(() =>
  z.object({
    clientId: z.string().check(z.minLength(1)),
    clientSecret: z.string().check(z.minLength(1)),
    clientKey: z.optional(z.string().check(z.minLength(1))),
    mtlsCertificate: z.optional(z.string().check(z.minLength(1))),
    mtlsPrivateKey: z.optional(z.string().check(z.minLength(1))),
  }),
);

/**
 * Reads the Wise client credentials from Secrets Manager through Powertools' cache. Five
 * minutes keeps cold and warm invocations off Secrets Manager while a rotation still lands quickly.
 * When Secrets Manager throttles or fails once the cache has aged, the credentials last read keep
 * working (a rotation lands on the next successful read); a container that never read them has
 * nothing to fall back on, and the request answers 503 SERVICE_UNAVAILABLE.
 */
export class SecretsManagerCredentials implements WiseCredentialsProvider {
  private lastRead?: WiseCredentials;

  constructor(
    private readonly secretArn: string,
    private readonly maxAgeSeconds = 300,
  ) {}

  async get(): Promise<WiseCredentials> {
    let raw: unknown;
    try {
      raw = await getSecret(this.secretArn, { maxAge: this.maxAgeSeconds, transform: 'json' });
    } catch (err) {
      if (this.lastRead && isDependencyOutage(err)) return this.lastRead;
      throw err;
    }
    const parsed = z.safeParse(credentialsSchema, raw);
    // The secret's content must never reach a log or an error: name the problem, not the value.
    if (!parsed.success) throw new Error('The Wise credentials secret is not in the expected JSON shape');
    this.lastRead = { ...parsed.data, clientKey: parsed.data.clientKey ?? parsed.data.clientId };
    return this.lastRead;
  }
}

/** Credentials given directly (the local stack and tests). */
export class StaticCredentials implements WiseCredentialsProvider {
  constructor(private readonly credentials: WiseCredentials) {}
  async get(): Promise<WiseCredentials> {
    return this.credentials;
  }
}
