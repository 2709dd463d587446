import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, SignJWT } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../../local/gateway/dev-issuer';
import { routes } from '../../../shared/routes';
import { startTestStack, type TestStack } from '../../support/stack';

const concretePath = (path: string, customerId: string) =>
  path.replace('{customerId}', customerId).replace('{profileId}', '1').replace('{reviewId}', 'r-1');

const partnerRoutes = routes.filter((r) => r.auth === 'token');

describe('local gateway: partner authentication and the customer guard', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ subscribe: false });
  });
  afterAll(async () => t.close());

  it('answers /local/health with 200', async () => {
    // Act
    const res = await t.call('GET', '/local/health');
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('refuses every partner route without a token with 401 problem+json', async () => {
    for (const route of partnerRoutes) {
      // Act
      const res = await t.call(route.method, concretePath(route.path, 'alice'), { as: null, body: {} });
      // Assess
      expect(res.status, route.id).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses forged tokens: another key, alg none, expired, wrong audience, wrong issuer', async () => {
    // Prepare
    const { privateKey } = await generateKeyPair('ES256');
    const sign = (claims: { aud?: string; iss?: string; exp?: number }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('alice')
        .setIssuer(claims.iss ?? DEV_ISSUER)
        .setAudience(claims.aud ?? DEV_AUDIENCE)
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(privateKey);
    const valid = await t.stack.token('alice');
    const [header, payload] = valid.split('.');
    const algNone = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const expired = await t.stack.issuer.issue({ customerId: 'alice' }, -10);
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'bob', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: 9999999999 })).toString('base64url')}.${valid.split('.')[2]}`;
    const forged = [
      await sign({}),
      algNone,
      expired,
      tampered,
      await sign({ aud: 'other' }),
      await sign({ iss: 'https://evil' }),
    ];
    for (const token of forged) {
      // Act
      const res = await t.call('GET', '/v1/customers/alice/wise-account', {
        as: null,
        headers: { authorization: `Bearer ${token}` },
      });
      // Assess
      expect(res.status).toBe(401);
    }
  });

  it("accepts customer A's token on A's customer routes and answers 403 FORBIDDEN on B's", async () => {
    const customerRoutes = partnerRoutes.filter((r) => (r.callers as readonly string[]).includes('customer'));
    expect(customerRoutes.length).toBeGreaterThan(0);
    for (const route of customerRoutes) {
      // Act
      const own = await t.call(route.method, concretePath(route.path, 'alice'), { as: 'alice', body: {} });
      const other = await t.call(route.method, concretePath(route.path, 'bob'), { as: 'alice', body: {} });
      // Assess
      expect([401, 403], route.id).not.toContain(own.status);
      expect(other.status, route.id).toBe(403);
      expect(other.body.code).toBe('FORBIDDEN');
    }
  });

  it("refuses customer A's token with 403 FORBIDDEN on the routes only a partner backend may call", async () => {
    const partnerOnly = partnerRoutes.filter((r) => !(r.callers as readonly string[]).includes('customer'));
    expect(partnerOnly.length).toBeGreaterThan(0);
    for (const route of partnerOnly) {
      // Act
      const own = await t.call(route.method, concretePath(route.path, 'alice'), { as: 'alice', body: {} });
      // Assess
      expect(own.status, route.id).toBe(403);
      expect(own.body.code, route.id).toBe('FORBIDDEN');
    }
  });

  it('lets the back office (admin scope) act on any customer', async () => {
    // Act
    const res = await t.call('GET', '/v1/customers/bob/wise-account', {
      as: { scope: 'wise-onboarding/admin' },
    });
    // Assess
    expect([401, 403]).not.toContain(res.status);
  });

  it('rejects a malformed customerId with 400 naming the field', async () => {
    // Act
    const res = await t.call('GET', `/v1/customers/${encodeURIComponent('../etc')}/wise-account`, {
      as: { scope: 'wise-onboarding/admin' },
    });
    // Assess
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors[0].path).toBe('customerId');
  });

  it('answers unknown paths 404 and wrong methods 405, as problem+json', async () => {
    // Act
    const missing = await t.call('GET', '/v1/nothing-here');
    const wrongMethod = await t.call('DELETE', '/v1/webhooks/wise');
    // Assess
    expect(missing.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it('issues dev tokens only for valid customer ids', async () => {
    // Act
    const bad = await t.call('POST', '/local/token', { body: { customerId: 'a/b' } });
    const good = await t.call('POST', '/local/token', { body: { customerId: 'carol' } });
    // Assess
    expect(bad.status).toBe(400);
    expect(good.status).toBe(200);
    expect(typeof good.body.token).toBe('string');
  });
});
