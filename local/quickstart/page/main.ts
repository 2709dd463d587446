/// <reference lib="dom" />
/**
 * The quickstart page: the partner's app in miniature. It calls the partner API the way a
 * partner's app and backend would (here straight from the browser, with local dev tokens), and
 * logs every exchange, masked, beside the step that made it. It plays two callers, as the contract
 * has them: the partner backend (a back-office token, scope `wise-onboarding/admin`) for the routes
 * that carry the bank's KYC data or set the identity on record (1, 3, 4, 6, 18), and the customer
 * (a token whose `sub` is the customer id) for everything else.
 */
import { Api, type ApiResult, type CallRecord, type CallSpec } from './api';
import { recordCall, renderCalls } from './calls';
import { $, badge, busy, callout, h, replace, type Tone } from './dom';
import { mountBackOfficePanel } from './back-office';
import { mountEventsPanel } from './events';
import { maskJson, maskSecret, maskUrl } from './mask';
import {
  demoForm,
  loadSession,
  newSession,
  saveSession,
  type ReviewState,
  type Session,
  type SignupForm,
} from './session';

const POLL_MS = 2000;
const CUSTOMER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

interface PublicProfile {
  id: number;
  type: 'PERSONAL' | 'BUSINESS';
  verification: 'verified' | 'not_verified' | 'unknown';
  verificationUpdatedAt?: string;
  access?: 'GRANTED' | 'RELINK_REQUIRED' | 'NONE';
}
interface PublicAccount {
  customerId: string;
  status: string;
  wiseUserId?: number;
  profiles: PublicProfile[];
}
interface Review {
  id: string;
  profileId: number;
  status: string;
  requiredBy?: string;
  requirements?: { key: string; state: string }[][];
  link?: { url: string; expiresAt: string } | null;
}
interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: { path: string; message: string }[];
}

const ACCOUNT_STATUS: Record<string, { tone: Tone; text: string }> = {
  NONE: { tone: 'info', text: 'No Wise account yet.' },
  CREATING: { tone: 'progress', text: 'Signup started; a retry resumes it where it stopped.' },
  ACTIVE: {
    tone: 'success',
    text: 'Wise account created by your app; its tokens are held and refreshed for you.',
  },
  EXISTING_ACCOUNT: {
    tone: 'warning',
    text: 'Wise already knows this email: link the existing account instead.',
  },
  LINK_PENDING: {
    tone: 'info',
    text: 'A link was started: the account is linked once the customer allows access on Wise.',
  },
  LINKED: { tone: 'success', text: "Linked to the customer's existing Wise account." },
  RELINK_REQUIRED: { tone: 'warning', text: 'Wise revoked access: the customer must link again.' },
  LINK_REJECTED: { tone: 'error', text: 'The linked Wise profile is not the same person; nothing was kept.' },
  DISCONNECTED: { tone: 'info', text: 'Disconnected: every Wise grant was forgotten. Link again in step 2.' },
  DEACTIVATED: { tone: 'error', text: 'Wise deactivated this user.' },
};

/** Why the callback (route 9) sent the browser back without access. */
const LINK_FAILURE: Record<string, { title: string; text: string }> = {
  access_denied: {
    title: 'You chose Deny on Wise',
    text: 'Nothing was linked and no token was kept. The customer can link again at any time.',
  },
  invalid_state: {
    title: 'This link attempt is no longer valid',
    text: 'It was already used or never started here. Start linking again.',
  },
  expired_state: {
    title: 'This link attempt expired',
    text: 'The customer took too long on Wise. Start linking again.',
  },
  exchange_failed: {
    title: 'Wise did not complete the link',
    text: 'Wise sent no usable authorization. Try again.',
  },
};

/** Why completing the link (route 17) refused it: nothing was kept in any of these cases. */
const COMPLETION_FAILURE: Record<string, { title: string; text: string }> = {
  IDENTITY_MISMATCH: {
    title: 'That Wise account belongs to someone else',
    text: "The granted profile is not the customer on record (its date of birth, or a business's registration number, differs), so nothing was kept.",
  },
  IDENTITY_UNVERIFIABLE: {
    title: 'Nothing on record to compare this profile with',
    text: 'A business profile is compared by its registration number: your backend records it (route 18) before linking.',
  },
  PROFILE_LINKED_ELSEWHERE: {
    title: 'This Wise profile is linked to another customer',
    text: 'A Wise profile belongs to one of your customers only.',
  },
  LINKED_TO_ANOTHER_WISE_USER: {
    title: 'This customer is linked to another Wise user',
    text: 'An account is never moved to another Wise user silently: disconnect first, then link again.',
  },
  LINK_RESULT_INVALID: {
    title: 'This link result cannot be used',
    text: 'It was already used, expired (10 minutes) or is not this customer’s. Start linking again.',
  },
};

