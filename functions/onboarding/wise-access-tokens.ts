import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import type { AuditActor, AuditTrail } from '../../shared/ports/audit';
import type { Grants } from '../../shared/ports/grants';

/** Route 20 promises at least this much life on the token it answers. */
export const MIN_TOKEN_VALIDITY_MS = 5 * 60 * 1000;

export interface IssuedWiseAccess {
  accessToken: string;
  tokenType: 'bearer';
  /** ISO 8601. */
  expiresAt: string;
  profileId: number;
}

export interface WiseAccessTokenPorts {
  accounts: Pick<AccountStore, 'get' | 'getProfile'>;
  grants: Pick<Grants, 'accessToken'>;
  audit: Pick<AuditTrail, 'record'>;
  logger: Logger;
}

/**
 * Route 20: the partner's payment services get an access token of the grant that covers the
 * profile, valid for at least five more minutes (the grants refresh it first under their
 * one-refresher lease when it is not). Every token answered is on the audit trail first: when the
 * event cannot be written, no token leaves (503). The token is never logged and never stored in
 * the clear; the refresh token never leaves the grants.
 */
export class WiseAccessTokens {
  constructor(private readonly ports: WiseAccessTokenPorts) {}

  async issue(
    customerId: string,
    profileId: number,
    actor: AuditActor,
    deadline: number,
  ): Promise<IssuedWiseAccess> {
    const { accounts, grants, audit, logger } = this.ports;
    // The profile item and the grant are read at once: a grant covers only its customer's profiles,
    // so reading it first cannot reach another customer's token, and the answer waits for both.
    // The account is read only to tell which 404 it is.
    const [profile, token] = await Promise.allSettled([
      accounts.getProfile(customerId, profileId),
      grants.accessToken(customerId, profileId, { deadline, minValidityMs: MIN_TOKEN_VALIDITY_MS }),
    ]);
    if (profile.status === 'rejected') throw profile.reason;
    if (!profile.value) {
      throw new DomainError((await accounts.get(customerId)) ? 'PROFILE_NOT_FOUND' : 'CUSTOMER_NOT_FOUND');
    }
    if (token.status === 'rejected') throw token.reason;
    const issued = token.value;
    try {
      await audit.record(customerId, {
        action: 'access_token.issued',
        actor,
        details: { profileId, grantId: issued.grantId, expiresAt: new Date(issued.expiresAt).toISOString() },
      });
    } catch (err) {
      logger.warn('access token withheld: audit event not recorded', {
        customerId,
        profileId,
        errorName: (err as Error | undefined)?.name ?? 'unknown',
      });
      throw new DomainError('STORE_UNAVAILABLE', {
        detail: 'The access could not be recorded on the audit trail, so no token was issued; retry.',
        retryAfterSeconds: 1,
        cause: err,
      });
    }
    return {
      accessToken: issued.accessToken,
      tokenType: 'bearer',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      profileId,
    };
  }
}
