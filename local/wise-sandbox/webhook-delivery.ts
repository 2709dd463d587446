import { randomUUID, sign, type KeyObject } from 'node:crypto';
import type { EventData, EventPublisher, Sim, WebhookRetryConfig } from './context';
import type { DeliveryRecord, Subscription } from './state';
import { isoAt, isoSecondsAt } from './clock';

/** Schema versions whose timestamps carry milliseconds (Wise: "4.0.0 and later"). */
const MILLISECOND_VERSIONS = new Set(['4.0.0', '5.0.0']);

/**
 * Delivers webhook events the way Wise does (API-NOTES §6.3–6.6): Wise's envelope, an RSA-SHA256
 * signature over the exact body bytes, a new X-Delivery-Id per attempt, retries with Wise's
 * backoff on a non-2xx answer or no answer within the timeout, honouring Retry-After.
 *
 * Time is the simulator's clock: a retry is scheduled at its `nextAttemptAt` and a delivery's
 * timeout at attempt start + `timeoutMs`, both on the SimClock, so a test moves the clock to make
 * them happen and reads the recorded instants instead of measuring gaps.
 */
export class WebhookDispatcher implements EventPublisher {
  private readonly cancels = new Set<() => void>();
  private readonly inFlight = new Set<AbortController>();
  /** Attempts under way, each with the sequence number it started with. */
  private readonly running = new Map<Promise<void>, number>();
  private started = 0;
  private closed = false;

  constructor(
    private readonly sim: () => Sim,
    private readonly signingKey: KeyObject,
    private readonly retry: WebhookRetryConfig,
  ) {}

  publish(eventType: string, data: EventData, profileId?: number): Promise<void> {
    const sim = this.sim();
    const targets = sim.state.subscriptions.filter(
      (s) =>
        s.trigger_on === eventType &&
        (s.scope.domain === 'application' || (profileId !== undefined && s.scope.id === String(profileId))),
    );
    const attempts: Promise<void>[] = [];
    for (const s of targets) {
      // The data depends on the subscription's schema version; undefined: this version has no event for it.
      const body = typeof data === 'function' ? data(s.delivery.version) : data;
      if (!body) continue;
      attempts.push(this.track(this.attempt(this.createRecord(s, eventType, body, false), s.delivery.url)));
    }
    return Promise.all(attempts).then(() => undefined);
  }

  /** Test notifications are queued like real events (and retried), but carry X-Test-Notification. */
  sendTest(subscription: Subscription, data: Record<string, unknown>): DeliveryRecord {
    const record = this.createRecord(subscription, subscription.trigger_on, data, true);
    void this.track(this.attempt(record, subscription.delivery.url));
    return record;
  }

  /** Resolves once no delivery attempt is under way (attempts a settling one starts included). */
  settled(): Promise<void> {
    return this.settledAfter(-1);
  }

  /** The current position: attempts started after it are the ones {@link settledAfter} waits for. */
  mark(): number {
    return this.started;
  }

  /**
   * Resolves once every attempt started after `mark` has settled. Attempts already under way are
   * not waited for: one may hang until the clock reaches its timeout.
   */
  async settledAfter(mark: number): Promise<void> {
    for (;;) {
      const later = [...this.running].filter(([, seq]) => seq > mark).map(([p]) => p);
      if (later.length === 0) return;
      await Promise.allSettled(later);
    }
  }

  /**
   * After a restart: a delivery still pending is retried at its recorded `nextAttemptAt` (at once
   * when it was mid-attempt), as long as its subscription still exists.
   */
  resume(record: DeliveryRecord): void {
    const sub = this.sim().state.subscriptions.find((s) => s.id === record.subscriptionId);
    if (!sub) {
      record.status = 'failed';
      record.nextAttemptAt = null;
      return;
    }
    this.scheduleAttempt(record, sub.delivery.url, record.nextAttemptAt ?? this.sim().clock.now());
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.set(p, ++this.started);
    return p.finally(() => this.running.delete(p));
  }

