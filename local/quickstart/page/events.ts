/// <reference lib="dom" />
import { badge, busy, callout, h, replace } from './dom';

/** One partner event as `GET /local/events` answers it (what AWS would put on the EventBridge bus). */
interface PartnerEventItem {
  id: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown> & { eventId: string; customerId: string; occurredAt: string };
}

const POLL_MS = 1500;
/** The panel keeps the latest events only; `GET /local/events` still has all of them. */
const SHOWN = 50;

/** The change an event announces, as one line: "LINK_PENDING → LINKED", "profile 123: NONE → GRANTED". */
const summaryOf = (e: PartnerEventItem): string => {
  const d = e.detail;
  switch (e['detail-type']) {
    case 'Wise Account Status Changed':
      return `${String(d.previousStatus)} → ${String(d.status)}`;
    case 'Wise Profile Verification Changed':
      return `profile ${String(d.profileId)}: ${String(d.previousVerification)} → ${String(d.verification)}`;
    case 'Wise KYC Review Status Changed':
      return `review ${String(d.reviewId)}: ${d.previousStatus === null ? 'new' : String(d.previousStatus)} → ${String(d.status)}`;
    case 'Wise Profile Access Changed':
      return `profile ${String(d.profileId)}: ${String(d.previousAccess)} → ${String(d.access)}`;
    default:
      return '';
  }
};

const shortType = (type: string) => type.replace(/^Wise /, '').replace(/ Changed$/, '');

/**
 * The partner events panel: the events the stack has published (the partner's EventBridge rules
 * would receive these), newest first and live, for the demo customer or for everyone, and the
 * "Reconcile now" button that runs the hourly reconciliation at once (`POST /local/reconcile`).
 *
 * @example mountEventsPanel(document.querySelector('main')!, { customerId: () => session.customerId });
 */
export const mountEventsPanel = (parent: Element, options: { customerId: () => string }): void => {
  const list = h('div', { class: 'call-list', id: 'partner-events', 'aria-live': 'polite' });
  const onlyThisCustomer = h('input', { type: 'checkbox', id: 'events-this-customer', checked: true });
  const reconcileButton = h(
    'button',
    { type: 'button', id: 'reconcile-now', class: 'btn btn-secondary' },
    'Reconcile now',
  );
  const reconcileResult = h('div', { id: 'reconcile-result', class: 'result', 'aria-live': 'polite' });
  parent.append(
    h(
      'section',
      { class: 'step', id: 'step-events', 'aria-labelledby': 'events-title' },
      h(
        'div',
        { class: 'card step-main' },
        h(
          'div',
          { class: 'step-head' },
          h('span', { class: 'step-no' }, '5'),
          h(
            'div',
            {},
            h('h2', { id: 'events-title' }, 'Partner events'),
            h(
              'p',
              { class: 'muted' },
              'Every change your backend would act on, as the stack publishes it to its EventBridge bus (here: ',
              h('code', {}, 'GET /local/events'),
              '). De-duplicate on eventId: delivery is at least once.',
            ),
          ),
        ),
        h(
          'label',
          { for: 'events-this-customer', class: 'muted' },
          onlyThisCustomer,
          ' Only the demo customer',
        ),
        h(
          'p',
          { class: 'muted' },
          'Reconciliation re-reads from Wise, hourly, what webhooks may have missed (verifications and KYC reviews unresolved after 24 h) and checks the webhook subscriptions.',
        ),
        h('div', { class: 'actions' }, reconcileButton),
        reconcileResult,
      ),
      h(
        'aside',
        { class: 'calls', 'aria-label': 'Partner events' },
        h('h3', {}, 'Events, newest first'),
        list,
      ),
    ),
  );

  const events: PartnerEventItem[] = [];
  const render = () => {
    const who = options.customerId();
    const shown = events
      .filter((e) => !onlyThisCustomer.checked || e.detail.customerId === who)
      .slice(-SHOWN)
      .reverse();
    if (shown.length === 0) {
      replace(
        list,
        h(
          'p',
          { class: 'calls-empty' },
          'Events appear here as the account changes (signup, linking, webhooks, KYC).',
        ),
      );
      return;
    }
    replace(
      list,
      ...shown.map((e) =>
        h(
          'div',
          { class: 'call', 'data-event-type': e['detail-type'] },
          h(
            'div',
            { class: 'call-head' },
            badge(shortType(e['detail-type']), 'info'),
            h('span', { class: 'call-path' }, summaryOf(e)),
          ),
          h(
            'div',
            { class: 'call-meta' },
            h('span', {}, e.detail.customerId),
            h('span', { class: 'muted' }, new Date(e.detail.occurredAt).toLocaleTimeString()),
            h('span', { class: 'muted', title: 'eventId' }, e.detail.eventId.slice(0, 12)),
          ),
        ),
      ),
    );
  };

  const poll = async () => {
    try {
      const after = events.at(-1)?.id;
      const res = await fetch(`/local/events${after ? `?after=${encodeURIComponent(after)}` : ''}`, {
        cache: 'no-store',
      });
      if (res.ok) {
        const page = ((await res.json()) as { items: PartnerEventItem[] }).items;
        events.push(...page);
        if (events.length > 1000) events.splice(0, events.length - 1000);
        if (page.length > 0) render();
      }
    } catch {
      // The stack restarting: the next poll tries again.
    }
    setTimeout(() => void poll(), POLL_MS);
  };

  onlyThisCustomer.addEventListener('change', render);
  reconcileButton.addEventListener('click', async () => {
    busy(reconcileButton, true, 'Reconciling…');
    replace(reconcileResult, callout('progress', 'Reading from Wise…'));
    try {
      const res = await fetch('/local/reconcile', { method: 'POST' });
      const report = (await res.json()) as {
        verification?: { due: number; applied: number };
        kyc?: { due: number; applied: number };
        subscriptions?: { checked: boolean; missing: { event: string }[] };
        detail?: string;
      };
      if (!res.ok) throw new Error(report.detail ?? `answered ${res.status}`);
      const missing = report.subscriptions?.missing ?? [];
      replace(
        reconcileResult,
        callout(
          missing.length > 0 ? 'warning' : 'success',
          'Reconciliation done',
          `Verifications: ${report.verification?.due ?? 0} read, ${report.verification?.applied ?? 0} changed. ` +
            `KYC reviews: ${report.kyc?.due ?? 0} read, ${report.kyc?.applied ?? 0} changed. ` +
            (missing.length > 0
              ? `Subscriptions missing: ${missing.map((m) => m.event).join(', ')}.`
              : 'Subscriptions: all there.'),
        ),
      );
    } catch (err) {
      replace(reconcileResult, callout('error', 'Reconciliation failed', (err as Error).message));
    } finally {
      busy(reconcileButton, false);
    }
  });

  /** A customer switch re-filters what is already there. */
  let shownFor = options.customerId();
  setInterval(() => {
    if (options.customerId() !== shownFor) {
      shownFor = options.customerId();
      render();
    }
  }, 500);

  render();
  void poll();
};
