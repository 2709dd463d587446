import { randomUUID } from 'node:crypto';
import type { Router } from './http';
import { parseJson, sendJson, isRecord } from './http';
import type { Sim } from './context';
import { accessibleProfile, authenticate } from './auth';
import { fieldErrors } from './errors';

/** Verification check (API-NOTES §4) and identification documents incl. Brazil CPF (§3.6). */

/**
 * Unverified profiles get a deterministic entitlement so both "not_verified" outcomes can be
 * exercised: EUR and GBP may send up to 10000 before further verification, every other currency 0.
 */
const PROVISIONAL_ENTITLEMENT: Record<string, number> = { EUR: 10_000, GBP: 10_000 };
const VERIFIED_ENTITLEMENT = 100_000;

const DOCUMENT_TYPES = [
  'DRIVERS_LICENCE',
  'IDENTITY_CARD',
  'GREEN_CARD',
  'MY_NUMBER',
  'PASSPORT',
  'SSN',
  'EMIRATES_EMPLOYER',
  'EMIRATES_PLACE_OF_BIRTH',
  'CPF_CNPJ',
  'FINANCIAL_CAPACITY_BR',
  'OTHER',
];

/** Wise's sandbox CPF rule: the first digit forces an outcome (0–5), 6–9 pass if the person matches. */
const CPF_FORCED_OUTCOMES = [
  'NOT_ASSIGNED',
  'NAME_MISMATCH',
  'DOB_MISMATCH',
  'IRREGULAR',
  'NOT_CHECKED',
  'BELONG_TO_MINOR',
];

export function registerVerificationRoutes(router: Router, sim: Sim): void {
  router.on('POST', '/v3/profiles/:profileId/verification-status/bank-transfer', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    const raw = ctx.query.get('source_currencies');
    const currencies = (raw ?? '')
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter((c) => c !== '');
    if (currencies.length === 0) {
      throw fieldErrors(400, [
        { code: 'NotNull', message: 'must not be null', path: 'source_currencies', arguments: [] },
      ]);
    }
    const bad = currencies.filter((c) => !/^[A-Z]{3}$/.test(c));
    if (bad.length > 0) {
      throw fieldErrors(400, [
        {
          code: 'INVALID',
          message: `Invalid currency code: ${bad.join(',')}`,
          path: 'source_currencies',
          arguments: bad,
        },
      ]);
    }
    const verified = profile.verification === 'verified';
    sendJson(ctx, 200, {
      routes: currencies.map((c) => ({
        source_currency: c,
        maximum_entitled_amount: verified ? VERIFIED_ENTITLEMENT : (PROVISIONAL_ENTITLEMENT[c] ?? 0),
        current_status: verified ? 'verified' : 'not_verified',
      })),
      request_id: randomUUID(),
    });
  });

  router.on('POST', '/v1/profiles/:profileId/verification-documents', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    if (profile.type !== 'PERSONAL') {
      throw fieldErrors(400, [
        {
          code: 'BAD_REQUEST',
          message: 'Verification documents are accepted for personal profiles only',
          path: 'profileId',
          arguments: [],
        },
      ]);
    }
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    const type = b.type;
    const id = b.uniqueIdentifier;
    const errors = [];
    if (typeof type !== 'string' || !DOCUMENT_TYPES.includes(type)) {
      errors.push({
        code: 'ERROR',
        message: 'Please provide a valid document type',
        path: 'type',
        arguments: [],
      });
    }
    if (typeof id !== 'string' || id === '')
      errors.push({
        code: 'MISSING',
        message: 'Please specify uniqueIdentifier',
        path: 'uniqueIdentifier',
        arguments: [],
      });
    else if (id.length > 30)
      errors.push({
        code: 'ERROR',
        message: 'uniqueIdentifier must be at most 30 characters',
        path: 'uniqueIdentifier',
        arguments: [],
      });
    else if (type === 'SSN' && !/^\d{9}$/.test(id))
      errors.push({
        code: 'ERROR',
        message: 'SSN must be 9 digits',
        path: 'uniqueIdentifier',
        arguments: [],
      });
    else if (type === 'FINANCIAL_CAPACITY_BR' && !/^\d+(\.\d{1,2})?$/.test(id)) {
      errors.push({
        code: 'ERROR',
        message: 'Financial capacity must be a number',
        path: 'uniqueIdentifier',
        arguments: [],
      });
    }
    if (errors.length > 0) throw fieldErrors(422, errors);

    if (type === 'CPF_CNPJ') {
      const digits = String(id).replace(/\D/g, '');
      const outcome = cpfOutcome(sim, digits, profile);
      // Wise documents one answer for this endpoint: 200 `{errorMessage, success}`. A refused CPF
      // is that answer with `success: false` and the reason code, not an error status.
      if (outcome) {
        sendJson(ctx, 200, { errorMessage: outcome, success: false });
        return;
      }
      sim.state.usedCpfs.push(digits);
      sim.changed();
    }
    sendJson(ctx, 200, { errorMessage: null, success: true });
  });
}

function cpfOutcome(
  sim: Sim,
  digits: string,
  profile: { firstName?: string; lastName?: string; dateOfBirth?: string },
): string | undefined {
  if (digits.length !== 11 && digits.length !== 14) return 'IRREGULAR';
  const first = Number(digits[0]);
  if (first <= 5) return CPF_FORCED_OUTCOMES[first];
  if (sim.state.usedCpfs.includes(digits)) return 'ALREADY_USED';
  if (profile.firstName !== 'Test' || profile.lastName !== 'User') return 'NAME_MISMATCH';
  if (profile.dateOfBirth !== '2000-01-01') return 'DOB_MISMATCH';
  return undefined;
}
