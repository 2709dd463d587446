import * as z from 'zod';
import type { ProfileRecord } from '../../shared/domain/account';
import { toWiseBusinessProfile, businessProfileSchema, type BusinessProfileDetails } from '../../shared/domain/onboarding/business-profile';
import type { IdentityDocument } from '../../shared/domain/onboarding/identity-document';
import { personalProfileUpdateSchema, toWisePersonalProfile } from '../../shared/domain/onboarding/personal-profile';
import { uuidFrom } from '../../shared/domain/onboarding/registration-code';
import { canTransferByCurrency } from '../../shared/domain/onboarding/verification';
import { parseWith } from '../../shared/http/parse';
import { conflict, notFound, ProblemError, validationFailed } from '../../shared/http/problem';
import type { HttpResult } from '../../shared/http/types';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { WiseApiError } from '../../shared/wise/errors';
import { wiseRejectedInput } from './wise-rejections';
import { personalFieldPaths } from './create-account';

export const profileNotFound = () => notFound('PROFILE_NOT_FOUND', 'This customer has no Wise profile with that id.');

/** The profile, when it is this customer's; the same 404 for someone else's and for none at all. */
export const ownedProfile = async (deps: Dependencies, customerId: string, profileId: number): Promise<ProfileRecord> => {
  const profile = await deps.accounts.getProfile(customerId, profileId);
  if (!profile) throw profileNotFound();
  return profile;
};

/** A Wise profile as the partner API answers it: Wise's fields, with the stored verification. */
const profileView = (wiseProfile: Record<string, unknown>, stored: Pick<ProfileRecord, 'type' | 'verification'>) => {
  const { type: _type, ...fields } = wiseProfile;
  return { ...fields, type: stored.type, verification: stored.verification };
};

/** Route 3: a business profile, after the personal one (Wise's rule). */
export const createBusinessProfile = async (
  deps: Dependencies,
  customerId: string,
  details: BusinessProfileDetails,
  deadline: number,
): Promise<HttpResult> => {
  const account = await deps.accounts.get(customerId);
  if (!account?.profiles.some((p) => p.type === 'PERSONAL')) {
    throw conflict('PERSONAL_PROFILE_REQUIRED', 'Create the customer\'s Wise account and personal profile first (route 1).');
  }
  const body = toWiseBusinessProfile(details);
  // Same customer and same details → same uuid: a retried request finds the profile Wise made, not a second one.
  const uuid = uuidFrom('wise-onboarding', 'business-profile', customerId, JSON.stringify(body));
  let created: Record<string, unknown> & { id: number };
  try {
    created = await deps.tokens.withAccessToken(
      customerId,
      (token) => deps.wise.createBusinessProfile(token, body, uuid, { deadline }),
      { deadline },
    );
  } catch (err) {
    throw wiseRejectedInput(err);
  }
  await deps.accounts.putProfile(customerId, { id: created.id, type: 'BUSINESS' });
  const stored = (await deps.accounts.getProfile(customerId, created.id)) ?? { type: 'BUSINESS' as const, verification: 'unknown' as const };
  return { status: 201, body: { profile: profileView(created, stored) } };
};

/**
 * Route 4: Wise lets a verified profile change only inside an update window, so every update is
 * wrapped in one: open, PUT the v2 profile, close (also when the PUT fails, so no window is left open).
 */
export const updateProfile = async (
  deps: Dependencies,
  customerId: string,
  profileId: number,
  rawBody: unknown,
  deadline: number,
): Promise<HttpResult> => {
  const stored = await ownedProfile(deps, customerId, profileId);
  const isPersonal = stored.type === 'PERSONAL';
  const body = isPersonal
    ? toWisePersonalProfile(parseWith(personalProfileUpdateSchema(() => deps.clock.now()), rawBody))
    : toWiseBusinessProfile(parseWith(businessProfileSchema, rawBody));
  const kind = isPersonal ? 'personal' : 'business';
  const updated = await deps.tokens.withAccessToken(
    customerId,
    async (token) => {
      await deps.wise.openUpdateWindow(token, profileId, { deadline });
      try {
        return await deps.wise.updateProfile(token, profileId, kind, body, { deadline });
      } finally {
        await deps.wise.closeUpdateWindow(token, profileId, { deadline }).catch(() => {
          deps.logger.warn('update window not closed', { profileId });
        });
      }
    },
    { deadline },
  ).catch((err: unknown) => {
    throw wiseRejectedInput(err, isPersonal ? personalFieldPaths : {});
  });
  return { status: 200, body: { profile: profileView(updated, stored) } };
};

export const verificationCheckBody = z.object({
  sourceCurrencies: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 currency code')
        .transform((c) => c.toUpperCase()),
    )
    .min(1, 'must name at least one currency')
    .max(20, 'must name at most 20 currencies')
    .transform((list) => [...new Set(list)]),
});

/** Route 5: Wise's live bank-transfer verification check, with a yes/no per currency. */
export const checkVerification = async (
  deps: Dependencies,
  customerId: string,
  profileId: number,
  currencies: string[],
  deadline: number,
): Promise<HttpResult> => {
  await ownedProfile(deps, customerId, profileId);
  const status = await deps.tokens.withAccessToken(
    customerId,
    (token) => deps.wise.verificationStatus(token, profileId, currencies, { deadline }),
    { deadline },
  );
  return { status: 200, body: { routes: status.routes, canTransfer: canTransferByCurrency(status.routes) } };
};

/** Route 6: an identification document (e.g. a Brazilian CPF) for a personal profile. */
export const submitIdentityDocument = async (
  deps: Dependencies,
  customerId: string,
  profileId: number,
  document: IdentityDocument,
  deadline: number,
): Promise<HttpResult> => {
  const profile = await ownedProfile(deps, customerId, profileId);
  if (profile.type !== 'PERSONAL') {
    throw validationFailed([{ path: 'profileId', message: 'identity documents are accepted for personal profiles only' }]);
  }
  try {
    await deps.tokens.withAccessToken(
      customerId,
      (token) => deps.wise.submitVerificationDocument(token, profileId, { ...document }, { deadline }),
      { deadline },
    );
  } catch (err) {
    // Wise's document check answers `{ errorMessage: "NAME_MISMATCH", success: false }`: a reason code, no personal data.
    const reason = err instanceof WiseApiError ? (err.body as { errorMessage?: unknown } | undefined)?.errorMessage : undefined;
    if (typeof reason === 'string' && /^[A-Z_]{1,64}$/.test(reason)) {
      throw new ProblemError(422, 'DOCUMENT_REJECTED', `Wise did not accept the document: ${reason}.`);
    }
    throw wiseRejectedInput(err);
  }
  return { status: 201, body: { profileId, type: document.type, success: true } };
};