const REVIEW_STATUS: Record<string, { tone: string; text: string }> = {
  NEW: { tone: 'info', text: 'Created; Wise is working out what it needs.' },
  WAITING_CUSTOMER_INPUT: { tone: 'warning', text: "Waiting for the customer on Wise's hosted page." },
  PROCESSING: { tone: 'progress', text: 'The customer is done; Wise is checking.' },
  PASSED: { tone: 'success', text: 'Passed: the customer may go ahead.' },
  PASSED_WITH_REQUIREMENTS: { tone: 'success', text: 'Passed; Wise will ask for more later.' },
};

// ---- state -------------------------------------------------------------------------------------

const query = new URLSearchParams(location.search);
let session: Session = loadSession() ?? newSession();
/** The customer's token (the page as your app): memory only, never stored, never in a URL. */
let token: { customerId: string; value: string } | undefined;
/** The back-office token (the page as your backend: routes 1, 3, 4, 6, 18): memory only as well. */
let partnerToken: string | undefined;
let account: PublicAccount | undefined;
let accountError: string | undefined;
let pollTimer: number | undefined;
let reviewTimer: number | undefined;
/** Profiles whose verification the page asked the simulator for and whose webhook it awaits. */
const verifying = new Set<number>();

const save = () => saveSession(session);

const api = new Api((call: CallRecord) => {
  session.calls = recordCall(session.calls, call);
  save();
  renderCalls(session.calls, call.step);
});

/** Logs a redirect that brought the browser back to the page, with the query it carried (its secrets masked). */
const recordArrival = (step: CallRecord['step'], label: string, query: URLSearchParams) => {
  session.calls = recordCall(session.calls, {
    id: `return-${Date.now().toString(36)}`,
    step,
    label,
    method: 'GET',
    path: maskUrl(`${location.origin}/?${query.toString()}`).slice(location.origin.length),
    requestHeaders: {},
    arrival: true,
    responseBody: maskJson(Object.fromEntries(query.entries())),
    at: new Date().toISOString(),
  });
};

const customerPath = (suffix = '') =>
  `/v1/customers/${encodeURIComponent(session.customerId)}/wise-account${suffix}`;

const problemText = (result: ApiResult<Problem>): string => {
  if (result.status === 0) return 'The local gateway did not answer. Is `npm start` still running?';
  const body = result.body && typeof result.body === 'object' ? result.body : {};
  return body.detail ?? body.title ?? `HTTP ${result.status}`;
};

const problemCallout = (result: ApiResult<Problem>, title: string): HTMLElement =>
  callout(
    'error',
    title,
    h('span', {}, problemText(result), result.code ? h('code', { class: 'code-inline' }, result.code) : null),
  );

// ---- token -------------------------------------------------------------------------------------

const renderToken = (state: 'none' | 'loading' | 'ready' | 'error', text?: string) => {
  const el = $('#token-state');
  el.dataset.state = state;
  if (state === 'ready' && token)
    replace(
      el,
      h('span', { class: 'dot' }),
      'Customer token in memory ',
      h('code', {}, maskSecret(token.value)),
    );
  else replace(el, text ?? 'No token yet');
};

/** The local stand-in for the partner's identity provider: a JWT whose `sub` is the customer id. */
const ensureToken = async (): Promise<string | undefined> => {
  if (token?.customerId === session.customerId) return token.value;
  renderToken('loading', 'Getting a partner token…');
  try {
    const res = await fetch('/local/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: session.customerId }),
      cache: 'no-store',
    });
    const body = (await res.json()) as { token?: string; detail?: string };
    if (!res.ok || !body.token) {
      renderToken('error', `No token: ${body.detail ?? `HTTP ${res.status}`}`);
      return undefined;
    }
    token = { customerId: session.customerId, value: body.token };
    renderToken('ready');
    return token.value;
  } catch {
    renderToken('error', 'No token: the local gateway did not answer.');
    return undefined;
  }
};

/** The back-office token: the page as your backend, for the routes that carry KYC data or set the identity on record. */
const ensurePartnerToken = async (): Promise<string | undefined> => {
  if (partnerToken) return partnerToken;
  try {
    const res = await fetch('/local/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'quickstart-backend', scope: 'wise-onboarding/admin' }),
      cache: 'no-store',
    });
    const body = (await res.json()) as { token?: string };
    partnerToken = res.ok ? body.token : undefined;
  } catch {
    partnerToken = undefined;
  }
  return partnerToken;
};

