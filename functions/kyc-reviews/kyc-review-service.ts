import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { isAllowedReturnUrl, returnUrlNotAllowed } from '../../shared/domain/return-url';
import { canServeStoredLink, linkExpiry } from '../../shared/domain/kyc/link';
import { readAsOf } from '../../shared/domain/kyc/freshness';
import {
  normaliseRequirements,
  publicReview,
  sameTrigger,
  triggerFromReferences,
  wiseCreateBody,
  type KycReview,
  type KycTrigger,
  type PublicKycReview,
} from '../../shared/domain/kyc/review';
import { wiseInstantToIso } from '../../shared/domain/kyc/wise-time';
import { DomainError, InProgressError, ValidationError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import type { AuditActor, AuditTrail } from '../../shared/ports/audit';
import { customerContext, type Cipher } from '../../shared/ports/cipher';
import type { Clock } from '../../shared/ports/clock';
import {
  kycCreationLease,
  type KycReviewFields,
  type KycReviewStore,
  type KycStatusObservation,
} from '../../shared/ports/kyc-reviews';
import type { Lease, LeaseSpec } from '../../shared/ports/lease';
import type {
  CustomerWise,
  WiseAs,
  WiseCallOptions as CallOptions,
  WiseKycReview,
} from '../../shared/ports/wise';
import { sleep as realSleep, waitUntil } from '../../shared/runtime/wait';
import { WiseApiError, WiseContractError, WiseUnavailableError } from '../../shared/wise/errors';

/** Wise: a review is NEW "at most few seconds"; a partner asking for its link again waits this long. */
export const NEW_REVIEW_RETRY_AFTER_SECONDS = 3;

/** The encryption-context purpose of a hosted link: it opens the customer's KYC session. */
export const LINK_PURPOSE = 'kyc-hosted-link';

/**
 * A hosted link is bound to its customer AND its review: one review's ciphertext copied onto
 * another review of the same customer does not open. A link stored under the older context (no
 * review id) no longer opens either, so a fresh link is asked of Wise: nothing to migrate.
 */
export const hostedLinkContext = (customerId: string, reviewId: string) => ({
  ...customerContext(customerId, LINK_PURPOSE),
  reviewId,
});

export interface HostedLink {
  url: string;
  /** ISO instant. */
  expiresAt: string;
}

export type KycReviewWithLink = PublicKycReview & { link: HostedLink | null };

export interface KycReviewServiceDeps {
  allowedReturnUrls: readonly string[];
  clock: Clock;
  cipher: Cipher;
  wiseAs: WiseAs;
  accounts: Pick<AccountStore, 'getProfile'>;
  reviews: KycReviewStore;
  /** Makes one request at a time the creator of a review for a trigger ({@link kycCreationLease}). */
  lease: Lease;
  /** Waits in real time between reads of the store; a test's moved clock must not stretch or skip it. */
  sleep?: (ms: number) => Promise<void>;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Every hosted link answered is recorded (`kyc_link.issued`) before the answer leaves. */
  audit?: Pick<AuditTrail, 'record'>;
}

/** Who asks for a hosted link, for the audit trail. */
export type KycCallOptions = CallOptions & { actor?: AuditActor };

/**
 * How long one request may hold the creation of a review for a trigger. The function times out
 * after 25 s (infra/constructs/functions.ts) and every Wise call of route 12 stops at the
 * request's deadline, so a holder is done, or dead, within 25 s; a crashed holder's lease
 * is taken over 30 s after it was taken.
 */
export const CREATION_LEASE_MS = 30_000;
/** A request without the lease re-reads the store this often, this many times: about 2.5 s in all. */
export const CREATION_WAIT_POLL_MS = 250;
export const CREATION_WAIT_POLLS = 10;

/** Another request holds the creation and did not record the review within the bounded wait. */
export const kycReviewInProgress = () =>
  new InProgressError('KYC_REVIEW_IN_PROGRESS', { retryAfterSeconds: 2 });

/** What a request that tried to become the creator ends up with. */
type CreationTurn = { kind: 'holder'; release: () => Promise<void> } | { kind: 'stored'; review: KycReview };

export const profileNotFound = () => new DomainError('PROFILE_NOT_FOUND');
export const reviewNotFound = () => new DomainError('KYC_REVIEW_NOT_FOUND');

/**
 * The hosted-KYC use cases (routes 12–15). Wise is the authority on a review; the store keeps
 * what partners list and what webhooks update, plus the current hosted link, encrypted.
 */
export class KycReviewService {
  constructor(private readonly deps: KycReviewServiceDeps) {}

  private assertAllowed(redirectUrl: string): void {
    if (!isAllowedReturnUrl(redirectUrl, this.deps.allowedReturnUrls)) {
      throw returnUrlNotAllowed('redirectUrl');
    }
  }

  /** {profileId} must be one of the customer's own profiles; the Wise token would otherwise be misused. */
  private async assertOwnProfile(customerId: string, profileId: number): Promise<void> {
    if (!(await this.deps.accounts.getProfile(customerId, profileId))) throw profileNotFound();
  }

  private observation(review: WiseKycReview, receivedAt: number): KycStatusObservation {
    return {
      status: review.status,
      asOf: readAsOf(receivedAt),
      requiredBy: wiseInstantToIso(review.requiredBy),
    };
  }

  /** Records what a Wise answer says about a review; returns the review as stored afterwards. */
  private record(
    customerId: string,
    profileId: number,
    wise: WiseKycReview,
    receivedAt: number,
    fields: KycReviewFields = {},
  ) {
    const requirements = normaliseRequirements(wise.requirements);
    return this.deps.reviews.save(
      customerId,
      profileId,
      wise.id,
      {
        createdAt: wiseInstantToIso(wise.createdAt),
        ...(requirements ? { requirements } : {}),
        ...fields,
      },
      this.observation(wise, receivedAt),
    );
  }

  /**
   * Route 12. The same trigger never makes a second review: a stored one (or one Wise holds but
   * a failed earlier attempt never recorded) is answered again, with a link that is still good.
   * Simultaneous requests for one trigger are serialised by a creation lease: one creates, the
   * others answer with the review it records, or KYC_REVIEW_IN_PROGRESS when it takes longer.
   */
  async create(
    customerId: string,
    profileId: number,
    input: { trigger: KycTrigger; redirectUrl: string },
    options: KycCallOptions,
  ): Promise<{ created: boolean; review: KycReviewWithLink }> {
    const answer = await this.createOrFind(customerId, profileId, input, { deadline: options.deadline });
    if (answer.review.link)
      await this.linkIssued(customerId, answer.review.id, profileId, answer.review.link, options.actor);
    return answer;
  }

  /** The hosted link leaves only once its issue is on the audit trail (no secret in it: ids and the expiry). */
  private async linkIssued(
    customerId: string,
    reviewId: string,
    profileId: number,
    link: HostedLink,
    actor: AuditActor = { kind: 'system' },
  ): Promise<void> {
    await this.deps.audit?.record(customerId, {
      action: 'kyc_link.issued',
      actor,
      details: { profileId, reviewId, expiresAt: link.expiresAt },
    });
  }

  private async createOrFind(
    customerId: string,
    profileId: number,
    input: { trigger: KycTrigger; redirectUrl: string },
    options: CallOptions,
  ): Promise<{ created: boolean; review: KycReviewWithLink }> {
    this.assertAllowed(input.redirectUrl);
    await this.assertOwnProfile(customerId, profileId);

    const wise = this.deps.wiseAs(customerId, options);

    const stored = await this.storedFor(customerId, profileId, input.trigger);
    if (stored) return this.answerStored(customerId, stored, input.redirectUrl, wise);

    const turn = await this.creationTurn(customerId, profileId, input.trigger, options);
    if (turn.kind === 'stored') return this.answerStored(customerId, turn.review, input.redirectUrl, wise);
    try {
      // Another holder may have recorded it between the read above and this lease.
      const recorded = await this.storedFor(customerId, profileId, input.trigger);
      if (recorded) return await this.answerStored(customerId, recorded, input.redirectUrl, wise);
      return await this.createHoldingLease(customerId, profileId, input, wise, turn.release);
    } finally {
      await turn.release();
    }
  }

  /** The stored review for this trigger, if any. */
  private async storedFor(
    customerId: string,
    profileId: number,
    trigger: KycTrigger,
  ): Promise<KycReview | undefined> {
    return (await this.deps.reviews.list(customerId, profileId)).find((r) => sameTrigger(r.trigger, trigger));
  }

  /** Route 12 for a review that already exists (not created): it, with a link that is still good. */
  private async answerStored(
    customerId: string,
    stored: KycReview,
    redirectUrl: string,
    wise: CustomerWise,
  ): Promise<{ created: boolean; review: KycReviewWithLink }> {
    const { review, link } = await this.linkFor(customerId, stored, redirectUrl, wise, { reuseStored: true });
    return { created: false, review: { ...publicReview(review), link } };
  }

  /**
   * Creates the review (or recovers the one Wise holds), records it and releases the lease as soon
   * as it is recorded: from then on every request finds it in the store.
   */
  private async createHoldingLease(
    customerId: string,
    profileId: number,
    input: { trigger: KycTrigger; redirectUrl: string },
    wise: CustomerWise,
    release: () => Promise<void>,
  ): Promise<{ created: boolean; review: KycReviewWithLink }> {
    // An earlier attempt may have created the review at Wise and died before recording it.
    const atWise = await wise.listKycReviews(profileId);
    let created = atWise.find((r) => sameTrigger(triggerFromReferences(r.triggerReferences), input.trigger));
    if (!created) {
      created = await wise.createKycReview(profileId, wiseCreateBody(input.trigger)).catch((err: unknown) => {
        throw this.createRefused(err, input.trigger);
      });
    }
    // Recorded before asking for the link, so a retry after a failure below finds it and goes on.
    let review = await this.record(customerId, profileId, created, this.deps.clock.now(), {
      trigger: input.trigger,
    });
    this.deps.logger?.info('kyc review recorded', {
      profileId,
      reviewId: review.reviewId,
      status: review.status,
    });
    await release();

    const linked = await this.linkFor(customerId, review, input.redirectUrl, wise, { reuseStored: false });
    review = await this.withRequirements(customerId, linked.review, wise);
    return { created: true, review: { ...publicReview(review), link: linked.link } };
  }

  /**
   * Makes this request the creator (its lease, with a release that runs once and never fails the
   * request), or waits a bounded while for the creator's review: re-reads the store every
   * CREATION_WAIT_POLL_MS and takes the lease over if the creator gave it up without recording one
   * (Wise refused the trigger, say). Throws KYC_REVIEW_IN_PROGRESS when neither happens in time.
   */
  private async creationTurn(
    customerId: string,
    profileId: number,
    trigger: KycTrigger,
    options: CallOptions,
  ): Promise<CreationTurn> {
    const { lease } = this.deps;
    const spec = kycCreationLease(customerId, profileId, trigger);
    const owner = randomUUID();
    const holder: CreationTurn = { kind: 'holder', release: this.releaser(lease, spec, owner, profileId) };

    // The wait is real time, as the caller's deadline is. It has lasted at least as long as it
    // slept, which also bounds it when a test's sleep returns at once.
    const sleep = this.deps.sleep ?? realSleep;
    const started = Date.now();
    let slept = 0;
    let polls = 0;
    const turn = await waitUntil<CreationTurn>(
      async () => {
        // The first try is the lease alone: the store was read just before.
        if (polls++ > 0) {
          const review = await this.storedFor(customerId, profileId, trigger);
          if (review) return { kind: 'stored', review };
        }
        return (await lease.take(spec, owner, CREATION_LEASE_MS)) ? holder : undefined;
      },
      {
        every: CREATION_WAIT_POLL_MS,
        deadline: Math.min(
          options.deadline ?? Infinity,
          started + CREATION_WAIT_POLLS * CREATION_WAIT_POLL_MS,
        ),
        sleep: async (ms) => {
          await sleep(ms);
          slept += ms;
        },
        now: () => Math.max(Date.now(), started + slept),
      },
    );
    if (turn) return turn;
    this.deps.logger?.info('kyc review creation in progress elsewhere', { profileId, trigger: trigger.type });
    throw kycReviewInProgress();
  }

  /** Releases the lease once; a release that fails only makes the next creator wait for its expiry. */
  private releaser(lease: Lease, spec: LeaseSpec, owner: string, profileId: number): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await lease.release(spec, owner).catch((err: unknown) => {
        this.deps.logger?.warn('kyc creation lease not released', { profileId, error: (err as Error).name });
      });
    };
  }

  /** Wise's 404 on create names the underlying object: for a QUOTE trigger, the quote. */
  private createRefused(err: unknown, trigger: KycTrigger): unknown {
    if (!(err instanceof WiseApiError) || err.status !== 404) return err;
    if (trigger.type === 'QUOTE') {
      return new DomainError('QUOTE_NOT_FOUND', {
        errors: [{ path: 'trigger.id', message: 'no such quote for this profile at Wise' }],
      });
    }
    return profileNotFound();
  }

  /**
   * Requirements come only with Wise's v2 read. Reading them is worth a call at creation (the
   * partner may collect some over the API) but not worth failing a review that already exists.
   */
  private async withRequirements(
    customerId: string,
    review: KycReview,
    wise: CustomerWise,
  ): Promise<KycReview> {
    try {
      const read = await wise.getKycReview(review.profileId, review.reviewId);
      return await this.record(customerId, review.profileId, read, this.deps.clock.now());
    } catch (err) {
      const wiseFailed =
        err instanceof WiseUnavailableError ||
        err instanceof WiseApiError ||
        err instanceof WiseContractError;
      if (!wiseFailed) throw err;
      this.deps.logger?.warn('kyc requirements not read', { reviewId: review.reviewId, error: err.name });
      return review;
    }
  }

  /**
   * A hosted link for the review: with `reuseStored` (route 12 answering a review it already
   * holds) the stored one while it has more than the safety margin left and returns to the same
   * place; otherwise a fresh one from Wise (PATCH redirectUrl). Null when Wise gives none: the
   * review is still NEW (Wise shows the link only in WAITING_CUSTOMER_INPUT), or does not wait
   * for the customer.
   */
  private async linkFor(
    customerId: string,
    review: KycReview,
    redirectUrl: string,
    wise: CustomerWise,
    { reuseStored }: { reuseStored: boolean },
  ): Promise<{ review: KycReview; link: HostedLink | null }> {
    const context = hostedLinkContext(customerId, review.reviewId);
    if (reuseStored && canServeStoredLink(review, this.deps.clock.now(), redirectUrl)) {
      const url = await this.deps.cipher.decrypt(review.linkCiphertext!, context).catch(() => undefined);
      if (url !== undefined) {
        return { review, link: { url, expiresAt: new Date(review.linkExpiresAt!).toISOString() } };
      }
    }

    // Wise generates the link while answering this PATCH: it lives 5 minutes from no earlier than now.
    const requestedAt = this.deps.clock.now();
    const redirected = await wise.setKycReviewRedirect(review.profileId, review.reviewId, redirectUrl);
    const receivedAt = this.deps.clock.now();
    if (!redirected.link) {
      return {
        review: await this.record(customerId, review.profileId, redirected, receivedAt, { redirectUrl }),
        link: null,
      };
    }
    const expiresAt = linkExpiry(requestedAt);
    const linkCiphertext = await this.deps.cipher.encrypt(redirected.link.value, context);
    const saved = await this.record(customerId, review.profileId, redirected, receivedAt, {
      redirectUrl,
      linkCiphertext,
      linkExpiresAt: expiresAt,
    });
    return {
      review: saved,
      link: { url: redirected.link.value, expiresAt: new Date(expiresAt).toISOString() },
    };
  }

  /** Route 13: what the store holds, kept current by webhooks. No Wise call. */
  async list(customerId: string, profileId: number): Promise<PublicKycReview[]> {
    await this.assertOwnProfile(customerId, profileId);
    return (await this.deps.reviews.list(customerId, profileId)).map(publicReview);
  }

  /**
   * Route 14: Wise's v2 read, recorded (never over a newer webhook state) and answered as stored.
   * While Wise is unavailable, the stored review answers.
   */
  async get(
    customerId: string,
    profileId: number,
    reviewId: string,
    options: CallOptions,
  ): Promise<PublicKycReview> {
    await this.assertOwnProfile(customerId, profileId);
    let read: WiseKycReview;
    try {
      read = await this.deps.wiseAs(customerId, options).getKycReview(profileId, reviewId);
    } catch (err) {
      // A token refresh held up by another caller is an outage too (the token port's WISE_UNAVAILABLE).
      const unavailable =
        err instanceof WiseUnavailableError ||
        (err instanceof DomainError && err.code === 'WISE_UNAVAILABLE');
      const unknownAtWise = err instanceof WiseApiError && err.status === 404;
      if (!unavailable && !unknownAtWise) throw err;
      const stored = await this.deps.reviews.get(customerId, profileId, reviewId);
      if (stored) {
        this.deps.logger?.warn('kyc review answered from the store', {
          reviewId,
          reason: unavailable ? 'wise-unavailable' : 'wise-404',
        });
        return publicReview(stored);
      }
      if (unknownAtWise) throw reviewNotFound();
      throw err;
    }
    // Wise answered for this profile with the customer's token: the review is theirs, known here or not.
    const stored = await this.deps.reviews.get(customerId, profileId, reviewId);
    const trigger = stored?.trigger ?? triggerFromReferences(read.triggerReferences);
    const saved = await this.record(
      customerId,
      profileId,
      read,
      this.deps.clock.now(),
      trigger ? { trigger } : {},
    );
    return publicReview(saved);
  }

  /**
   * Route 15: always a new link, asked of Wise at this call (contract v2: Wise's link carries a
   * one-time token, so one handed out before may already be spent). A review still NEW has none
   * yet: 409 KYC_LINK_UNAVAILABLE with Retry-After, Wise's "at most few seconds".
   */
  async link(
    customerId: string,
    profileId: number,
    reviewId: string,
    input: { redirectUrl?: string },
    options: KycCallOptions,
  ): Promise<HostedLink> {
    if (input.redirectUrl !== undefined) this.assertAllowed(input.redirectUrl);
    await this.assertOwnProfile(customerId, profileId);
    const stored = await this.deps.reviews.get(customerId, profileId, reviewId);
    if (!stored) throw reviewNotFound();
    const redirectUrl = input.redirectUrl ?? stored.redirectUrl;
    if (redirectUrl === undefined) {
      throw new ValidationError([
        { path: 'redirectUrl', message: 'required: this review has no redirect URL yet' },
      ]);
    }
    // The allowlist may have shrunk since the review was created.
    if (input.redirectUrl === undefined) this.assertAllowed(redirectUrl);
    const { review, link } = await this.linkFor(
      customerId,
      stored,
      redirectUrl,
      this.deps.wiseAs(customerId, { deadline: options.deadline }),
      { reuseStored: false },
    );
    if (!link && review.status === 'NEW') {
      throw new DomainError('KYC_LINK_UNAVAILABLE', {
        detail: 'The review is NEW: Wise is still working out what it needs. Ask again in a few seconds.',
        retryAfterSeconds: NEW_REVIEW_RETRY_AFTER_SECONDS,
        // Only this case of the code says when to come back (the catalogue's code does not, in general).
        headers: { 'Retry-After': String(NEW_REVIEW_RETRY_AFTER_SECONDS) },
      });
    }
    if (!link) {
      throw new DomainError('KYC_LINK_UNAVAILABLE', {
        detail: `The review is ${review.status}: there is nothing for the customer to do on the hosted page.`,
      });
    }
    await this.linkIssued(customerId, reviewId, profileId, link, options.actor);
    return link;
  }
}
