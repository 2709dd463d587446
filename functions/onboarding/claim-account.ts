import { conflict, notFound } from '../../shared/http/problem';
import type { HttpResult } from '../../shared/http/types';
import { customerContext } from '../../shared/ports/cipher';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';

/** Wise's claim-account codes live five minutes (API-NOTES §2.3). */
export const CLAIM_CODE_TTL_MS = 5 * 60 * 1000;

/**
 * Route 7: a link that lets the customer take over the Wise account this service created (set a
 * password at Wise). Only for users we created: they are the only ones with a registration code.
 */
export const createClaimLink = async (deps: Dependencies, customerId: string, deadline: number): Promise<HttpResult> => {
  const account = await deps.accounts.get(customerId);
  if (!account) throw notFound('CUSTOMER_NOT_FOUND', 'This customer has no Wise account here.');
  if (account.origin !== 'CREATED' || !account.registrationCodeCiphertext || account.status !== 'ACTIVE') {
    throw conflict('CLAIM_NOT_AVAILABLE', 'Only an active Wise account this service created can be claimed.');
  }
  const registrationCode = await deps.cipher.decrypt(
    account.registrationCodeCiphertext,
    customerContext(customerId, REGISTRATION_CODE_PURPOSE),
  );
  const claimAccountCode = await deps.tokens.withAccessToken(
    customerId,
    (token) => deps.wise.claimAccountCode(token, registrationCode, { deadline }),
    { deadline },
  );
  const expiresAt = new Date(deps.clock.now() + CLAIM_CODE_TTL_MS).toISOString();
  const { clientId } = await deps.credentials.get();
  const url = new URL(`${deps.config.wiseWebBaseUrl}/oauth/authorize/`);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', deps.config.oauthCallbackUrl);
  url.searchParams.set('claim_account_code', claimAccountCode);
  return { status: 201, body: { claimUrl: url.toString(), expiresAt } };
};