/** A partner-API call as your backend (routes 1, 3, 4, 6, 18); a 401 gets one fresh token and one retry. */
const callAsBackend = async <T = any>(spec: Omit<CallSpec, 'token'>): Promise<ApiResult<T>> => {
  const value = await ensurePartnerToken();
  if (!value) return { status: 0, ok: false, body: undefined as T, code: 'NO_TOKEN' };
  const result = await api.call<T>({ ...spec, token: value });
  if (result.status !== 401) return result;
  partnerToken = undefined;
  const fresh = await ensurePartnerToken();
  return fresh ? api.call<T>({ ...spec, token: fresh }) : result;
};

/** A partner-API call with the customer's token; a 401 (token expired) gets one fresh token and one retry. */
const callApi = async <T = any>(spec: Omit<CallSpec, 'token'>): Promise<ApiResult<T>> => {
  const value = await ensureToken();
  if (!value) return { status: 0, ok: false, body: undefined as T, code: 'NO_TOKEN' };
  const result = await api.call<T>({ ...spec, token: value });
  if (result.status !== 401) return result;
  token = undefined;
  const fresh = await ensureToken();
  return fresh ? api.call<T>({ ...spec, token: fresh }) : result;
};

// ---- customer ----------------------------------------------------------------------------------

const fillForm = (form: SignupForm) => {
  for (const [name, value] of Object.entries(form)) {
    const input = document.getElementById(name) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = value;
  }
};

const readForm = (): SignupForm => {
  const data = new FormData($<HTMLFormElement>('#signup-form'));
  const value = (name: keyof SignupForm) => String(data.get(name) ?? '').trim();
  return {
    firstName: value('firstName'),
    lastName: value('lastName'),
    email: value('email'),
    dateOfBirth: value('dateOfBirth'),
    phoneNumber: value('phoneNumber'),
    addressFirstLine: value('addressFirstLine'),
    city: value('city'),
    postCode: value('postCode'),
    countryIso3Code: value('countryIso3Code'),
    nationality: value('nationality'),
  };
};

const switchCustomer = (next: Session) => {
  stopPolling();
  $<HTMLButtonElement>('#disconnect').hidden = true;
  stopReviewPolling();
  session = next;
  token = undefined;
  account = undefined;
  accountError = undefined;
  verifying.clear();
  save();
  $<HTMLInputElement>('#customer-id').value = session.customerId;
  fillForm(session.form);
  for (const id of ['#signup-result', '#link-result', '#kyc-result']) replace($(id));
  renderCalls(session.calls);
  renderAccount();
  renderReview();
  void ensureToken();
};

// ---- step 1: create the Wise account (route 1) -------------------------------------------------

const clearFieldErrors = () => {
  for (const el of Array.from(document.querySelectorAll('#signup-form [aria-invalid]')))
    el.removeAttribute('aria-invalid');
  for (const el of Array.from(document.querySelectorAll('#signup-form .field-error'))) el.remove();
};

/** Shows route 1's `errors[]` beside the fields they name (`address.city` → the city input). */
const showFieldErrors = (errors: { path: string; message: string }[]) => {
  for (const error of errors) {
    const name = error.path.split('.').pop() ?? '';
    const input = document.getElementById(name);
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    input.parentElement?.append(h('p', { class: 'field-error' }, error.message));
  }
};