  private createRecord(
    subscription: Subscription,
    eventType: string,
    data: Record<string, unknown>,
    test: boolean,
  ): DeliveryRecord {
    const sim = this.sim();
    const now = sim.clock.now();
    const envelope = {
      data,
      subscription_id: subscription.id,
      event_type: eventType,
      schema_version: subscription.delivery.version,
      sent_at: MILLISECOND_VERSIONS.has(subscription.delivery.version) ? isoAt(now) : isoSecondsAt(now),
    };
    const record: DeliveryRecord = {
      id: randomUUID(),
      subscriptionId: subscription.id,
      event_type: eventType,
      test,
      body: JSON.stringify(envelope),
      attempts: 0,
      attemptDeliveryIds: [],
      attemptedAt: [],
      responseStatus: null,
      status: 'pending',
      createdAt: now,
      nextAttemptAt: null,
    };
    sim.state.deliveries.push(record);
    sim.changed();
    return record;
  }

  private scheduleAttempt(record: DeliveryRecord, url: string, at: number): void {
    const cancel = this.sim().clock.schedule(at, () => {
      this.cancels.delete(cancel);
      void this.track(this.attempt(record, url));
    });
    this.cancels.add(cancel);
  }

  private async attempt(record: DeliveryRecord, url: string): Promise<void> {
    if (this.closed) return;
    const sim = this.sim();
    const deliveryId = randomUUID();
    const startedAt = sim.clock.now();
    record.attempts++;
    record.attemptDeliveryIds.push(deliveryId);
    (record.attemptedAt ??= []).push(startedAt);
    record.nextAttemptAt = null;
    const body = Buffer.from(record.body, 'utf8');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-signature-sha256': sign('RSA-SHA256', body, this.signingKey).toString('base64'),
      'x-delivery-id': deliveryId,
      'user-agent': 'wise-sandbox-simulator',
    };
    if (record.test) headers['x-test-notification'] = 'true';

    const controller = new AbortController();
    this.inFlight.add(controller);
    // Wise gives a receiver 5 s; the deadline is on the simulator's clock like everything else.
    const cancelTimeout = sim.clock.schedule(startedAt + this.retry.timeoutMs, () => controller.abort());
    let status: number | null;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      await response.body?.cancel().catch(() => undefined);
    } catch {
      status = null; // no answer in time, refused connection, reset: all count as a failed attempt
    } finally {
      cancelTimeout();
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    record.responseStatus = status;
    sim.log(`webhook ${record.event_type} → ${url} attempt ${record.attempts}: ${status ?? 'no answer'}`);
    if (status !== null && status >= 200 && status < 300) {
      record.status = 'delivered';
      sim.changed();
      return;
    }
    // Statuses that "almost always fail on retry" (400) get at most 3 attempts (Wise 2026 docs).
    const cap = status === 400 ? Math.min(3, this.retry.maxAttempts) : this.retry.maxAttempts;
    if (record.attempts >= cap) {
      record.status = 'failed';
      sim.changed();
      return;
    }
    const now = sim.clock.now();
    record.nextAttemptAt = now + this.nextDelay(record.attempts, retryAfter, now);
    sim.changed();
    this.scheduleAttempt(record, url, record.nextAttemptAt);
  }

  /**
   * Wise's policy: retry n (n = failed attempts so far) after base·factor^(n-1), capped at 24 h,
   * for `backoffRetries` retries; then once a day. Retry-After (delay-seconds or an HTTP date,
   * a past date meaning now) replaces the backoff.
   */
  private nextDelay(failedAttempts: number, retryAfter: string | null, now: number): number {
    const { baseDelayMs, factor, backoffRetries, maxDelayMs } = this.retry;
    const backoff =
      failedAttempts <= backoffRetries
        ? Math.min(maxDelayMs, baseDelayMs * Math.pow(factor, failedAttempts - 1))
        : maxDelayMs;
    if (retryAfter === null || retryAfter.trim() === '') return backoff;
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
    return backoff;
  }

  /** Drops every scheduled retry (the state they belong to is being reset); attempts under way finish. */
  forget(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }

  close(): void {
    this.closed = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }
}
