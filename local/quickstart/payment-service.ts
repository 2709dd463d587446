import { sendJson, type ExtraRoute } from '../gateway/server';

const fail = (res: Parameters<ExtraRoute['handle']>[1], status: number, code: string, detail: string) =>
  sendJson(
    res,
    status,
    { type: 'about:blank', title: 'Local demo error', status, code, detail },
    'application/problem+json',
  );

/**
 * `POST /local/demo/payment-service/quote` `{ profileId, accessToken, sourceCurrency, targetCurrency, sourceAmount }`:
 * a stand-in for the partner's payment service, which calls Wise itself with the token route 20
 * gave it (`POST /v3/profiles/{profileId}/quotes`). The quickstart page may only talk to its own
 * origin (CSP `connect-src 'self'`), so the page hands the token to this local route, which is
 * never deployed; the token is neither logged nor stored here.
 */
export const paymentServiceQuoteRoute = (wiseSandboxUrl: () => string): ExtraRoute => ({
  method: 'POST',
  path: '/local/demo/payment-service/quote',
  handle: async (_req, res, body) => {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(res, 400, 'VALIDATION_FAILED', 'Body must be JSON.');
    }
    const profileId = Number(input.profileId);
    if (
      !Number.isSafeInteger(profileId) ||
      profileId < 1 ||
      typeof input.accessToken !== 'string' ||
      input.accessToken === ''
    ) {
      return fail(res, 400, 'VALIDATION_FAILED', 'Give a profileId and the accessToken route 20 answered.');
    }
    try {
      const wise = await fetch(`${wiseSandboxUrl()}/v3/profiles/${profileId}/quotes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${input.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          sourceCurrency: input.sourceCurrency ?? 'GBP',
          targetCurrency: input.targetCurrency ?? 'EUR',
          sourceAmount: input.sourceAmount ?? 100,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const quote = (await wise.json().catch(() => ({}))) as Record<string, unknown>;
      if (!wise.ok) return fail(res, 502, 'WISE_REFUSED', `Wise answered ${wise.status} for the quote.`);
      sendJson(res, 201, {
        id: quote.id,
        sourceAmount: quote.sourceAmount,
        targetAmount: quote.targetAmount,
        rate: quote.rate,
      });
    } catch (err) {
      fail(res, 502, 'SIMULATOR_UNAVAILABLE', (err as Error).message);
    }
  },
});
