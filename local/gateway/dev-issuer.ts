import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type CryptoKey,
} from 'jose';

export const DEV_ISSUER = 'http://localhost:3000/local';
export const DEV_AUDIENCE = 'wise-onboarding';

/**
 * The local stack's identity provider: it signs tokens for the quickstart page and tests, and
 * only the local gateway trusts it. In AWS the API Gateway JWT authorizer trusts the partner's
 * own issuer instead; nothing here is deployed.
 */
export class DevIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
  ) {}

  static async create(keyFile?: string): Promise<DevIssuer> {
    if (keyFile && existsSync(keyFile)) {
      const { privateJwk, publicJwk } = JSON.parse(readFileSync(keyFile, 'utf8'));
      return new DevIssuer(
        (await importJWK(privateJwk, 'ES256')) as CryptoKey,
        (await importJWK(publicJwk, 'ES256')) as CryptoKey,
      );
    }
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    if (keyFile) {
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(
        keyFile,
        JSON.stringify({ privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) }),
        { mode: 0o600 },
      );
    }
    return new DevIssuer(privateKey, publicKey);
  }

  /** A token acting as the customer (`sub`), or as the back office with `scope`. */
  async issue(claims: { customerId?: string; scope?: string }, ttlSeconds = 3600): Promise<string> {
    return new SignJWT({ ...(claims.scope ? { scope: claims.scope } : {}) })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(claims.customerId ?? 'partner-back-office')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
  }

  /** Verifies like API Gateway's JWT authorizer: signature, issuer, audience, expiry; ES256 only. */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: ['ES256'],
    });
    return payload;
  }
}
