import { describe, expect, it } from 'vitest';
import { routeScopes } from '../../infra/constructs/api';
import { ADMIN_SCOPE, routeById, routes, WISE_ACCESS_SCOPE } from '../../shared/routes';

describe("API Gateway's route authorization scopes", () => {
  it('asks the authorizer for the Wise-access scope on route 20 and the admin scope on partner-only routes', () => {
    // Assess
    expect(routeScopes(routeById('issueAccessToken'))).toEqual({ authorizationScopes: [WISE_ACCESS_SCOPE] });
    for (const id of ['listAuditEvents', 'listCustomers', 'eraseCustomer'] as const) {
      expect(routeScopes(routeById(id))).toEqual({ authorizationScopes: [ADMIN_SCOPE] });
    }
  });

  it('asks for no scope where a customer may call (its token has none) and on public routes', () => {
    // Assess
    for (const route of routes.filter(
      (r) => r.auth === 'public' || (r.callers as readonly string[]).includes('customer'),
    )) {
      expect(routeScopes(route)).toEqual({});
    }
  });
});
