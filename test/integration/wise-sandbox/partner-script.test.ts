import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { start } from './helpers';

/**
 * Replays a partner's script in the order of Wise's Postman "bank flow" collection, using nothing
 * but fetch, a base URL and the client credentials — as a partner's old tooling would.
 */
describe('partner script (Wise Postman bank flow)', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('runs end to end against the simulator', async () => {
    // Prepare
    const host = wise.url;
    const clientId = 'local-partner';
    const basic = `Basic ${Buffer.from(`${clientId}:local-secret`).toString('base64')}`;
    const email = `joe.bloggs+${randomUUID()}@example.com`;
    const registrationCode = randomUUID();
    const steps: [string, number][] = [];
    const send = async (name: string, url: string, init: RequestInit): Promise<unknown> => {
      const res = await fetch(`${host}${url}`, init);
      steps.push([name, res.status]);
      const text = await res.text();
      return text ? (JSON.parse(text) as unknown) : undefined;
    };
    const form = (fields: Record<string, string>): RequestInit => ({
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const bearerJson = (token: string, method: string, body?: unknown): RequestInit => ({
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

    // Act
    const cc = (await send(
      '1. client credentials',
      '/oauth/token',
      form({ grant_type: 'client_credentials' }),
    )) as { access_token: string };
    const exists = (await send(
      '2. user exists',
      '/v1/users/exists',
      bearerJson(cc.access_token, 'POST', { email }),
    )) as { exists: boolean };
    const user = (await send(
      '3. sign up',
      '/v1/user/signup/registration_code',
      bearerJson(cc.access_token, 'POST', { email, registrationCode }),
    )) as { id: number };
    const tokens = (await send(
      '4. registration_code grant',
      '/oauth/token',
      form({
        grant_type: 'registration_code',
        client_id: clientId,
        email,
        registration_code: registrationCode,
      }),
    )) as {
      access_token: string;
      refresh_token: string;
    };
    const profile = (await send(
      '5. create personal profile (v1)',
      '/v1/profiles',
      bearerJson(tokens.access_token, 'POST', {
        type: 'personal',
        details: {
          firstName: 'Joe',
          lastName: 'Bloggs',
          dateOfBirth: '1990-01-01',
          phoneNumber: '+3725011991',
        },
      }),
    )) as { id: number };
    await send(
      '6. address',
      '/v1/addresses',
      bearerJson(tokens.access_token, 'POST', {
        profile: profile.id,
        details: { country: 'EE', firstLine: 'Narva mnt 5', postCode: '10117', city: 'Tallinn' },
      }),
    );
    await send(
      '7. open update window',
      `/v1/profiles/${profile.id}/update-window`,
      bearerJson(tokens.access_token, 'POST'),
    );
    const updated = (await send(
      '8. update profile',
      '/v1/profiles/',
      bearerJson(tokens.access_token, 'PUT', {
        id: profile.id,
        type: 'personal',
        details: {
          firstName: 'Joe',
          lastName: 'Blaggs',
          dateOfBirth: '1990-01-01',
          phoneNumber: '+3725011991',
        },
      }),
    )) as { details: { lastName: string } };
    await send(
      '9. close update window',
      `/v1/profiles/${profile.id}/update-window`,
      bearerJson(tokens.access_token, 'DELETE'),
    );
    const business = (await send(
      '10. business profile (v1)',
      '/v1/profiles',
      bearerJson(tokens.access_token, 'POST', {
        type: 'business',
        details: {
          name: 'Bloggs Ltd',
          registrationNumber: '12345678',
          companyType: 'LIMITED',
          companyRole: 'OWNER',
          descriptionOfBusiness: 'IT',
          webpage: 'https://bloggs.example',
        },
      }),
    )) as { id: number };
    const directors = (await send(
      '11. directors',
      `/v1/profiles/${business.id}/directors`,
      bearerJson(tokens.access_token, 'POST', [
        {
          firstName: 'Joe',
          lastName: 'Bloggs',
          dateOfBirth: '1990-01-01',
          countryOfResidenceIso3Code: 'est',
        },
      ]),
    )) as unknown[];
    const ubos = (await send(
      '12. ubos',
      `/v1/profiles/${business.id}/ubos`,
      bearerJson(tokens.access_token, 'POST', [
        {
          name: 'Joe Bloggs',
          dateOfBirth: '1990-01-01',
          countryOfResidenceIso3Code: 'est',
          addressFirstLine: 'Narva mnt 5',
          postCode: '10117',
          ownershipPercentage: 100,
        },
      ]),
    )) as unknown[];
    const sub = (await send(
      '13. create application subscription',
      `/v3/applications/${clientId}/subscriptions`,
      bearerJson(cc.access_token, 'POST', {
        name: 'Bank flow',
        trigger_on: 'transfers#state-change',
        delivery: { version: '2.0.0', url: 'https://bank.example/wise/webhooks' },
      }),
    )) as { id: string };
    const subs = (await send(
      '14. list subscriptions',
      `/v3/applications/${clientId}/subscriptions`,
      bearerJson(cc.access_token, 'GET'),
    )) as { id: string }[];
    await send(
      '15. delete subscription',
      `/v3/applications/${clientId}/subscriptions/${sub.id}`,
      bearerJson(cc.access_token, 'DELETE'),
    );
    const refreshed = (await send(
      '16. refresh token',
      '/oauth/token',
      form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    )) as { access_token: string };
    const me = (await send(
      '17. me with refreshed token',
      '/v1/me',
      bearerJson(refreshed.access_token, 'GET'),
    )) as { id: number };

    // Assess
    expect(steps).toEqual([
      ['1. client credentials', 200],
      ['2. user exists', 200],
      ['3. sign up', 200],
      ['4. registration_code grant', 200],
      ['5. create personal profile (v1)', 200],
      ['6. address', 200],
      ['7. open update window', 200],
      ['8. update profile', 200],
      ['9. close update window', 200],
      ['10. business profile (v1)', 200],
      ['11. directors', 200],
      ['12. ubos', 200],
      ['13. create application subscription', 200],
      ['14. list subscriptions', 200],
      ['15. delete subscription', 204],
      ['16. refresh token', 200],
      ['17. me with refreshed token', 200],
    ]);
    expect(exists.exists).toBe(false);
    expect(updated.details.lastName).toBe('Blaggs');
    expect(directors).toHaveLength(1);
    expect(ubos).toHaveLength(1);
    expect(subs.map((s) => s.id)).toContain(sub.id);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(me.id).toBe(user.id);
  });
});
