import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { Reconciler, type ReconcilerPorts } from '../../../functions/reconcile/reconciler';
import { TokenBucket } from '../../../functions/reconcile/token-bucket';
import { emitMetrics } from '../../../functions/reconcile/metrics';
import { RECONCILE_AFTER_MS } from '../../../shared/domain/reconciliation';
import { DomainError } from '../../../shared/errors/domain-error';
import type { WiseSubscription } from '../../../shared/ports/wise';
import { SUBSCRIBED_EVENTS, subscriptionVersionOf } from '../../../shared/webhooks/subscriptions';
import type { WiseEvent } from '../../../shared/webhooks/webhook-event';
import type { Application, StateProjection } from '../../../shared/webhooks/wise-state-projection';
import { FakeWiseAccess, ManualClock, wiseUnavailable } from '../../support/fakes';
import { InMemoryDueLists } from '../../support/fakes/in-memory-due-lists';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const WEBHOOK_URL = 'https://api.example/v1/webhooks/wise';
const allSubscriptions: WiseSubscription[] = SUBSCRIBED_EVENTS.map((e) => ({
  id: e,
  trigger_on: e,
  delivery: { url: WEBHOOK_URL, version: subscriptionVersionOf(e) },
}));

/** The projection's conditional writes as the reconciler sees them: APPLIED unless a newer state is kept. */
class RecordingProjection implements StateProjection {
  readonly applied: { event: WiseEvent; customerId: string }[] = [];
  constructor(private readonly outcome: Application['outcome'] = 'APPLIED') {}
  async ownerOf(): Promise<string | undefined> {
    return undefined;
  }
  async applyFor(event: WiseEvent, customerId: string): Promise<Application> {
    this.applied.push({ event, customerId });
    return this.outcome === 'UNMATCHED' ? { outcome: 'UNMATCHED' } : { outcome: this.outcome, customerId };
  }
}

const setup = (
  options: {
    outcome?: Application['outcome'];
    subscriptions?: WiseSubscription[];
    states?: Record<string, Record<string, unknown>>;
  } = {},
) => {
  const clock = new ManualClock(NOW);
  const dueItems = new InMemoryDueLists();
  for (const [key, state] of Object.entries(options.states ?? {})) dueItems.states.set(key, state);
  const wise = new FakeWiseAccess();
  const projection = new RecordingProjection(options.outcome);
  const bucket = new TokenBucket({ ratePerSecond: 1000, capacity: 10 });
  const ports: ReconcilerPorts = {
    dueLists: dueItems,
    projection,
    wiseAs: (cid, o) => {
      bucket.spend();
      return wise.wiseAs(cid, o);
    },
    listSubscriptions: async () => options.subscriptions ?? allSubscriptions,
    bucket,
    clock,
    logger: new Logger({ logLevel: 'SILENT' }),
  };
  return { clock, dueItems, wise, projection, reconciler: new Reconciler(ports), bucket };
};

const run = (r: Reconciler) => r.run({ webhookUrl: WEBHOOK_URL, deadline: Date.now() + 60_000 });

