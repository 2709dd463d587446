import type { Dependencies } from '../../shared/runtime/dependencies';
import type { RouteTable } from '../../shared/runtime/function';
import { LinkStateStore } from '../../shared/store/link-state-store';
import { AccountLinker } from './account-linker';
import { oauthCallback } from './callback';
import { linkWithCode } from './link-with-code';
import { startLink } from './start-link';

/** The oauth function's routes (see shared/routes.ts): linking an existing Wise account. */
export const routes = (deps: Dependencies): RouteTable => {
  const linkStates = new LinkStateStore(deps.table);
  const linker = new AccountLinker(deps);
  return {
    startLink: startLink(deps, linkStates),
    oauthCallback: oauthCallback(deps, linkStates, linker),
    linkWithCode: linkWithCode(deps, linkStates, linker),
  };
};
