import type { QuoteRecord } from './state';
import { randomUUID } from 'node:crypto';
import type { Router } from './http';
import { parseJson, sendJson, isRecord } from './http';
import type { Sim } from './context';
import { accessibleProfile, authenticate } from './auth';
import { fieldErrors, type FieldError } from './errors';
import { isoAt } from './clock';

/**
 * Authenticated quotes, just enough for a KYC review to reference one (API-NOTES §5).
 * Rates are fixed per currency so tests can predict amounts.
 */
const EUR_RATES: Record<string, number> = {
  EUR: 1,
  GBP: 0.85,
  USD: 1.08,
  CHF: 0.95,
  BRL: 5.9,
  CAD: 1.47,
  AUD: 1.63,
  JPY: 160,
  PLN: 4.3,
  SEK: 11.3,
};
const QUOTE_TTL_MS = 30 * 60 * 1000;

function rateFor(source: string, target: string): number | undefined {
  const s = EUR_RATES[source];
  const t = EUR_RATES[target];
  if (s === undefined || t === undefined) return undefined;
  return Math.round((t / s) * 1e6) / 1e6;
}

export function registerQuoteRoutes(router: Router, sim: Sim): void {
  router.on('POST', '/v3/profiles/:profileId/quotes', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    const errors: FieldError[] = [];
    for (const k of ['sourceCurrency', 'targetCurrency']) {
      if (typeof b[k] !== 'string')
        errors.push({ code: 'NotNull', message: 'must not be null', path: k, arguments: [] });
    }
    const hasSource = typeof b.sourceAmount === 'number';
    const hasTarget = typeof b.targetAmount === 'number';
    if (hasSource === hasTarget) {
      errors.push({
        code: 'error.quote.amount',
        message: 'Either sourceAmount or targetAmount is required, never both',
        path: 'sourceAmount',
        arguments: [],
      });
    }
    if ((hasSource && (b.sourceAmount as number) <= 0) || (hasTarget && (b.targetAmount as number) <= 0)) {
      errors.push({
        code: 'error.quote.amount.positive',
        message: 'Amount must be greater than zero',
        path: hasSource ? 'sourceAmount' : 'targetAmount',
        arguments: [],
      });
    }
    if (errors.length > 0) throw fieldErrors(400, errors);
    const source = String(b.sourceCurrency).toUpperCase();
    const target = String(b.targetCurrency).toUpperCase();
    const rate = rateFor(source, target);
    if (rate === undefined) {
      throw fieldErrors(422, [
        {
          code: 'error.route.not.supported',
          message: `Route ${source}-${target} is not supported`,
          path: 'targetCurrency',
          arguments: [source, target],
        },
      ]);
    }
    const sourceAmount = hasSource
      ? (b.sourceAmount as number)
      : Math.round(((b.targetAmount as number) / rate) * 100) / 100;
    const targetAmount = hasTarget ? (b.targetAmount as number) : Math.round(sourceAmount * rate * 100) / 100;
    const now = sim.clock.now();
    const quote = {
      id: randomUUID(),
      profileId: profile.id,
      userId: profile.userId,
      sourceCurrency: source,
      targetCurrency: target,
      sourceAmount,
      targetAmount,
      rate,
      payOut: typeof b.payOut === 'string' ? b.payOut : 'BANK_TRANSFER',
      createdAt: now,
      expiresAt: now + QUOTE_TTL_MS,
    };
    sim.state.quotes.push(quote);
    sim.changed();
    sendJson(ctx, 200, quoteView(quote));
  });

  router.on('GET', '/v3/profiles/:profileId/quotes/:quoteId', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    const quote = sim.state.quotes.find((q) => q.id === ctx.params.quoteId && q.profileId === profile.id);
    if (!quote)
      throw fieldErrors(404, [
        { code: 'NOT_FOUND', message: 'Quote not found', path: 'quoteId', arguments: [] },
      ]);
    sendJson(ctx, 200, quoteView(quote));
  });
}

function quoteView(q: QuoteRecord) {
  const fee = Math.round(q.sourceAmount * 0.005 * 100) / 100;
  return {
    id: q.id,
    sourceCurrency: q.sourceCurrency,
    targetCurrency: q.targetCurrency,
    sourceAmount: q.sourceAmount,
    targetAmount: q.targetAmount,
    payOut: q.payOut,
    preferredPayIn: null,
    rate: q.rate,
    createdTime: isoAt(q.createdAt),
    expirationTime: isoAt(q.expiresAt),
    user: q.userId,
    profile: q.profileId,
    rateType: 'FIXED',
    rateExpirationTime: isoAt(q.expiresAt),
    providedAmountType: 'SOURCE',
    status: 'PENDING',
    notices: [],
    paymentOptions: [
      {
        disabled: false,
        payIn: 'BANK_TRANSFER',
        payOut: q.payOut,
        sourceCurrency: q.sourceCurrency,
        targetCurrency: q.targetCurrency,
        sourceAmount: q.sourceAmount,
        targetAmount: q.targetAmount,
        fee: { transferwise: fee, payIn: 0, discount: 0, partner: 0, total: fee },
        price: {
          total: {
            type: 'TOTAL',
            label: 'Total fees',
            value: { amount: fee, currency: q.sourceCurrency, label: `${fee} ${q.sourceCurrency}` },
          },
        },
      },
    ],
  };
}