const createAccount = async (event: SubmitEvent) => {
  event.preventDefault();
  const button = $<HTMLButtonElement>('#create-account');
  const result = $('#signup-result');
  clearFieldErrors();
  session.form = readForm();
  save();
  const f = session.form;
  const body = {
    email: f.email,
    firstName: f.firstName,
    lastName: f.lastName,
    dateOfBirth: f.dateOfBirth,
    phoneNumber: f.phoneNumber,
    address: {
      addressFirstLine: f.addressFirstLine,
      city: f.city,
      countryIso3Code: f.countryIso3Code,
      ...(f.postCode ? { postCode: f.postCode } : {}),
    },
    nationality: f.nationality,
    externalCustomerId: session.customerId,
    // The instant the customer ticked Wise's T&C box (route 1 requires it, contract v2).
    acceptedTermsAt: new Date().toISOString(),
  };
  busy(button, true, 'Creating…');
  replace(
    result,
    callout('progress', 'Creating the Wise account…', 'Wise user, tokens, then the personal profile.'),
  );
  // Route 1 carries the bank's KYC data: your backend calls it, not the customer's app.
  const res = await callAsBackend<PublicAccount & Problem>({
    step: 'signup',
    label: 'Route 1 · create the Wise account (as your backend)',
    method: 'POST',
    path: customerPath(),
    body,
  });
  busy(button, false);
  if (res.ok) {
    const personal = res.body.profiles?.find((p) => p.type === 'PERSONAL');
    replace(
      result,
      callout(
        'success',
        res.status === 201 ? 'Wise account created' : 'Wise account already created',
        `Wise user ${res.body.wiseUserId ?? '?'}${personal ? `, personal profile ${personal.id}` : ''}. Follow its verification in step 3.`,
      ),
    );
    account = res.body;
    session.hasAccount = true;
    save();
    renderAccount();
    startPolling();
    return;
  }
  if (res.code === 'EXISTING_WISE_ACCOUNT') {
    const linkInstead = h(
      'button',
      { type: 'button', class: 'btn btn-primary', id: 'link-instead' },
      'Link instead',
    );
    linkInstead.addEventListener('click', () => {
      $('#step-link').scrollIntoView({ behavior: 'smooth', block: 'start' });
      void startLink(linkInstead);
    });
    replace(
      result,
      callout(
        'warning',
        'This email already has a Wise account',
        `Wise knows ${f.email}. Ask the customer to link it to your app instead.`,
        linkInstead,
      ),
    );
    session.hasAccount = true;
    save();
    startPolling();
    return;
  }
  if (res.code === 'VALIDATION_FAILED' && Array.isArray(res.body?.errors)) {
    showFieldErrors(res.body.errors);
    replace(
      result,
      callout(
        'error',
        'Some details need fixing',
        h(
          'ul',
          { class: 'error-list' },
          ...res.body.errors.map((e) => h('li', {}, h('code', {}, e.path), ` ${e.message}`)),
        ),
      ),
    );
    return;
  }
  replace(
    result,
    problemCallout(
      res,
      res.code === 'WISE_UNAVAILABLE'
        ? 'Wise is unavailable right now — try again shortly'
        : 'The account was not created',
    ),
  );
};

// ---- step 2: link an existing Wise account (routes 18, 8, 9, 17; 19 to disconnect) ----------------

/**
 * Linking in two phases. Your backend first records what it knows of the customer (route 18; route 1
 * does it for a signup), then the customer's app starts the link (route 8) and the browser goes to
 * Wise. The callback (route 9) brings the browser back here with a one-time `result`, and only then
 * does the customer's own session complete the link (route 17): the code is exchanged and the
 * granted profile compared with the identity on record.
 */
const startLink = async (button: HTMLButtonElement) => {
  const result = $('#link-result');
  session.form = readForm();
  save();
  busy(button, true, 'Starting…');
  replace(result, callout('progress', 'Recording the identity, then asking for a Wise authorization link…'));
  if (session.form.dateOfBirth) {
    const identity = await callAsBackend<Problem>({
      step: 'link',
      label: 'Route 18 · record the identity on record (as your backend)',
      method: 'PUT',
      path: `/v1/customers/${encodeURIComponent(session.customerId)}/identity`,
      body: { dateOfBirth: session.form.dateOfBirth },
    });
    if (!identity.ok) {
      busy(button, false);
      replace(result, problemCallout(identity, 'The identity on record was not saved'));
      return;
    }
  }
  const res = await callApi<{ authorizeUrl: string; expiresAt: string } & Problem>({
    step: 'link',
    label: 'Route 8 · start linking (as the customer)',
    method: 'POST',
    path: `/v1/customers/${encodeURIComponent(session.customerId)}/wise-link`,
    // Back to this page on whatever origin it is served from; the allowlist decides whether that is allowed.
    body: { returnUrl: `${location.origin}/?link=done` },
  });
  if (!res.ok) {
    busy(button, false);
    const title =
      res.code === 'RETURN_URL_NOT_ALLOWED'
        ? 'This page is not on the return-URL allowlist'
        : res.code === 'IDENTITY_REQUIRED'
          ? 'Nothing on record to compare the Wise profile with'
          : 'Linking did not start';
    replace(result, problemCallout(res, title));
    return;
  }
  replace(
    result,
    callout('progress', 'Opening Wise…', 'The customer signs in on Wise and chooses Allow or Deny.'),
  );
  session.hasAccount = true;
  save();
  location.assign(res.body.authorizeUrl);
};

