import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { subscribe } from '../../../scripts/wise-subscribe';
import { SUBSCRIBED_EVENTS, subscriptionVersionOf } from '../../../shared/webhooks/subscriptions';
import { CLIENT_ID, CLIENT_SECRET, call, clientToken, simStateOf, start } from './helpers';

/** `npm run wise:subscribe` against the simulator: versions per event, and migration of old ones (item 4). */
describe('npm run wise:subscribe: schema versions', () => {
  let wise: WiseSandbox;
  beforeAll(async () => {
    wise = await start();
  });
  afterAll(() => wise.close());

  it('subscribes each event at the version Wise documents for it, and migrates one at an outdated version', async () => {
    // Prepare: a subscription made by an earlier release, kyc-reviews at 2.0.0
    const url = 'https://hooks.partner.example/v1/webhooks/wise';
    const cc = await clientToken(wise);
    const old = await call(wise, 'POST', `/v3/applications/${CLIENT_ID}/subscriptions`, cc, {
      name: 'wise-onboarding kyc-reviews#state-change',
      trigger_on: 'kyc-reviews#state-change',
      delivery: { version: '2.0.0', url },
    });
    const oldId = ((await old.json()) as { id: string }).id;
    const env = {
      WISE_ENVIRONMENT: 'local',
      WISE_API_BASE_URL: wise.url,
      WISE_CLIENT_ID: CLIENT_ID,
      WISE_CLIENT_SECRET: CLIENT_SECRET,
    };
    const lines: string[] = [];

    // Act
    const first = await subscribe(['--url', url], env, { print: (l) => lines.push(l) });
    const second = await subscribe(['--url', url], env, { print: (l) => lines.push(l) });

    // Assess
    expect(first.map((o) => [o.event, o.version])).toEqual([
      ['profiles#verification-state-change', '2.0.0'],
      ['kyc-reviews#state-change', '5.0.0'],
      ['users#state-change', '2.0.0'],
      ['profiles#cdd-check-state-change', '2.0.0'],
      ['transfers#state-change', '4.0.0'],
    ]);
    expect(first.find((o) => o.event === 'kyc-reviews#state-change')?.replaced).toEqual([
      { id: oldId, version: '2.0.0' },
    ]);
    expect(second.every((o) => !o.created && o.replaced.length === 0)).toBe(true);
    const ours = (await simStateOf(wise)).subscriptions.filter((s) => s.delivery.url === url);
    expect(ours.map((s) => [s.trigger_on, s.delivery.version]).sort()).toEqual(
      SUBSCRIBED_EVENTS.map((e) => [e, subscriptionVersionOf(e)]).sort(),
    );
    expect(ours.some((s) => s.id === oldId)).toBe(false);
    expect(lines).toContain('4 created, 1 migrated to a newer schema version, 0 already in place.');
    expect(lines).toContain('0 created, 5 already in place.');
  });
});
