import type { Logger } from '@aws-lambda-powertools/logger';
import type { ProfileRecord } from '../../shared/domain/account';
import {
  toWiseBusinessProfile,
  businessProfileSchema,
  type BusinessProfileDetails,
} from '../../shared/domain/onboarding/business-profile';
import type { IdentityDocument } from '../../shared/domain/onboarding/identity-document';
import {
  personalProfileUpdateSchema,
  toWisePersonalProfile,
} from '../../shared/domain/onboarding/personal-profile';
import { uuidFrom } from '../../shared/domain/onboarding/registration-code';
import { canTransferByCurrency } from '../../shared/domain/onboarding/verification';
import { DomainError, ValidationError } from '../../shared/errors/domain-error';
import { parseWith } from '../../shared/errors/validation';
import type { AccountStore } from '../../shared/ports/accounts';
import type { Clock } from '../../shared/ports/clock';
import type { VerificationStatus, WiseAs } from '../../shared/ports/wise';
import { WiseApiError, WiseDocumentRejectedError } from '../../shared/wise/errors';
import { personalFieldPaths } from './signup';
import { wiseRejectedInput } from './wise-rejections';

export interface ProfilePorts {
  accounts: Pick<AccountStore, 'get' | 'getProfile' | 'putProfile'>;
  wiseAs: WiseAs;
  clock: Clock;
  logger: Logger;
}

/** A Wise profile as the partner API shows it: Wise's own fields, with this service's type and verification. */
export type ProfileView = Record<string, unknown> & Pick<ProfileRecord, 'id' | 'type' | 'verification'>;

const profileView = (
  wiseProfile: Record<string, unknown> & { id: number },
  stored: Pick<ProfileRecord, 'type' | 'verification'>,
): ProfileView => {
  const { type: _type, ...fields } = wiseProfile;
  return { ...fields, type: stored.type, verification: stored.verification };
};

/** Bank-transfer verification per source currency (route 5). */
export interface VerificationCheck {
  /** Wise's routes, as Wise answered them. */
  routes: VerificationStatus['routes'];
  canTransfer: Record<string, boolean>;
}

/** Routes 3–6: the customer's Wise profiles, each call made with the customer's own tokens. */
export class Profiles {
  constructor(private readonly ports: ProfilePorts) {}

  /** The profile, when it is this customer's; the same PROFILE_NOT_FOUND for someone else's and for none at all. */
  private async owned(customerId: string, profileId: number): Promise<ProfileRecord> {
    const profile = await this.ports.accounts.getProfile(customerId, profileId);
    if (!profile) throw new DomainError('PROFILE_NOT_FOUND');
    return profile;
  }

  /** Route 3: a business profile, after the personal one (Wise's rule). */
  async createBusiness(
    customerId: string,
    details: BusinessProfileDetails,
    deadline: number,
  ): Promise<ProfileView> {
    const { accounts, wiseAs } = this.ports;
    const account = await accounts.get(customerId);
    if (!account?.profiles.some((p) => p.type === 'PERSONAL'))
      throw new DomainError('PERSONAL_PROFILE_REQUIRED');
    const body = toWiseBusinessProfile(details);
    // Same customer and same details → same uuid: a retried request finds the profile Wise made, not a second one.
    const uuid = uuidFrom('wise-onboarding', 'business-profile', customerId, JSON.stringify(body));
    let created: Record<string, unknown> & { id: number };
    try {
      created = await wiseAs(customerId, { deadline }).createBusinessProfile(body, uuid);
    } catch (err) {
      throw wiseRejectedInput(err);
    }
    await accounts.putProfile(customerId, { id: created.id, type: 'BUSINESS' });
    const stored = (await accounts.getProfile(customerId, created.id)) ?? {
      type: 'BUSINESS' as const,
      verification: 'unknown' as const,
    };
    return profileView(created, stored);
  }

  /**
   * Route 4: the body's schema follows the stored profile's type, so it is parsed here. Wise lets
   * a verified profile change only inside an update window, so every update is wrapped in one:
   * open, PUT the v2 profile, close (also when the PUT fails, so no window is left open).
   */
  async update(
    customerId: string,
    profileId: number,
    rawBody: unknown,
    deadline: number,
  ): Promise<ProfileView> {
    const { clock, logger } = this.ports;
    const stored = await this.owned(customerId, profileId);
    const isPersonal = stored.type === 'PERSONAL';
    const body = isPersonal
      ? toWisePersonalProfile(
          parseWith(
            personalProfileUpdateSchema(() => clock.now()),
            rawBody,
          ),
        )
      : toWiseBusinessProfile(parseWith(businessProfileSchema, rawBody));
    const wise = this.ports.wiseAs(customerId, { deadline });
    const change = async () => {
      await wise.openUpdateWindow(profileId);
      try {
        return await wise.updateProfile(profileId, isPersonal ? 'personal' : 'business', body);
      } finally {
        await wise.closeUpdateWindow(profileId).catch(() => {
          logger.warn('update window not closed', { profileId });
        });
      }
    };
    const updated = await change().catch((err: unknown) => {
      throw wiseRejectedInput(err, isPersonal ? personalFieldPaths : {});
    });
    return profileView(updated, stored);
  }

  /** Route 5: Wise's live bank-transfer verification check, with a yes/no per currency. */
  async checkVerification(
    customerId: string,
    profileId: number,
    currencies: string[],
    deadline: number,
  ): Promise<VerificationCheck> {
    await this.owned(customerId, profileId);
    const status = await this.ports
      .wiseAs(customerId, { deadline })
      .verificationStatus(profileId, currencies);
    return { routes: status.routes, canTransfer: canTransferByCurrency(status.routes) };
  }

  /** Route 6: an identification document (e.g. a Brazilian CPF) for a personal profile. */
  async submitIdentityDocument(
    customerId: string,
    profileId: number,
    document: IdentityDocument,
    deadline: number,
  ): Promise<void> {
    const profile = await this.owned(customerId, profileId);
    if (profile.type !== 'PERSONAL') {
      throw new ValidationError([
        { path: 'profileId', message: 'identity documents are accepted for personal profiles only' },
      ]);
    }
    try {
      await this.ports
        .wiseAs(customerId, { deadline })
        .submitVerificationDocument(profileId, { ...document });
    } catch (err) {
      // Wise documents one answer here, 200 `{ errorMessage, success }`: `success: false` (the client's
      // WiseDocumentRejectedError) is a refusal, with a reason code and no personal data.
      if (err instanceof WiseDocumentRejectedError) {
        throw new DomainError('DOCUMENT_REJECTED', {
          ...(err.reason ? { detail: `Wise did not accept the document: ${err.reason}.` } : {}),
        });
      }
      // The same body with an error status (undocumented, seen before) means the same.
      const reason =
        err instanceof WiseApiError
          ? (err.body as { errorMessage?: unknown } | undefined)?.errorMessage
          : undefined;
      if (typeof reason === 'string' && /^[A-Z_]{1,64}$/.test(reason)) {
        throw new DomainError('DOCUMENT_REJECTED', {
          detail: `Wise did not accept the document: ${reason}.`,
        });
      }
      throw wiseRejectedInput(err);
    }
  }
}
