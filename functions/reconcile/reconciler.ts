import type { Logger } from '@aws-lambda-powertools/logger';
import {
  RECONCILE_AFTER_MS,
  isUnresolved,
  verificationFromRoutes,
  type DueList,
} from '../../shared/domain/reconciliation';
import { DomainError } from '../../shared/errors/domain-error';
import type { Clock } from '../../shared/ports/clock';
import type { WiseAs, WiseSubscription } from '../../shared/ports/wise';
import { CallBudget } from '../../shared/webhooks/call-budget';
import { instantOf, type WiseEvent } from '../../shared/webhooks/webhook-event';
import type { Application, StateProjection } from '../../shared/webhooks/wise-state-projection';
import { WiseApiError } from '../../shared/wise/errors';
import type { DueItem, DueLists } from '../../shared/ports/reconciliation';
import { missingSubscriptions, type SubscriptionFinding } from './subscription-check';
import type { TokenBucket } from './token-bucket';

/** Currencies asked about in Wise's verification check (a profile is verified when every route is). */
export const VERIFICATION_CURRENCIES = ['EUR', 'GBP', 'USD'];

export interface ListReport {
  due: number;
  /** The store now shows what Wise said (source `reconcile`). */
  applied: number;
  /** Wise said what the store already knew (or something older). */
  unchanged: number;
  /** No usable grant (relink required, disconnected) or the customer is gone: nothing to read with. */
  skipped: number;
  /** Wise or the store failed: tried again at the next run. */
  failed: number;
}

export interface ReconcileReport {
  startedAt: string;
  verification: ListReport;
  kyc: ListReport;
  subscriptions: { checked: boolean; missing: SubscriptionFinding[]; error?: string };
  /** Wise calls made (each HTTP attempt). */
  wiseCalls: number;
  /** The run stopped taking work before its time ran out; the rest is due at the next run. */
  incomplete: boolean;
}

export interface ReconcilerPorts {
  dueLists: Pick<DueLists, 'due' | 'postpone' | 'stateOf'>;
  projection: StateProjection;
  wiseAs: WiseAs;
  /** Application subscriptions at Wise (client-credentials token and client key handled). */
  listSubscriptions(options: { deadline: number }): Promise<WiseSubscription[]>;
  bucket: TokenBucket;
  clock: Clock;
  logger: Logger;
}

export interface ReconcileOptions {
  /** The webhook URL the subscriptions must point at. */
  webhookUrl: string;
  /** Real-time epoch ms by which the run stops taking work. */
  deadline: number;
  /** Items read per list and run at most. */
  maxItemsPerList?: number;
}

const emptyList = (): ListReport => ({ due: 0, applied: 0, unchanged: 0, skipped: 0, failed: 0 });

/** What each Wise call may take at most (the transport retries inside it). */
const CALL_MS = 10_000;

type Outcome = 'applied' | 'unchanged' | 'skipped';

/**
 * Reconciliation (issue 17, item 6): re-reads from Wise, at the token bucket's rate, the states the
 * stream may have missed (a deleted subscription, an outage longer than Wise's retries): profiles
 * still `unknown`/`not_verified` and KYC reviews not final, 24 h after they were first seen so.
 * What Wise says is applied by the webhook projection's own conditional writes (newer state only),
 * so a reconciliation never undoes a later webhook; the partner events follow from the stream as
 * for any change. Then it checks the application subscriptions exist at the expected versions.
 */
export class Reconciler {
  constructor(private readonly ports: ReconcilerPorts) {}

