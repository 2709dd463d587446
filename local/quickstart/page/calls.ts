/// <reference lib="dom" />
import type { CallRecord, Step } from './api';
import { $, h, replace } from './dom';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const statusTone = (status?: number): string => {
  if (status === undefined || status === 0) return 'error';
  if (status < 300) return 'success';
  if (status < 500) return 'warning';
  return 'error';
};

const json = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

const time = (iso: string): string =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** What the reader opened or closed by hand, by call (or poll) key: kept across re-renders. */
const toggled = new Map<string, boolean>();
const keyOf = (call: CallRecord): string => call.pollKey ?? call.id;

const callView = (call: CallRecord, latest: boolean): HTMLElement => {
  const statusLabel = call.arrival
    ? 'redirect'
    : call.networkError
      ? 'network error'
      : `${call.status} ${STATUS_TEXT[call.status ?? 0] ?? ''}`.trim();
  const request = [
    `${call.method} ${call.path}`,
    ...Object.entries(call.requestHeaders).map(([k, v]) => `${k}: ${v}`),
    ...(call.requestBody === undefined ? [] : ['', json(call.requestBody)]),
  ].join('\n');
  const response = call.networkError
    ? call.networkError
    : call.responseBody === undefined
      ? '(empty body)'
      : json(call.responseBody);
  const details = h(
    'details',
    {
      class: `call${call.localOnly ? ' call-local' : ''}`,
      'data-method': call.method,
      'data-status': call.status ?? 0,
      open: toggled.get(keyOf(call)) ?? latest,
    },
    h(
      'summary',
      { 'data-key': keyOf(call) },
      h('span', { class: `method method-${call.method.toLowerCase()}` }, call.method),
      h('span', { class: 'call-path' }, call.path),
      h('span', { class: `badge badge-${call.arrival ? 'info' : statusTone(call.status)}` }, statusLabel),
    ),
    h(
      'div',
      { class: 'call-meta' },
      h('span', {}, call.label),
      call.localOnly ? h('span', { class: 'tag' }, 'local demo helper, not partner API') : null,
      h(
        'span',
        { class: 'muted' },
        `${time(call.at)}${call.durationMs !== undefined ? ` · ${call.durationMs} ms` : ''}${call.repeats ? ` · polled ${call.repeats + 1}×` : ''}`,
      ),
    ),
    h('p', { class: 'code-label' }, 'Request'),
    h('pre', { class: 'code' }, h('code', {}, request)),
    h('p', { class: 'code-label' }, call.arrival ? 'What the page reads from the query' : 'Response'),
    h('pre', { class: 'code' }, h('code', {}, response)),
  );
  details.querySelector('summary')?.addEventListener('click', () => toggled.set(keyOf(call), !details.open));
  return details;
};

const EMPTY: Record<Step, string> = {
  signup: 'Route 1 appears here when you create the account.',
  link: 'Route 8 appears here; route 9 (the callback) brings the browser back.',
  status: 'Route 2 appears here once the customer has an account.',
  kyc: 'Routes 12–15 appear here.',
};

/** Shows each step's calls beside it, newest first; only the newest is expanded unless the reader chose. */
export const renderCalls = (calls: CallRecord[], only?: Step): void => {
  for (const step of only ? [only] : (Object.keys(EMPTY) as Step[])) {
    const list = $(`[data-calls="${step}"]`);
    const mine = calls.filter((c) => c.step === step).reverse();
    if (mine.length === 0) replace(list, h('p', { class: 'calls-empty' }, EMPTY[step]));
    else replace(list, ...mine.map((call, i) => callView(call, i === 0)));
  }
};

/** Adds a call to the log; a poll replaces its previous entry and counts how often it ran. */
export const recordCall = (calls: CallRecord[], call: CallRecord): CallRecord[] => {
  if (call.pollKey) {
    const previous = calls.findIndex((c) => c.pollKey === call.pollKey);
    if (previous >= 0) {
      const repeats = (calls[previous]?.repeats ?? 0) + 1;
      return [...calls.slice(0, previous), ...calls.slice(previous + 1), { ...call, repeats }];
    }
  }
  return [...calls, call];
};
