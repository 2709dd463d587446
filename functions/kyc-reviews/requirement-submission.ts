/**
 * Submitting a KYC requirement over the API (API-NOTES §5, Wise's closed beta): a pass-through
 * with type and size limits, served as the 16th partner route (submit-kyc-requirement.ts parses
 * the multipart body into a {@link RequirementSubmission}).
 */
import { readAsOf } from '../../shared/domain/kyc/freshness';
import { normaliseRequirements, type KycRequirements } from '../../shared/domain/kyc/review';
import {
  checkSubmission,
  submissionDataFor,
  submittable,
  type SubmittableVerdict,
  type SubmittedFile,
} from '../../shared/domain/kyc/requirement-submission';
import { wiseInstantToIso } from '../../shared/domain/kyc/wise-time';
import { DomainError, ValidationError, type FieldError } from '../../shared/errors/domain-error';
import type { AccountStore } from '../../shared/ports/accounts';
import type { Clock } from '../../shared/ports/clock';
import type { KycReviewStore } from '../../shared/ports/kyc-reviews';
import type { WiseAs, WiseCallOptions as CallOptions } from '../../shared/ports/wise';
import { WiseApiError } from '../../shared/wise/errors';
import { profileNotFound, reviewNotFound } from './kyc-review-service';

export interface RequirementSubmission {
  data: unknown;
  files: SubmittedFile[];
}

export interface SubmitRequirementDeps {
  clock: Clock;
  wiseAs: WiseAs;
  accounts: Pick<AccountStore, 'getProfile'>;
  reviews: Pick<KycReviewStore, 'save'>;
}

/** Each reason the domain rule gives for refusing a submission, as its catalogue code. */
const refusal = {
  REVIEW_NOT_AWAITING_INPUT: 'KYC_REVIEW_NOT_AWAITING_INPUT',
  REQUIREMENT_NOT_FOUND: 'KYC_REQUIREMENT_NOT_FOUND',
  REQUIREMENT_NOT_API_COLLECTABLE: 'KYC_REQUIREMENT_NOT_API_COLLECTABLE',
  REQUIREMENT_ALREADY_PROVIDED: 'KYC_REQUIREMENT_ALREADY_PROVIDED',
} as const satisfies Record<Exclude<SubmittableVerdict, { ok: true }>['reason'], string>;

/** Wise's RFC-7807-like 400 (`errors[{ ref, detail }]`), bounded, as field errors. Wise's texts carry no secret. */
const wiseFieldErrors = (body: unknown): FieldError[] => {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.slice(0, 20).flatMap((e) => {
    const ref = (e as { ref?: unknown }).ref;
    const detail = (e as { detail?: unknown }).detail;
    return typeof ref === 'string' && typeof detail === 'string'
      ? [{ path: ref.slice(0, 200), message: detail.slice(0, 500) }]
      : [];
  });
};

const submitRefused = (err: unknown): unknown => {
  if (!(err instanceof WiseApiError)) return err;
  switch (err.status) {
    case 400:
      return new DomainError('KYC_SUBMISSION_REJECTED', { errors: wiseFieldErrors(err.body) });
    case 404:
      return reviewNotFound();
    case 413:
      return new DomainError('PAYLOAD_TOO_LARGE', { detail: 'Wise found the files too large.' });
    case 415:
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', { detail: 'Wise did not accept the file types.' });
    default:
      return err;
  }
};

const markInReview = (requirements: KycRequirements, key: string): KycRequirements =>
  requirements.map((line) => line.map((q) => (q.key === key ? { ...q, state: 'IN_REVIEW' } : q)));

/**
 * Checks the input, then Wise's current view of the review (its v2 read has the requirements),
 * and only then passes the submission on. Every refusal happens before anything reaches Wise.
 */
export class SubmitKycRequirement {
  constructor(private readonly deps: SubmitRequirementDeps) {}

  async run(
    customerId: string,
    profileId: number,
    reviewId: string,
    requirementKey: string,
    input: RequirementSubmission,
    options: CallOptions,
  ): Promise<{ reviewId: string; requirementKey: string; state: 'IN_REVIEW' }> {
    const problems = checkSubmission({ requirementKey, data: input.data, files: input.files });
    if (problems.length > 0) throw new ValidationError(problems);
    if (!(await this.deps.accounts.getProfile(customerId, profileId))) throw profileNotFound();

    const wise = this.deps.wiseAs(customerId, options);
    const current = await wise.getKycReview(profileId, reviewId).catch((err: unknown) => {
      throw err instanceof WiseApiError && err.status === 404 ? reviewNotFound() : err;
    });
    const requirements = normaliseRequirements(current.requirements) ?? [];
    const verdict = submittable({ status: current.status, requirements }, requirementKey);
    if (!verdict.ok) throw new DomainError(refusal[verdict.reason]);

    await wise
      .submitKycRequirement(
        profileId,
        requirementKey,
        submissionDataFor(reviewId, input.data as Record<string, unknown>),
        input.files,
      )
      .catch((err: unknown) => {
        throw submitRefused(err);
      });

    await this.deps.reviews.save(
      customerId,
      profileId,
      reviewId,
      { requirements: markInReview(requirements, requirementKey) },
      {
        status: current.status,
        asOf: readAsOf(this.deps.clock.now()),
        requiredBy: wiseInstantToIso(current.requiredBy),
      },
    );
    return { reviewId, requirementKey, state: 'IN_REVIEW' };
  }
}
