/// <reference lib="dom" />
import { Api, type ApiResult, type CallRecord } from './api';
import { badge, busy, callout, h, replace } from './dom';
import { maskSecret } from './mask';
import { listedAccountStatuses } from '../../../shared/domain/account';
import { ADMIN_SCOPE, WISE_ACCESS_SCOPE } from '../../../shared/routes';

interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: { kind: string; subject?: string };
  details?: Record<string, string | number | boolean>;
}

/** Dev tokens by scope, memory only (never stored, never in a URL), as a partner service holds its own. */
const tokens = new Map<string, string>();
const tokenFor = async (scope: string, subject: string): Promise<string> => {
  const held = tokens.get(scope);
  if (held) return held;
  const res = await fetch('/local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: subject, scope }),
  });
  const body = (await res.json()) as { token?: string; detail?: string };
  if (!res.ok || !body.token) throw new Error(body.detail ?? `The local token route answered ${res.status}.`);
  tokens.set(scope, body.token);
  return body.token;
};

const problemOf = (res: ApiResult): string => {
  if (res.status === 0) return 'The local gateway did not answer. Is `npm start` still running?';
  const body = (res.body ?? {}) as { detail?: string; title?: string };
  return `${body.detail ?? body.title ?? `HTTP ${res.status}`}${res.code ? ` (${res.code})` : ''}`;
};

const section = (id: string, title: string, text: string, ...children: (Node | null)[]) =>
  h(
    'div',
    { class: 'card step-main', id },
    h('h3', {}, title),
    h('p', { class: 'muted' }, text),
    ...children,
  );

/**
 * Step 6, the partner's side of the product: "your payment service" fetching a Wise access token
 * (route 20, scope `wise-onboarding/wise-access`) and using it once against Wise (a quote, then a
 * QUOTE KYC review for it, route 12); the demo customer's audit trail (route 21); and the back
 * office's list of customers by status (route 22) and erasure (route 23, two clicks). Every call shows
 * in this step's own log.
 *
 * @example mountBackOfficePanel(document.querySelector('main')!, { customerId: () => session.customerId });
 */