/** The second phase: the customer's session posts the callback's one-time result (route 17). */
const completeLink = async (linkResult: string) => {
  const result = $('#link-result');
  replace(
    result,
    callout(
      'progress',
      'Wise granted access: completing the link…',
      'Exchanging the code and checking the profile against the identity on record.',
    ),
  );
  const res = await callApi<{ status: string; profileId?: number; nextStep?: string } & Problem>({
    step: 'link',
    label: 'Route 17 · complete the link with the result (as the customer)',
    method: 'POST',
    path: `/v1/customers/${encodeURIComponent(session.customerId)}/wise-link/complete`,
    body: { result: linkResult },
  });
  if (res.ok) {
    replace(
      result,
      res.body.profileId !== undefined
        ? callout(
            'success',
            'Wise account linked',
            h(
              'span',
              {},
              'The customer allowed access to Wise profile ',
              h('strong', { id: 'linked-profile' }, String(res.body.profileId)),
              '.',
            ),
          )
        : callout(
            'success',
            'Wise account linked, without a profile yet',
            'Your backend creates the personal profile next (route 1).',
          ),
    );
    session.hasAccount = true;
    save();
    startPolling();
    return;
  }
  const known = res.code ? COMPLETION_FAILURE[res.code] : undefined;
  replace(
    result,
    known
      ? callout(
          'error',
          known.title,
          h('span', {}, known.text, h('code', { class: 'code-inline', 'data-reason': res.code }, res.code)),
        )
      : problemCallout(res, 'The link was not completed'),
  );
};

/** The callback (route 9) sent the browser back here with the outcome in the query. */
const showLinkOutcome = () => {
  const status = query.get('status');
  const result = $('#link-result');
  // What the browser came back with, as your app would see it on its return URL (the result masked).
  recordArrival('link', 'Route 9 · the callback redirected the browser back here', query);
  save();
  const linkResult = query.get('result');
  if (status === 'authorized' && linkResult) {
    void completeLink(linkResult);
    return;
  }
  const reason = query.get('reason') ?? 'unknown';
  const known = LINK_FAILURE[reason];
  replace(
    result,
    callout(
      reason === 'access_denied' ? 'warning' : 'error',
      known?.title ?? 'Linking did not complete',
      h(
        'span',
        {},
        known?.text ?? 'Start linking again.',
        h('code', { class: 'code-inline', 'data-reason': reason }, reason),
      ),
    ),
  );
};

/** Route 19: forget every Wise grant of the customer (as the customer; your backend may too). */
const disconnect = async (button: HTMLButtonElement) => {
  busy(button, true, 'Disconnecting…');
  const res = await callApi<Problem>({
    step: 'link',
    label: 'Route 19 · disconnect the Wise account (as the customer)',
    method: 'DELETE',
    path: `/v1/customers/${encodeURIComponent(session.customerId)}/wise-link`,
  });
  busy(button, false);
  replace(
    $('#link-result'),
    res.ok
      ? callout(
          'info',
          'Disconnected',
          'Every Wise grant was forgotten; the profiles stay listed with no access. Link again at any time.',
        )
      : problemCallout(res, 'The account was not disconnected'),
  );
  void pollAccount();
};

// ---- step 3: account status (route 2), verification via the simulator --------------------------

const verificationBadge = (p: PublicProfile): HTMLElement => {
  if (p.verification === 'verified')
    return badge('Verified', 'success', { 'data-verification': p.verification });
  if (verifying.has(p.id))
    return badge('Waiting for webhook…', 'progress', { 'data-verification': p.verification });
  return badge(p.verification === 'unknown' ? 'Unknown' : 'Not verified', 'neutral', {
    'data-verification': p.verification,
  });
};

const verifyProfile = async (profileId: number, button: HTMLButtonElement) => {
  busy(button, true, 'Asking Wise…');
  const res = await api.call<Problem>({
    step: 'status',
    label: "Local helper · Wise's sandbox verifies the profile, then sends a webhook",
    localOnly: true,
    method: 'POST',
    path: '/local/demo/verify-profile',
    body: { profileId },
  });
  if (!res.ok) {
    busy(button, false);
    accountError = `The simulator did not verify profile ${profileId}: ${problemText(res)}`;
  } else {
    verifying.add(profileId);
  }
  renderAccount();
};

