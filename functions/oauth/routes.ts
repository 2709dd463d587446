import type { Dependencies } from '../../shared/runtime/dependencies';
import { functionRoutes } from '../../shared/runtime/function';
import { LinkStateStore } from '../../shared/store/link-state-store';
import { AccountLinker } from './account-linker';
import { CallbackCompletion } from './callback-completion';
import { EmailFallback } from './email-fallback';
import { LinkStarter } from './link-starter';
import { linkWithCode } from './link-with-code';
import { oauthCallback } from './oauth-callback';
import { startLink } from './start-link';

/** The use cases the oauth function's operations call. */
export interface OauthServices {
  readonly linkStarter: LinkStarter;
  readonly callback: CallbackCompletion;
  readonly emailFallback: EmailFallback;
}

/** Built once per container; the callback and the email fallback complete a link the same way. */
const oauthServices = (deps: Dependencies): OauthServices => {
  const { config, accounts, tokens, wise, clock, logger } = deps;
  const linkStates = new LinkStateStore(deps.table);
  const redirectUri = config.oauthCallbackUrl;
  const linker = new AccountLinker({ wise, tokens, accounts, logger, redirectUri });
  return {
    linkStarter: new LinkStarter({
      accounts,
      linkStates,
      cipher: deps.cipher,
      wiseAs: deps.wiseAs,
      credentials: deps.credentials,
      clock,
      allowedReturnUrls: config.allowedReturnUrls,
      wiseWebBaseUrl: config.wiseWebBaseUrl,
      redirectUri,
    }),
    callback: new CallbackCompletion({
      linkStates,
      linker,
      clock,
      logger,
      allowedReturnUrls: config.allowedReturnUrls,
    }),
    emailFallback: new EmailFallback({ accounts, linkStates, linker }),
  };
};

/** The oauth function's operations (routes 8–10), also walked by scripts/openapi-document.ts. */
export const operations = { startLink, oauthCallback, linkWithCode };

/** The oauth function's routes (see shared/routes.ts): linking an existing Wise account. */
export const routes = functionRoutes<'oauth', Dependencies, OauthServices>(oauthServices, operations);
