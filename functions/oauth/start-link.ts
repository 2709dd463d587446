import { authorizeUrl } from '../../shared/domain/linking/authorize-url';
import { newLinkState, newStateValue, stateHash, statusesMovingToLinkPending } from '../../shared/domain/linking/link-state';
import { isAllowedReturnUrl } from '../../shared/domain/return-url';
import { defineRoute } from '../../shared/http/handler-stack';
import { conflict, ProblemError } from '../../shared/http/problem';
import { customerContext } from '../../shared/ports/cipher';
import { deadlineFrom } from '../../shared/runtime/function';
import type { Dependencies } from '../../shared/runtime/dependencies';
import type { LinkStateStore } from '../../shared/store/link-state-store';
import { REGISTRATION_CODE_PURPOSE } from '../../shared/tokens/remint';
import { customerParams, startLinkBody } from './schemas';

export const returnUrlNotAllowed = () =>
  new ProblemError(400, 'RETURN_URL_NOT_ALLOWED', 'returnUrl is not on the configured allowlist.', {
    errors: [{ path: 'returnUrl', message: 'must start with one of the allowed return URLs' }],
  });

/**
 * Route 8: start linking a Wise account. Stores a single-use state (by its hash) bound to the
 * customer, the partner's date of birth and the allowlisted return URL, and answers with Wise's
 * authorization page URL. The redirect_uri always comes from configuration, never from the request.
 */
export const startLink = (deps: Dependencies, linkStates: LinkStateStore) =>
  defineRoute(
    { auth: 'customer', params: customerParams, body: startLinkBody(deps.clock), idempotent: true },
    async ({ params, body, remainingMs }) => {
      const { customerId } = params;
      if (!isAllowedReturnUrl(body.returnUrl, deps.config.allowedReturnUrls)) throw returnUrlNotAllowed();
      const account = await deps.accounts.get(customerId);
      const deadline = deadlineFrom(remainingMs());

      let claimAccountCode: string | undefined;
      if (body.claimAccount) {
        if (account?.origin !== 'CREATED' || !account.registrationCodeCiphertext) {
          throw conflict('CLAIM_NOT_AVAILABLE', 'Only a Wise account this service created can be claimed; link it instead.');
        }
        const registrationCode = await deps.cipher.decrypt(
          account.registrationCodeCiphertext,
          customerContext(customerId, REGISTRATION_CODE_PURPOSE),
        );
        claimAccountCode = await deps.tokens.withAccessToken(
          customerId,
          (token) => deps.wise.claimAccountCode(token, registrationCode, { deadline }),
          { deadline },
        );
      }

      const state = newStateValue();
      const link = newLinkState(
        { customerId, returnUrl: body.returnUrl, dateOfBirth: body.dateOfBirth, claimAccount: body.claimAccount },
        deps.clock.now(),
      );
      await linkStates.save(stateHash(state), link);
      if (!account) {
        if (!(await deps.accounts.create({ customerId, status: 'LINK_PENDING' }))) {
          await deps.accounts.update(customerId, { status: 'LINK_PENDING' }, { expectStatus: [...statusesMovingToLinkPending] });
        }
      } else {
        // A compare-and-set: an account that became ACTIVE or LINKED meanwhile keeps its status.
        await deps.accounts.update(customerId, { status: 'LINK_PENDING' }, { expectStatus: [...statusesMovingToLinkPending] });
      }

      const { clientId } = await deps.credentials.get();
      return {
        status: 201,
        body: {
          authorizeUrl: authorizeUrl({
            webBaseUrl: deps.config.wiseWebBaseUrl,
            clientId,
            redirectUri: deps.config.oauthCallbackUrl,
            state,
            claimAccountCode,
          }),
          expiresAt: new Date(link.expiresAt).toISOString(),
        },
      };
    },
  );
