import { randomUUID, sign, type KeyObject } from 'node:crypto';
import type { EventPublisher, Sim, WebhookRetryConfig } from './context';
import type { DeliveryRecord, Subscription } from './state';
import { isoAt, isoSecondsAt } from './clock';

/**
 * Delivers webhook events the way Wise does (API-NOTES §6.3–6.6): Wise's envelope, an RSA-SHA256
 * signature over the exact body bytes, a new X-Delivery-Id per attempt, retries with exponential
 * backoff on a non-2xx answer or no answer within the timeout, honouring Retry-After.
 *
 * Time is compressed: Wise's first retry comes after 1 minute, here after `baseDelayMs`.
 * Retry-After is compressed by the same ratio (baseDelayMs / 60 000).
 */
export class WebhookDispatcher implements EventPublisher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly sim: () => Sim,
    private readonly signingKey: KeyObject,
    private readonly retry: WebhookRetryConfig,
  ) {}

  publish(eventType: string, data: Record<string, unknown>, profileId?: number): Promise<void> {
    const sim = this.sim();
    const targets = sim.state.subscriptions.filter(
      (s) =>
        s.trigger_on === eventType &&
        (s.scope.domain === 'application' || (profileId !== undefined && s.scope.id === String(profileId))),
    );
    return Promise.all(targets.map((s) => this.deliver(s, eventType, data, false))).then(() => undefined);
  }

  /** Test notifications are queued like real events (and retried), but carry X-Test-Notification. */
  sendTest(subscription: Subscription, data: Record<string, unknown>): DeliveryRecord {
    const record = this.createRecord(subscription, subscription.trigger_on, data, true);
    void this.attempt(record, subscription.delivery.url);
    return record;
  }

  private deliver(
    subscription: Subscription,
    eventType: string,
    data: Record<string, unknown>,
    test: boolean,
  ): Promise<void> {
    const record = this.createRecord(subscription, eventType, data, test);
    return this.attempt(record, subscription.delivery.url);
  }

  private createRecord(
    subscription: Subscription,
    eventType: string,
    data: Record<string, unknown>,
    test: boolean,
  ): DeliveryRecord {
    const sim = this.sim();
    const now = sim.clock.now();
    const sentAt = subscription.delivery.version === '4.0.0' ? isoAt(now) : isoSecondsAt(now);
    const envelope = {
      data,
      subscription_id: subscription.id,
      event_type: eventType,
      schema_version: subscription.delivery.version,
      sent_at: sentAt,
    };
    const record: DeliveryRecord = {
      id: randomUUID(),
      subscriptionId: subscription.id,
      event_type: eventType,
      test,
      body: JSON.stringify(envelope),
      attempts: 0,
      attemptDeliveryIds: [],
      responseStatus: null,
      status: 'pending',
      createdAt: now,
      nextAttemptAt: null,
    };
    sim.state.deliveries.push(record);
    sim.changed();
    return record;
  }

  private async attempt(record: DeliveryRecord, url: string): Promise<void> {
    if (this.closed) return;
    const sim = this.sim();
    const deliveryId = randomUUID();
    record.attempts++;
    record.attemptDeliveryIds.push(deliveryId);
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
    const timer = setTimeout(() => controller.abort(), this.retry.timeoutMs);
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
      clearTimeout(timer);
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
    const delay = this.nextDelay(record.attempts, retryAfter);
    record.nextAttemptAt = sim.clock.now() + delay;
    sim.changed();
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      void this.attempt(record, url);
    }, delay);
    this.timers.add(handle);
  }

  private nextDelay(attempts: number, retryAfter: string | null): number {
    const backoff = this.retry.baseDelayMs * Math.pow(this.retry.factor, attempts - 1);
    if (retryAfter === null) return backoff;
    const compression = this.retry.baseDelayMs / 60_000;
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000 * compression);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.round((date - Date.now()) * compression));
    return backoff;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }
}
