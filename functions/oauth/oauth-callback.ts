import * as z from '../../shared/zod';
import { linkFailureReasons } from '../../shared/domain/linking/callback-outcome';
import { operationOf } from '../../shared/http/operation';
import type { CallbackAnswer } from './callback-completion';
import { callbackPage, redirectTo } from './callback-page';
import type { OauthServices } from './routes';
import { callbackQuery } from './schemas';

const htmlPageHeaders = (): Record<string, unknown> => ({
  'Cache-Control': { $ref: '#/components/headers/CacheControlNoStore' },
  'Referrer-Policy': { $ref: '#/components/headers/ReferrerPolicyNoReferrer' },
});

/** The browser's answer: a 302 back to the partner, or a fixed HTML page when there is nowhere safe to go. */
const render = (answer: CallbackAnswer) => {
  switch (answer.kind) {
    case 'back_to_partner':
      return redirectTo(answer.location);
    case 'no_usable_state':
      return callbackPage('invalid_state');
    case 'not_finished':
      return callbackPage('not_finished');
    case 'failed':
      return callbackPage('failed');
  }
};

/** Route 9. */
export const oauthCallback = operationOf<OauthServices>()({
  route: 'oauthCallback',
  summary: "Wise's OAuth redirect (browser)",
  description:
    "Public: Wise sends the customer's browser here with `code`, `state` and `profileId`, or with `error`, `error_description` and " +
    '`state`. The state is consumed at once (single use). No Wise token is obtained here: the code is kept, encrypted and bound to ' +
    "the state's customer, for 10 minutes, behind a one-time `result` that route 17 completes in the customer's own session (or " +
    "the partner backend's) — so a link started by one customer can never be completed into another's record. With a usable state " +
    "the answer is always a 302 to that state's return URL, with `status=authorized&result=<one-time result>&profileId=<id>` or " +
    '`status=error&reason=<reason>` added to its query (parameters the partner put in its return URL are kept; these win on a ' +
    'clash); even a failure to keep the code goes back with `reason=exchange_failed`, so a customer whose state is known is never ' +
    'stranded. Without one (missing, unknown, used, or its return URL no longer allowed; also an `error` without `state`, which Wise ' +
    'does not promise to echo) the answer is a fixed HTML page telling the customer to go back to the app, never a redirect. Nothing ' +
    'from the query is echoed or logged. Every answer carries `Cache-Control: no-store` and `Referrer-Policy: no-referrer`.',
  // A malformed query must answer the HTML page, not problem+json: it parses as an empty one (no state).
  query: z.catch(callbackQuery, {}),
  responses: {
    302: {
      raw: {
        description:
          `Back to the partner's return URL. \`reason\` is one of: ${linkFailureReasons.map((r) => `\`${r}\``).join(', ')} ` +
          '(`access_denied`: the customer refused; `invalid_state`; `expired_state`: the link took too long; `exchange_failed`: Wise ' +
          'sent another error or no code, or the code could not be kept: start linking again).',
        headers: {
          Location: {
            description:
              'The return URL with `status=authorized&result=<one-time result>&profileId=<id>` (`profileId` when Wise named one) or ' +
              "`status=error&reason=<reason>`. The result is a bearer secret for route 17: the partner's app posts it and never logs it.",
            required: true,
            schema: { type: 'string', format: 'uri' },
          },
          'Cache-Control': { $ref: '#/components/headers/CacheControlNoStore' },
          'Referrer-Policy': { $ref: '#/components/headers/ReferrerPolicyNoReferrer' },
        },
        'x-return-url-query': {
          status: ['authorized', 'error'],
          reason: [...linkFailureReasons],
        },
      },
    },
    400: {
      raw: {
        description:
          'No usable state (missing, malformed, unknown, already used, or its return URL is no longer allowed; or an `error` without ' +
          '`state`): an HTML page telling the customer to go back to the app, no redirect.',
        headers: htmlPageHeaders(),
        content: { 'text/html': { schema: { type: 'string' } } },
      },
    },
    503: {
      raw: {
        description:
          'The state could not be read (the store throttled or failed; nothing was used up): an HTML page asking the customer to ' +
          'reload in a moment, with `Retry-After`, no redirect.',
        headers: { ...htmlPageHeaders(), 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
        content: { 'text/html': { schema: { type: 'string' } } },
      },
    },
  },
  problems: [],
  handle: async ({ query }, { callback }) => render(await callback.complete(query)),
});