const renderAccount = () => {
  const el = $('#account');
  if (!account) {
    replace(
      el,
      accountError
        ? callout('error', 'Could not read the account', accountError)
        : h(
            'div',
            { class: 'empty' },
            h('p', { class: 'empty-title' }, 'No Wise account yet'),
            h('p', { class: 'muted' }, 'Create one in step 1 or link one in step 2.'),
          ),
    );
    renderKycProfiles();
    return;
  }
  for (const p of account.profiles) if (p.verification === 'verified') verifying.delete(p.id);
  $<HTMLButtonElement>('#disconnect').hidden = !['ACTIVE', 'LINKED', 'RELINK_REQUIRED'].includes(
    account.status,
  );
  const meta = ACCOUNT_STATUS[account.status] ?? { tone: 'info' as Tone, text: '' };
  const rows = account.profiles.map((p) => {
    const action =
      p.verification === 'verified'
        ? h(
            'span',
            { class: 'muted' },
            p.verificationUpdatedAt ? new Date(p.verificationUpdatedAt).toLocaleTimeString() : '',
          )
        : (() => {
            const b = h(
              'button',
              { type: 'button', class: 'btn btn-small btn-secondary', 'data-verify': p.id },
              'Verify in sandbox',
            );
            if (verifying.has(p.id)) busy(b, true, 'Waiting for webhook…');
            b.addEventListener('click', () => void verifyProfile(p.id, b));
            return b;
          })();
    return h(
      'tr',
      { 'data-profile': p.id },
      h('td', {}, p.type === 'PERSONAL' ? 'Personal' : 'Business'),
      h('td', {}, h('code', {}, String(p.id))),
      h('td', {}, verificationBadge(p)),
      h(
        'td',
        {},
        p.access
          ? badge(
              p.access === 'GRANTED' ? 'Granted' : p.access === 'NONE' ? 'None' : 'Link again',
              p.access === 'GRANTED' ? 'success' : p.access === 'NONE' ? 'neutral' : 'warning',
              { 'data-access': p.access },
            )
          : '—',
      ),
      h('td', { class: 'right' }, action),
    );
  });
  replace(
    el,
    h(
      'div',
      { class: 'account-head' },
      badge(account.status, meta.tone === 'progress' ? 'progress' : meta.tone, {
        id: 'account-status',
        'data-status': account.status,
      }),
      h('p', {}, meta.text),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Customer'),
      h('dd', {}, h('code', {}, account.customerId)),
      h('dt', {}, 'Wise user'),
      h('dd', {}, account.wiseUserId !== undefined ? h('code', {}, String(account.wiseUserId)) : '—'),
    ),
    account.profiles.length
      ? h(
          'table',
          { class: 'profiles' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Profile'),
              h('th', {}, 'Id'),
              h('th', {}, 'Verification'),
              h('th', {}, 'Access'),
              h('th', { class: 'right' }, ''),
            ),
          ),
          h('tbody', {}, ...rows),
        )
      : h('p', { class: 'muted' }, 'No profile yet.'),
    accountError ? callout('error', 'Something went wrong', accountError) : null,
  );
  renderKycProfiles();
};

const pollAccount = async () => {
  const res = await callApi<PublicAccount & Problem>({
    step: 'status',
    label: 'Route 2 · read the account (polled)',
    method: 'GET',
    path: customerPath(),
    pollKey: 'account',
  });
  if (res.ok) {
    account = res.body;
    accountError = undefined;
  } else if (res.code === 'CUSTOMER_NOT_FOUND') {
    account = undefined;
    accountError = undefined;
  } else {
    accountError = problemText(res);
  }
  renderAccount();
};

const startPolling = () => {
  stopPolling();
  const tick = async () => {
    await pollAccount();
    pollTimer = window.setTimeout(tick, POLL_MS);
  };
  void tick();
};

const stopPolling = () => {
  if (pollTimer !== undefined) window.clearTimeout(pollTimer);
  pollTimer = undefined;
};

// ---- step 4: KYC review (routes 12–15) ---------------------------------------------------------

const renderKycProfiles = () => {
  const select = $<HTMLSelectElement>('#kyc-profile');
  const profiles = account?.profiles ?? [];
  const current = select.value;
  const wanted = profiles.map((p) => `${p.id}`).join(',');
  if (select.dataset.profiles !== wanted) {
    select.dataset.profiles = wanted;
    replace(
      select,
      ...(profiles.length
        ? profiles.map((p) =>
            h('option', { value: p.id }, `${p.type === 'PERSONAL' ? 'Personal' : 'Business'} · ${p.id}`),
          )
        : [h('option', { value: '' }, 'No profile yet')]),
    );
    if (profiles.some((p) => `${p.id}` === current)) select.value = current;
  }
  const usable = profiles.length > 0;
  select.disabled = !usable;
  $<HTMLSelectElement>('#kyc-trigger').disabled = !usable;
  $<HTMLButtonElement>('#start-kyc').disabled = !usable;
};