  async run(options: ReconcileOptions): Promise<ReconcileReport> {
    const { clock, logger, bucket } = this.ports;
    const spentBefore = bucket.spent;
    const report: ReconcileReport = {
      startedAt: new Date(clock.now()).toISOString(),
      verification: emptyList(),
      kyc: emptyList(),
      subscriptions: { checked: false, missing: [] },
      wiseCalls: 0,
      incomplete: false,
    };
    const max = options.maxItemsPerList ?? 2000;
    for (const list of ['VERIFICATION', 'KYC'] as const) {
      const counts = list === 'VERIFICATION' ? report.verification : report.kyc;
      for await (const item of this.ports.dueLists.due(list, clock.now(), max)) {
        await bucket.ready();
        if (Date.now() + CALL_MS > options.deadline) {
          report.incomplete = true;
          break;
        }
        counts.due++;
        try {
          const outcome = await this.reconcile(list, item, options.deadline);
          counts[outcome]++;
          // Still unresolved (or not readable now): read again in a day, not at every run.
          const state = await this.ports.dueLists.stateOf(item);
          if (state && isUnresolved(list, state))
            await this.ports.dueLists.postpone(item, clock.now() + RECONCILE_AFTER_MS);
        } catch (err) {
          counts.failed++;
          logger.warn('reconciliation of an item failed', {
            list,
            pk: item.pk,
            sk: item.sk,
            errorName: (err as Error).name,
            errorMessage: (err as Error).message,
          });
        }
      }
    }
    try {
      const subscriptions = await this.ports.listSubscriptions({
        deadline: Math.min(options.deadline, Date.now() + CALL_MS),
      });
      report.subscriptions = {
        checked: true,
        missing: missingSubscriptions(subscriptions, options.webhookUrl),
      };
      if (report.subscriptions.missing.length > 0)
        logger.error('application subscriptions missing', { missing: report.subscriptions.missing });
    } catch (err) {
      report.subscriptions = { checked: false, missing: [], error: (err as Error).name };
      logger.warn('application subscriptions could not be listed', { errorName: (err as Error).name });
    }
    report.wiseCalls = bucket.spent - spentBefore;
    logger.info('reconciliation run', {
      ...report,
      subscriptions: { checked: report.subscriptions.checked, missing: report.subscriptions.missing.length },
    });
    return report;
  }

  private async reconcile(list: DueList, item: DueItem, deadline: number): Promise<Outcome> {
    const customerId = item.pk.slice('CUSTOMER#'.length);
    const callDeadline = Math.min(deadline, Date.now() + CALL_MS);
    const readAt = this.ports.clock.now();
    let event: WiseEvent;
    try {
      if (list === 'VERIFICATION') {
        const profileId = Number(item.sk.slice('PROFILE#'.length));
        const wise = this.ports.wiseAs(customerId, { deadline: callDeadline, profileId });
        const status = await wise.verificationStatus(profileId, VERIFICATION_CURRENCIES);
        // The state held when the read started, at the latest: a later webhook still wins.
        event = {
          type: 'profiles#verification-state-change',
          profileId,
          verification: verificationFromRoutes(status.routes),
          occurredAt: readAt,
        };
      } else {
        const m = /^KYC#(\d+)#(.+)$/.exec(item.sk);
        if (!m) return 'skipped';
        const profileId = Number(m[1]);
        const wise = this.ports.wiseAs(customerId, { deadline: callDeadline, profileId });
        const review = await wise.getKycReview(profileId, m[2]!);
        event = {
          type: 'kyc-reviews#state-change',
          reviewId: review.id,
          profileId,
          status: review.status,
          requiredBy: review.requiredBy ?? null,
          occurredAt: (review.updatedAt ? instantOf(review.updatedAt) : undefined) ?? readAt,
        };
      }
    } catch (err) {
      // Nothing to read with (no usable grant), or Wise no longer knows it: nothing to repair now.
      if (err instanceof DomainError && (err.code === 'ACCOUNT_NOT_READY' || err.code === 'RELINK_REQUIRED'))
        return 'skipped';
      if (err instanceof WiseApiError && (err.status === 401 || err.status === 403 || err.status === 404))
        return 'skipped';
      throw err;
    }
    const applied: Application = await this.ports.projection.applyFor(
      event,
      customerId,
      CallBudget.within(Math.max(0, deadline - Date.now())),
    );
    if (applied.outcome === 'APPLIED') {
      this.ports.logger.info('reconciled', {
        source: 'reconcile',
        type: event.type,
        customerId,
        profileId: event.profileId,
      });
      return 'applied';
    }
    return applied.outcome === 'UNMATCHED' ? 'skipped' : 'unchanged';
  }
}
