/**
 * One in-memory fake per port, shared by every unit test. Each honours the DynamoDB adapter's
 * semantics (conditions, expected statuses, versions, leases, expiry by the given Clock); the
 * contract tests in test/integration/ports run the same cases against both.
 *
 * @example
 * const clock = new ManualClock(0);
 * const { accounts, lease } = inMemoryStores(clock); // the account lease lives on the account item
 * const wise = new FakeWiseAccess().on('getProfile', async (_cid, id) => ({ id, type: 'PERSONAL' }));
 */
import type { Clock } from '../../../shared/ports/clock';
import { InMemoryAccountStore } from './in-memory-account-store';
import { InMemoryAuditTrail } from './in-memory-audit-trail';
import { InMemoryCodeAttempts } from './in-memory-code-attempts';
import { InMemoryGrants } from './in-memory-grants';
import { InMemoryIdentityRecords } from './in-memory-identity-records';
import { InMemoryIdempotencyStore } from './in-memory-idempotency-store';
import { InMemoryItems } from './in-memory-items';
import { InMemoryKycReviewStore } from './in-memory-kyc-review-store';
import { InMemoryLease } from './in-memory-lease';
import { InMemoryLinkResults } from './in-memory-link-results';
import { InMemoryLinkStateStore } from './in-memory-link-state-store';
import { InMemoryProfileOwners } from './in-memory-profile-owners';
import { InMemoryUserTokens } from './in-memory-user-tokens';
import { InMemoryWebhookEventStore } from './in-memory-webhook-event-store';

export {
  FakeWise,
  FakeWiseAccess,
  invalidGrant,
  invalidToken,
  wiseRefuses,
  wiseUnavailable,
} from './fake-wise';
export { InMemoryAccountStore } from './in-memory-account-store';
export { InMemoryAuditTrail } from './in-memory-audit-trail';
export { InMemoryCustomerDirectory } from './in-memory-customer-directory';
export { InMemoryCustomerErasure } from './in-memory-customer-erasure';
export { InMemoryCodeAttempts } from './in-memory-code-attempts';
export { InMemoryGrants } from './in-memory-grants';
export { InMemoryIdentityRecords } from './in-memory-identity-records';
export { InMemoryIdempotencyStore } from './in-memory-idempotency-store';
export { InMemoryItems } from './in-memory-items';
export { InMemoryKycReviewStore } from './in-memory-kyc-review-store';
export { InMemoryLease } from './in-memory-lease';
export { InMemoryLinkResults } from './in-memory-link-results';
export { conditionalCheckFailed, InMemoryLinkStateStore } from './in-memory-link-state-store';
export { InMemoryProfileOwners } from './in-memory-profile-owners';
export { InMemoryUserTokens } from './in-memory-user-tokens';
export { InMemoryWebhookEventStore } from './in-memory-webhook-event-store';
export { ManualClock } from '../../../shared/ports/clock';

/** Every store fake on one clock; the lease shares the account store's items, as on the table. */
export const inMemoryStores = (clock: Clock) => {
  const items = new InMemoryItems();
  return {
    items,
    accounts: new InMemoryAccountStore(clock, items),
    audit: new InMemoryAuditTrail(clock, items),
    lease: new InMemoryLease(clock, items),
    linkStates: new InMemoryLinkStateStore(),
    kycReviews: new InMemoryKycReviewStore(clock),
    webhookEvents: new InMemoryWebhookEventStore(clock),
    idempotency: new InMemoryIdempotencyStore(clock),
    tokens: new InMemoryUserTokens(),
    grants: new InMemoryGrants(() => clock.now()),
    identities: new InMemoryIdentityRecords(items),
    linkResults: new InMemoryLinkResults(items),
    codeAttempts: new InMemoryCodeAttempts(clock),
    profileOwners: new InMemoryProfileOwners(),
  };
};
