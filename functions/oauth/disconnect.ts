import { actorOf } from '../../shared/http/actor';
import { operationOf } from '../../shared/http/operation';
import type { OauthServices } from './routes';
import { customerParams } from './schemas';

/** Route 19. */
export const disconnect = operationOf<OauthServices>()({
  route: 'disconnect',
  summary: 'Disconnect the Wise account',
  description:
    'Every Wise grant of the customer and the registration code are forgotten (their ciphertexts deleted, and so are codes kept ' +
    'for a completion); the status becomes `DISCONNECTED` and the profiles stay listed with `access: "NONE"`. The identity on ' +
    "record and the profiles' link to this customer stay, so route 8 links again (and the account may then be linked to another " +
    'Wise user). 204, also when repeated or for a customer never seen.',
  params: customerParams,
  responses: { 204: { description: 'Disconnected (or nothing to disconnect).' } },
  problems: [],
  handle: async ({ params, caller }, { disconnection }) => {
    await disconnection.disconnect(params.customerId, actorOf(caller, params.customerId));
    return { status: 204 as const };
  },
});