export const mountBackOfficePanel = (parent: Element, options: { customerId: () => string }): void => {
  const calls: CallRecord[] = [];
  const log = h('div', { class: 'call-list', id: 'back-office-calls', 'aria-live': 'polite' });
  const renderLog = () =>
    replace(
      log,
      ...(calls.length === 0
        ? [h('p', { class: 'calls-empty' }, 'Routes 20, 21, 22 and 23 appear here.')]
        : [...calls]
            .reverse()
            .map((c) =>
              h(
                'div',
                { class: `call${c.localOnly ? ' call-local' : ''}`, 'data-status': c.status ?? 0 },
                h(
                  'div',
                  { class: 'call-head' },
                  h('span', { class: `method method-${c.method.toLowerCase()}` }, c.method),
                  h('span', { class: 'call-path' }, c.path),
                  badge(String(c.status ?? 'network error'), (c.status ?? 500) < 300 ? 'success' : 'warning'),
                ),
                h(
                  'div',
                  { class: 'call-meta' },
                  h('span', {}, c.label),
                  c.responseBody !== undefined
                    ? h('code', {}, JSON.stringify(c.responseBody).slice(0, 160))
                    : null,
                ),
              ),
            )),
    );
  const api = new Api((call) => {
    calls.push(call);
    if (calls.length > 30) calls.shift();
    renderLog();
  });
  const as = async (scope: string, subject: string) => tokenFor(scope, subject);
  const customerPath = (suffix = '') => `/v1/customers/${encodeURIComponent(options.customerId())}${suffix}`;

  // ---- your payment service -------------------------------------------------------------------
  const tokenButton = h(
    'button',
    { type: 'button', id: 'get-access-token', class: 'btn btn-primary' },
    'Get a Wise access token',
  );
  const quoteButton = h(
    'button',
    { type: 'button', id: 'create-quote', class: 'btn btn-secondary', disabled: true },
    'Create a quote and its KYC review',
  );
  const paymentResult = h('div', { id: 'payment-result', class: 'result', 'aria-live': 'polite' });
  let issued: { accessToken: string; expiresAt: string; profileId: number } | undefined;

  tokenButton.addEventListener('click', async () => {
    busy(tokenButton, true, 'Asking…');
    try {
      const account = await api.call<{ profiles?: { id: number; type: string }[] }>({
        step: 'status',
        label: 'Route 2 · which profiles the customer has',
        method: 'GET',
        path: customerPath('/wise-account'),
        token: await as(ADMIN_SCOPE, 'partner-back-office'),
      });
      const profileId = account.body?.profiles?.[0]?.id;
      if (!account.ok || profileId === undefined) {
        replace(
          paymentResult,
          callout('warning', 'No Wise profile yet', 'Open or link a Wise account first (steps 1 and 2).'),
        );
        return;
      }
      const res = await api.call<{ accessToken: string; expiresAt: string; profileId: number }>({
        step: 'status',
        label: 'Route 20 · a Wise access token for the payment service',
        method: 'POST',
        path: customerPath(`/wise-account/profiles/${profileId}/access-token`),
        token: await as(WISE_ACCESS_SCOPE, 'payment-service'),
      });
      if (!res.ok) {
        issued = undefined;
        quoteButton.disabled = true;
        replace(paymentResult, callout('error', 'No access token', problemOf(res)));
        return;
      }
      issued = res.body;
      quoteButton.disabled = false;
      replace(
        paymentResult,
        callout(
          'success',
          'Your payment service holds a Wise access token',
          h(
            'span',
            { id: 'access-token-issued' },
            'Token ',
            h('code', {}, maskSecret(res.body.accessToken)),
            ` for profile ${res.body.profileId}, valid until ${new Date(res.body.expiresAt).toLocaleTimeString()}. Never the refresh token; each one is on the audit trail.`,
          ),
        ),
      );
    } catch (err) {
      replace(paymentResult, callout('error', 'No access token', (err as Error).message));
    } finally {
      busy(tokenButton, false);
    }
  });

  quoteButton.addEventListener('click', async () => {
    if (!issued) return;
    busy(quoteButton, true, 'Quoting…');
    try {
      // The payment service calls Wise itself with the token (here through a local stand-in for that service).
      const quote = await api.call<{ id: string; sourceAmount: number; targetAmount: number }>({
        step: 'status',
        label: "Your payment service · POST /v3/profiles/{id}/quotes at Wise, with route 20's token",
        localOnly: true,
        method: 'POST',
        path: '/local/demo/payment-service/quote',
        body: {
          profileId: issued.profileId,
          accessToken: issued.accessToken,
          sourceCurrency: 'GBP',
          targetCurrency: 'EUR',
          sourceAmount: 100,
        },
      });
      if (!quote.ok) {
        replace(paymentResult, callout('error', 'Wise refused the quote', problemOf(quote)));
        return;
      }
      const review = await api.call<{ id: string; status: string; link: { url: string } | null }>({
        step: 'kyc',
        label: 'Route 12 · a QUOTE KYC review for that quote',
        method: 'POST',
        path: customerPath(`/wise-account/profiles/${issued.profileId}/kyc-reviews`),
        token: await as(ADMIN_SCOPE, 'partner-back-office'),
        body: { trigger: { type: 'QUOTE', id: quote.body.id }, redirectUrl: `${location.origin}/` },
      });
      replace(
        paymentResult,
        review.ok
          ? callout(
              'success',
              'Quote created, KYC review started',
              h(
                'span',
                { id: 'quote-review' },
                `Quote ${quote.body.id}: 100 GBP → ${quote.body.targetAmount} EUR. KYC review ${review.body.id} is ${review.body.status}.`,
              ),
            )
          : callout('error', 'No KYC review for the quote', problemOf(review)),
      );
    } catch (err) {
      replace(paymentResult, callout('error', 'The quote failed', (err as Error).message));
    } finally {
      busy(quoteButton, false);
    }
  });

  // ---- audit trail ----------------------------------------------------------------------------
  const auditButton = h(
    'button',
    { type: 'button', id: 'load-audit', class: 'btn btn-secondary' },
    "Show the customer's audit trail",
  );
  const auditList = h('ol', { id: 'audit-events', class: 'muted', 'aria-live': 'polite' });
  auditButton.addEventListener('click', async () => {
    busy(auditButton, true, 'Reading…');
    try {
      const res = await api.call<{ items: AuditEvent[] }>({
        step: 'status',
        label: 'Route 21 · the audit trail, newest first',
        method: 'GET',
        path: customerPath('/audit-events?limit=50'),
        token: await as(ADMIN_SCOPE, 'partner-back-office'),
      });
      if (!res.ok) {
        replace(auditList, h('li', {}, problemOf(res)));
        return;
      }
      replace(
        auditList,
        ...(res.body.items.length === 0
          ? [h('li', {}, 'Nothing yet for this customer.')]
          : res.body.items.map((e) =>
              h(
                'li',
                { 'data-action': e.action },
                h('code', {}, e.action),
                ` by ${e.actor.kind}${e.actor.subject ? ` (${e.actor.subject})` : ''} at ${new Date(e.at).toLocaleTimeString()}`,
                e.details ? h('span', { class: 'muted' }, ` ${JSON.stringify(e.details)}`) : null,
              ),
            )),
      );
    } catch (err) {
      replace(auditList, h('li', {}, (err as Error).message));
    } finally {
      busy(auditButton, false);
    }
  });

  // ---- customers by status --------------------------------------------------------------------
  const statusSelect = h(
    'select',
    { id: 'status-filter' },
    // Every status route 22 lists; ACTIVE chosen first.
    ...listedAccountStatuses.map((s) => h('option', { value: s, selected: s === 'ACTIVE' }, s)),
  );
  const listButton = h(
    'button',
    { type: 'button', id: 'list-customers', class: 'btn btn-secondary' },
    'List customers',
  );
  const moreButton = h(
    'button',
    { type: 'button', id: 'more-customers', class: 'btn btn-link', hidden: true },
    'Next page',
  );
  const customerList = h('ul', { id: 'customer-list', class: 'muted', 'aria-live': 'polite' });
  let nextCursor: string | undefined;
  const listCustomers = async (more: boolean) => {
    const button = more ? moreButton : listButton;
    busy(button, true, 'Listing…');
    try {
      const query = new URLSearchParams({
        status: statusSelect.value,
        limit: '10',
        ...(more && nextCursor ? { cursor: nextCursor } : {}),
      });
      const res = await api.call<{
        items: { customerId: string; status: string; updatedAt: string }[];
        nextCursor?: string;
      }>({
        step: 'status',
        label: 'Route 22 · customers by status, newest change first',
        method: 'GET',
        path: `/v1/customers?${query}`,
        token: await as(ADMIN_SCOPE, 'partner-back-office'),
      });
      if (!more) replace(customerList);
      if (!res.ok) {
        replace(customerList, h('li', {}, problemOf(res)));
        return;
      }
      customerList.append(
        ...res.body.items.map((c) =>
          h(
            'li',
            { 'data-customer': c.customerId },
            h('code', {}, c.customerId),
            ` since ${new Date(c.updatedAt).toLocaleString()}`,
          ),
        ),
      );
      if (customerList.childElementCount === 0)
        customerList.append(h('li', {}, `No customer is ${statusSelect.value}.`));
      nextCursor = res.body.nextCursor;
      moreButton.hidden = nextCursor === undefined;
    } catch (err) {
      replace(customerList, h('li', {}, (err as Error).message));
    } finally {
      busy(button, false);
    }
  };
  listButton.addEventListener('click', () => void listCustomers(false));
  moreButton.addEventListener('click', () => void listCustomers(true));

  // ---- erasure --------------------------------------------------------------------------------
  // Two clicks: erasure cannot be undone, so the first one only arms the second.
  const eraseButton = h(
    'button',
    { type: 'button', id: 'erase-customer', class: 'btn btn-secondary' },
    'Erase this customer…',
  );
  const eraseConfirm = h(
    'button',
    { type: 'button', id: 'erase-confirm', class: 'btn btn-primary', hidden: true },
    'Yes, erase everything of this customer',
  );
  const eraseResult = h('div', { id: 'erase-result', class: 'result', 'aria-live': 'polite' });
  eraseButton.addEventListener('click', () => {
    eraseConfirm.hidden = false;
    replace(
      eraseResult,
      h(
        'p',
        { class: 'muted' },
        `Erasing ${options.customerId()} deletes every item the product keeps of them.`,
      ),
    );
  });
  eraseConfirm.addEventListener('click', async () => {
    busy(eraseConfirm, true, 'Erasing…');
    try {
      const token = await as(ADMIN_SCOPE, 'partner-back-office');
      const erased = await api.call({
        step: 'status',
        label: 'Route 23 · erase the customer',
        method: 'DELETE',
        path: customerPath(),
        token,
      });
      if (!erased.ok) {
        replace(eraseResult, h('p', {}, problemOf(erased)));
        return;
      }
      const after = await api.call({
        step: 'status',
        label: 'Route 2 · the erased customer',
        method: 'GET',
        path: customerPath('/wise-account'),
        token,
      });
      replace(
        eraseResult,
        h(
          'p',
          { id: 'erased' },
          `Erased (${erased.status}). Route 2 now answers ${after.status}; the audit trail keeps one customer.erased event with no personal data.`,
        ),
      );
      eraseConfirm.hidden = true;
    } catch (err) {
      replace(eraseResult, h('p', {}, (err as Error).message));
    } finally {
      busy(eraseConfirm, false);
    }
  });

  parent.append(
    h(
      'section',
      { class: 'step', id: 'step-back-office', 'aria-labelledby': 'back-office-title' },
      h(
        'div',
        { class: 'step-main' },
        h(
          'div',
          { class: 'card step-head' },
          h('span', { class: 'step-no' }, '6'),
          h(
            'div',
            {},
            h('h2', { id: 'back-office-title' }, 'Your payment service and back office'),
            h(
              'p',
              { class: 'muted' },
              'Your own services, not the customer: a payment service uses the Wise access the product keeps, and the back office sees who did what and which customers need attention.',
            ),
          ),
        ),
        section(
          'payment-service',
          'Your payment service',
          'Route 20 answers a Wise access token of the grant covering the profile, valid at least 5 more minutes; your service then calls Wise itself.',
          h('div', { class: 'actions' }, tokenButton, quoteButton),
          paymentResult,
        ),
        section(
          'audit-trail',
          'Audit trail',
          'Route 21: every signup, link, token issued, hosted link, status change and erasure, with who did it.',
          h('div', { class: 'actions' }, auditButton),
          auditList,
        ),
        section(
          'customer-lists',
          'Customers by status',
          'Route 22: e.g. every customer who must link again (RELINK_REQUIRED), from an index, never a scan.',
          h('div', { class: 'actions' }, statusSelect, listButton, moreButton),
          customerList,
        ),
        section(
          'erasure',
          'Erasure',
          'Route 23: every item of the customer is deleted (account, profiles, grants, codes, identity, KYC reviews, link states); the audit keeps one customer.erased event. 204, also when repeated.',
          h('div', { class: 'actions' }, eraseButton, eraseConfirm),
          eraseResult,
        ),
      ),
      h(
        'aside',
        { class: 'calls', 'aria-label': 'Partner API calls for step 6' },
        h('h3', {}, 'Partner API calls'),
        log,
      ),
    ),
  );
  renderLog();
};