describe('Reconciler', () => {
  it('re-reads due profiles and applies what Wise says as a verification event at the read time', async () => {
    // Prepare
    const { dueItems, wise, projection, reconciler } = setup({
      states: { 'CUSTOMER#c-1/PROFILE#5': { verification: 'verified' } },
    });
    dueItems.add('VERIFICATION', 'CUSTOMER#c-1', 'PROFILE#5', NOW - 1);
    wise.on('verificationStatus', async () => ({
      routes: [{ source_currency: 'EUR', maximum_entitled_amount: 1, current_status: 'verified' }],
    }));

    // Act
    const report = await run(reconciler);

    // Assess
    expect(projection.applied).toEqual([
      {
        customerId: 'c-1',
        event: {
          type: 'profiles#verification-state-change',
          profileId: 5,
          verification: 'verified',
          occurredAt: NOW,
        },
      },
    ]);
    expect(report.verification).toEqual({ due: 1, applied: 1, unchanged: 0, skipped: 0, failed: 0 });
    expect(report.subscriptions).toEqual({ checked: true, missing: [] });
  });

  it('re-reads due KYC reviews, ordered by the review time Wise gives', async () => {
    // Prepare
    const { dueItems, wise, projection, reconciler } = setup();
    dueItems.add('KYC', 'CUSTOMER#c-1', 'KYC#5#rev-9', NOW - 1);
    wise.on('getKycReview', async () => ({
      id: 'rev-9',
      status: 'PASSED',
      updatedAt: '2026-03-02T11:00:00Z',
      requiredBy: null,
    }));

    // Act
    await run(reconciler);

    // Assess
    expect(projection.applied.map((a) => a.event)).toEqual([
      {
        type: 'kyc-reviews#state-change',
        reviewId: 'rev-9',
        profileId: 5,
        status: 'PASSED',
        requiredBy: null,
        occurredAt: Date.parse('2026-03-02T11:00:00Z'),
      },
    ]);
  });

  it('reads an item that stays unresolved again a day later, not at every run; leaves items not yet due alone', async () => {
    // Prepare
    const { dueItems, wise, reconciler } = setup({ outcome: 'STALE' });
    dueItems
      .add('VERIFICATION', 'CUSTOMER#c-1', 'PROFILE#5', NOW - 1)
      .add('VERIFICATION', 'CUSTOMER#c-2', 'PROFILE#6', NOW + 1);
    wise.on('verificationStatus', async () => ({
      routes: [{ source_currency: 'EUR', maximum_entitled_amount: 0, current_status: 'not_verified' }],
    }));

    // Act
    const report = await run(reconciler);

    // Assess
    expect(report.verification).toMatchObject({ due: 1, unchanged: 1 });
    expect(dueItems.dueAtOf('CUSTOMER#c-1', 'PROFILE#5')).toBe(NOW + RECONCILE_AFTER_MS);
    expect(wise.calls.map((c) => c.customerId)).toEqual(['c-1']);
  });

  it('skips a customer without a usable grant and counts a Wise outage as a failure to retry next run', async () => {
    // Prepare
    const { dueItems, wise, reconciler } = setup();
    dueItems
      .add('VERIFICATION', 'CUSTOMER#gone', 'PROFILE#5', NOW - 2)
      .add('VERIFICATION', 'CUSTOMER#down', 'PROFILE#6', NOW - 1);
    wise.failAs('gone', new DomainError('RELINK_REQUIRED')).failAs('down', wiseUnavailable());

    // Act
    const report = await run(reconciler);

    // Assess
    expect(report.verification).toEqual({ due: 2, applied: 0, unchanged: 0, skipped: 1, failed: 1 });
  });

  it('reports the application subscriptions missing or at another schema version', async () => {
    // Prepare
    const subscriptions = allSubscriptions
      .filter((s) => s.trigger_on !== 'users#state-change')
      .map((s) =>
        s.trigger_on === 'kyc-reviews#state-change'
          ? { ...s, delivery: { ...s.delivery, version: '1.0.0' } }
          : s,
      );
    const { reconciler } = setup({ subscriptions });

    // Act
    const report = await run(reconciler);

    // Assess
    expect(report.subscriptions.missing.map((m) => m.event).sort()).toEqual([
      'kyc-reviews#state-change',
      'users#state-change',
    ]);
  });

  it('stops taking work when its time is nearly out, and says the run is incomplete', async () => {
    // Prepare
    const { dueItems, reconciler } = setup();
    dueItems.add('VERIFICATION', 'CUSTOMER#c-1', 'PROFILE#5', NOW - 1);

    // Act
    const report = await reconciler.run({ webhookUrl: WEBHOOK_URL, deadline: Date.now() + 1000 });

    // Assess
    expect(report.incomplete).toBe(true);
    expect(report.verification.due).toBe(0);
  });
});

describe('emitMetrics', () => {
  it('writes one embedded-metric-format line with the service dimension', () => {
    // Prepare
    const lines: string[] = [];

    // Act
    emitMetrics(
      'wise-onboarding-reconcile',
      { SubscriptionsMissing: 2, ReconcileFailures: 0 },
      (l) => lines.push(l),
      1000,
    );

    // Assess
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        _aws: {
          Timestamp: 1000,
          CloudWatchMetrics: [
            {
              Namespace: 'WiseOnboarding',
              Dimensions: [['service']],
              Metrics: [
                { Name: 'SubscriptionsMissing', Unit: 'Count' },
                { Name: 'ReconcileFailures', Unit: 'Count' },
              ],
            },
          ],
        },
        service: 'wise-onboarding-reconcile',
        SubscriptionsMissing: 2,
        ReconcileFailures: 0,
      },
    ]);
  });
});
