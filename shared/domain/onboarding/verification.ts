/** One route of Wise's bank-transfer verification check (API-NOTES §4). */
export interface VerificationRoute {
  source_currency: string;
  maximum_entitled_amount: number;
  current_status: string;
}

/**
 * Whether the customer can send from each currency now: `verified` can; `not_verified` with an
 * entitlement above 0 can, up to that cumulative amount; `not_verified` with 0 waits for verification.
 */
export const canTransferByCurrency = (routes: readonly VerificationRoute[]): Record<string, boolean> =>
  Object.fromEntries(
    routes.map((r) => [
      r.source_currency.toUpperCase(),
      r.current_status === 'verified' ||
        (r.current_status === 'not_verified' && r.maximum_entitled_amount > 0),
    ]),
  );
