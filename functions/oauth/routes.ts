import { LeasedCodeAttempts } from '../../shared/adapters/dynamodb/code-attempts';
import { DynamoLinkResults } from '../../shared/adapters/dynamodb/link-results';
import { DynamoProfileOwners } from '../../shared/adapters/dynamodb/profile-owners';
import { AuthorizeLinks } from '../../shared/domain/linking/authorize-links';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { functionRoutes } from '../../shared/runtime/function';
import { LinkStateStore } from '../../shared/store/link-state-store';
import { AccountLinker } from './account-linker';
import { CallbackCompletion } from './callback-completion';
import { completeLink } from './complete-link';
import { disconnect } from './disconnect';
import { Disconnection } from './disconnection';
import { EmailFallback } from './email-fallback';
import { IdentityRecording } from './identity-recording';
import { LinkCompletion } from './link-completion';
import { LinkStarter } from './link-starter';
import { linkWithCode } from './link-with-code';
import { oauthCallback } from './oauth-callback';
import { putIdentity } from './put-identity';
import { startLink } from './start-link';

/** The use cases the oauth function's operations call. */
export interface OauthServices {
  readonly linkStarter: LinkStarter;
  readonly callback: CallbackCompletion;
  readonly linkCompletion: LinkCompletion;
  readonly emailFallback: EmailFallback;
  readonly identityRecording: IdentityRecording;
  readonly disconnection: Disconnection;
}

/** Built once per container; routes 17 and 10 complete a link the same way (one AccountLinker). */
const oauthServices = (deps: Dependencies): OauthServices => {
  const { config, accounts, grants, identities, audit, cipher, wise, clock, logger, table } = deps;
  const linkStates = new LinkStateStore(table);
  const linkResults = new DynamoLinkResults(table);
  const redirectUri = config.oauthCallbackUrl;
  const linker = new AccountLinker({
    wise,
    grants,
    accounts,
    identities,
    owners: new DynamoProfileOwners(table, clock),
    audit,
    logger,
    redirectUri,
  });
  const authorizeLinks = new AuthorizeLinks({
    accounts,
    linkStates,
    identities,
    credentials: deps.credentials,
    audit,
    clock,
    allowedReturnUrls: config.allowedReturnUrls,
    wiseWebBaseUrl: config.wiseWebBaseUrl,
    redirectUri,
  });
  return {
    linkStarter: new LinkStarter({ authorizeLinks, cipher, wiseAs: deps.wiseAs }),
    callback: new CallbackCompletion({
      linkStates,
      linkResults,
      cipher,
      clock,
      logger,
      allowedReturnUrls: config.allowedReturnUrls,
    }),
    linkCompletion: new LinkCompletion({ linkResults, lease: deps.lease, cipher, clock, linker }),
    emailFallback: new EmailFallback({
      identities,
      attempts: new LeasedCodeAttempts(deps.lease, table, clock),
      linker,
    }),
    identityRecording: new IdentityRecording({ identities, audit }),
    disconnection: new Disconnection({ accounts, grants, linkResults, audit, logger }),
  };
};

/** The oauth function's operations (routes 8–10 and 17–19), also walked by scripts/openapi-document.ts. */
export const operations = { startLink, oauthCallback, linkWithCode, completeLink, putIdentity, disconnect };

/** The oauth function's routes (see shared/routes.ts): linking an existing Wise account. */
export const routes = functionRoutes<'oauth', Dependencies, OauthServices>(oauthServices, operations);