const reviewFrom = (r: Review, previous?: ReviewState): ReviewState => {
  const history = [...(previous?.history ?? [])];
  if (history.at(-1)?.status !== r.status) history.push({ status: r.status, at: new Date().toISOString() });
  return {
    id: r.id,
    profileId: r.profileId,
    status: r.status,
    requiredBy: r.requiredBy,
    // Route 14 carries no link; keep the one route 12 or 15 gave while the customer still has to act.
    linkUrl:
      r.link === undefined
        ? r.status === 'WAITING_CUSTOMER_INPUT'
          ? previous?.linkUrl
          : undefined
        : (r.link?.url ?? undefined),
    linkExpiresAt:
      r.link === undefined
        ? r.status === 'WAITING_CUSTOMER_INPUT'
          ? previous?.linkExpiresAt
          : undefined
        : (r.link?.expiresAt ?? undefined),
    history,
  };
};

const reviewPath = (r: { profileId: number; id?: string }, suffix = '') =>
  customerPath(`/profiles/${r.profileId}/kyc-reviews${r.id ? `/${r.id}` : ''}${suffix}`);

const startReview = async (event: SubmitEvent) => {
  event.preventDefault();
  const button = $<HTMLButtonElement>('#start-kyc');
  const profileId = Number($<HTMLSelectElement>('#kyc-profile').value);
  if (!Number.isSafeInteger(profileId) || profileId < 1) return;
  busy(button, true, 'Starting…');
  replace($('#kyc-result'), callout('progress', 'Creating the KYC review…'));
  const res = await callApi<Review & Problem>({
    step: 'kyc',
    label: 'Route 12 · create a KYC review and its hosted link',
    method: 'POST',
    path: reviewPath({ profileId }),
    body: {
      trigger: { type: $<HTMLSelectElement>('#kyc-trigger').value },
      redirectUrl: `${location.origin}/?kyc=done`,
    },
  });
  busy(button, false);
  if (!res.ok) {
    replace($('#kyc-result'), problemCallout(res, 'The KYC review was not created'));
    return;
  }
  session.review = reviewFrom({ ...res.body, profileId: res.body.profileId ?? profileId });
  save();
  replace($('#kyc-result'));
  renderReview();
  startReviewPolling();
};

const freshLink = async (button: HTMLButtonElement, openWhenReady = false) => {
  const review = session.review;
  if (!review) return;
  busy(button, true, 'Getting a link…');
  const res = await callApi<{ url: string; expiresAt: string } & Problem>({
    step: 'kyc',
    label: 'Route 15 · a fresh hosted link',
    method: 'POST',
    path: reviewPath(review, '/link'),
    body: { redirectUrl: `${location.origin}/?kyc=done` },
  });
  busy(button, false);
  if (!res.ok) {
    replace($('#kyc-result'), problemCallout(res, 'No hosted link right now'));
    return;
  }
  session.review = { ...review, linkUrl: res.body.url, linkExpiresAt: res.body.expiresAt };
  save();
  if (openWhenReady) {
    location.assign(res.body.url);
    return;
  }
  renderReview();
};

const renderReview = () => {
  const el = $('#kyc-review');
  const review = session.review;
  if (!review) {
    replace(el);
    return;
  }
  const meta = REVIEW_STATUS[review.status] ?? {
    tone: 'info',
    text: 'A status this page does not know yet; Wise may add new ones.',
  };
  let action: HTMLElement | null = null;
  if (review.status === 'WAITING_CUSTOMER_INPUT') {
    if (review.linkUrl) {
      const open = h(
        'button',
        { type: 'button', class: 'btn btn-primary', id: 'open-kyc' },
        "Continue on Wise's hosted page",
      );
      const url = review.linkUrl;
      open.addEventListener('click', () => {
        busy(open, true, 'Opening Wise…');
        save();
        location.assign(url);
      });
      action = open;
    } else {
      // Wise's link carries a one-time token: it is asked of Wise (route 15) when the customer is about to use it.
      const open = h(
        'button',
        { type: 'button', class: 'btn btn-primary', id: 'open-kyc' },
        "Continue on Wise's hosted page",
      );
      open.addEventListener('click', () => void freshLink(open, true));
      action = open;
    }
  }
  replace(
    el,
    h(
      'div',
      { class: 'review' },
      h(
        'div',
        { class: 'account-head' },
        badge(review.status, meta.tone, { id: 'review-status', 'data-status': review.status }),
        h('p', {}, meta.text),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Review'),
        h('dd', {}, h('code', {}, review.id)),
        h('dt', {}, 'Profile'),
        h('dd', {}, h('code', {}, String(review.profileId))),
        review.requiredBy ? h('dt', {}, 'Required by') : null,
        review.requiredBy ? h('dd', {}, new Date(review.requiredBy).toLocaleString()) : null,
        review.linkExpiresAt ? h('dt', {}, 'Link expires') : null,
        review.linkExpiresAt ? h('dd', {}, new Date(review.linkExpiresAt).toLocaleTimeString()) : null,
      ),
      action ? h('div', { class: 'actions' }, action) : null,
      h(
        'ol',
        { class: 'timeline', 'aria-label': 'Statuses seen' },
        ...review.history.map((step) =>
          h(
            'li',
            { 'data-status': step.status },
            h('span', { class: 'timeline-status' }, step.status),
            h('span', { class: 'muted' }, new Date(step.at).toLocaleTimeString()),
          ),
        ),
      ),
    ),
  );
};

const pollReview = async () => {
  const review = session.review;
  if (!review) return;
  const res = await callApi<Review & Problem>({
    step: 'kyc',
    label: 'Route 14 · read the review (polled)',
    method: 'GET',
    path: reviewPath(review),
    pollKey: `review-${review.id}`,
  });
  if (!res.ok || session.review?.id !== review.id) return;
  session.review = reviewFrom({ ...res.body, profileId: review.profileId }, session.review);
  save();
  renderReview();
};

const startReviewPolling = () => {
  stopReviewPolling();
  const tick = async () => {
    await pollReview();
    reviewTimer = window.setTimeout(tick, POLL_MS);
  };
  // Wise's statuses may move in any direction (no final one), so the page keeps following.
  reviewTimer = window.setTimeout(tick, POLL_MS);
};

const stopReviewPolling = () => {
  if (reviewTimer !== undefined) window.clearTimeout(reviewTimer);
  reviewTimer = undefined;
};

const showKycOutcome = () => {
  const status = query.get('status');
  // The hosted session is over either way: its link must not be offered again; route 15 gives a fresh one.
  if (session.review) session.review = { ...session.review, linkUrl: undefined, linkExpiresAt: undefined };
  replace(
    $('#kyc-result'),
    status === 'success'
      ? callout(
          'success',
          "Back from Wise's hosted page",
          'The customer completed the flow. The status below follows the webhooks.',
        )
      : callout(
          'warning',
          "The customer left Wise's hosted page without finishing",
          'The review waits for them; get a fresh link to continue.',
        ),
  );
  recordArrival('kyc', "Wise's hosted page redirected the browser to the review's redirectUrl", query);
  save();
};

// ---- start -------------------------------------------------------------------------------------

const init = () => {
  $<HTMLInputElement>('#customer-id').value = session.customerId;
  fillForm(session.form);

  if (query.get('link') === 'done') showLinkOutcome();
  if (query.get('kyc') === 'done') showKycOutcome();
  renderCalls(session.calls);
  // The outcome is read; a reload must not show it again, and the URL should not keep it around.
  if (location.search) history.replaceState(null, '', '/');

  $<HTMLFormElement>('#customer-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>('#customer-id');
    const id = input.value.trim();
    if (!CUSTOMER_ID.test(id)) {
      input.setAttribute('aria-invalid', 'true');
      renderToken('error', 'A customer id is 1–64 letters, digits, _ . or -');
      return;
    }
    input.removeAttribute('aria-invalid');
    if (id === session.customerId) return;
    // An id typed by hand may already have an account: look it up once.
    switchCustomer({ ...newSession(id), form: demoForm(id), hasAccount: true });
    startPolling();
  });
  $('#new-customer').addEventListener('click', () => switchCustomer(newSession()));
  $<HTMLFormElement>('#signup-form').addEventListener('submit', (event) => void createAccount(event));
  $('#start-link').addEventListener(
    'click',
    (event) => void startLink(event.currentTarget as HTMLButtonElement),
  );
  $('#disconnect').addEventListener(
    'click',
    (event) => void disconnect(event.currentTarget as HTMLButtonElement),
  );
  $<HTMLFormElement>('#kyc-form').addEventListener('submit', (event) => void startReview(event));

  // Partner events (local/quickstart/page/events.ts): its own section at the end of the page.
  mountEventsPanel($('main'), { customerId: () => session.customerId });
  // Your payment service and back office (local/quickstart/page/back-office.ts): routes 20–22.
  mountBackOfficePanel($('main'), { customerId: () => session.customerId });

  save();
  renderAccount();
  renderReview();
  void ensureToken();
  if (session.hasAccount) startPolling();
  if (session.review) {
    void pollReview();
    startReviewPolling();
  }
};

init();
