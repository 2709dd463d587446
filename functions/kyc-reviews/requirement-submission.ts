/**
 * Submitting a KYC requirement over the API (API-NOTES §5, Wise's closed beta): a multipart
 * pass-through with type and size limits, served as the 16th partner route (shared/routes.ts):
 *   POST /v1/customers/{customerId}/wise-account/profiles/{profileId}/kyc-reviews/{reviewId}/requirements/{requirementKey}
 *   multipart/form-data: `data` (a JSON object, Wise's `submissionData.data`) and 0..5 `files`.
 */
import * as z from 'zod';
import { readAsOf } from '../../shared/domain/kyc/freshness';
import { normaliseRequirements, type KycRequirements } from '../../shared/domain/kyc/review';
import {
  checkSubmission,
  MAX_DATA_BYTES,
  MAX_TOTAL_FILE_BYTES,
  submissionDataFor,
  submittable,
  type SubmittableVerdict,
  type SubmittedFile,
} from '../../shared/domain/kyc/requirement-submission';
import { wiseInstantToIso } from '../../shared/domain/kyc/wise-time';
import { defineRoute, type RouteImpl } from '../../shared/http/handler-stack';
import { header, rawBody } from '../../shared/http/parse';
import { notFound, ProblemError, validationFailed, type FieldError } from '../../shared/http/problem';
import type { GatewayEvent } from '../../shared/http/types';
import type { Clock } from '../../shared/ports/clock';
import type { AccountStore } from '../../shared/store/account-store';
import { KycReviewStore } from '../../shared/store/kyc-review-store';
import type { UserTokenService } from '../../shared/tokens/user-tokens';
import type { CallOptions, WiseClient } from '../../shared/wise/client';
import { WiseApiError } from '../../shared/wise/errors';
import { profileNotFound, reviewNotFound } from './kyc-review-service';
import { reviewParams } from './schemas';
import type { Dependencies } from '../../shared/runtime/dependencies';
import { deadlineFrom } from '../../shared/runtime/function';

/** Multipart framing and part headers on top of the payload limits. */
const FRAMING_BYTES = 64 * 1024;
export const MAX_SUBMISSION_BODY_BYTES = MAX_TOTAL_FILE_BYTES + MAX_DATA_BYTES + FRAMING_BYTES;

export interface RequirementSubmission {
  data: unknown;
  files: SubmittedFile[];
}

export interface SubmitRequirementDeps {
  clock: Clock;
  wise: Pick<WiseClient, 'getKycReview' | 'submitKycRequirement'>;
  tokens: Pick<UserTokenService, 'withAccessToken'>;
  accounts: Pick<AccountStore, 'getProfile'>;
  reviews: Pick<KycReviewStore, 'save'>;
}

const refusal: Record<Exclude<SubmittableVerdict, { ok: true }>['reason'], () => ProblemError> = {
  REVIEW_NOT_AWAITING_INPUT: () =>
    new ProblemError(409, 'KYC_REVIEW_NOT_AWAITING_INPUT', 'Requirements can be submitted only while the review waits for the customer.'),
  REQUIREMENT_NOT_FOUND: () => notFound('KYC_REQUIREMENT_NOT_FOUND', 'The review has no such requirement.'),
  REQUIREMENT_NOT_API_COLLECTABLE: () =>
    new ProblemError(409, 'KYC_REQUIREMENT_NOT_API_COLLECTABLE', 'Wise collects this requirement only on its hosted page.'),
  REQUIREMENT_ALREADY_PROVIDED: () =>
    new ProblemError(409, 'KYC_REQUIREMENT_ALREADY_PROVIDED', 'This requirement has already been provided.'),
};

/** Wise's RFC-7807-like 400 (`errors[{ ref, detail }]`), bounded, as field errors. Wise's texts carry no secret. */
const wiseFieldErrors = (body: unknown): FieldError[] => {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.slice(0, 20).flatMap((e) => {
    const ref = (e as { ref?: unknown }).ref;
    const detail = (e as { detail?: unknown }).detail;
    return typeof ref === 'string' && typeof detail === 'string' ? [{ path: ref.slice(0, 200), message: detail.slice(0, 500) }] : [];
  });
};

const submitRefused = (err: unknown): unknown => {
  if (!(err instanceof WiseApiError)) return err;
  switch (err.status) {
    case 400:
      return new ProblemError(422, 'KYC_SUBMISSION_REJECTED', 'Wise did not accept the submission.', { errors: wiseFieldErrors(err.body) });
    case 404:
      return reviewNotFound();
    case 413:
      return new ProblemError(413, 'PAYLOAD_TOO_LARGE', 'Wise found the files too large.');
    case 415:
      return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Wise did not accept the file types.');
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
    if (problems.length > 0) throw validationFailed(problems);
    if (!(await this.deps.accounts.getProfile(customerId, profileId))) throw profileNotFound();

    const { tokens, wise } = this.deps;
    const current = await tokens
      .withAccessToken(customerId, (t) => wise.getKycReview(t, profileId, reviewId, options), options)
      .catch((err: unknown) => {
        throw err instanceof WiseApiError && err.status === 404 ? reviewNotFound() : err;
      });
    const requirements = normaliseRequirements(current.requirements) ?? [];
    const verdict = submittable({ status: current.status, requirements }, requirementKey);
    if (!verdict.ok) throw refusal[verdict.reason]();

    await tokens
      .withAccessToken(
        customerId,
        (t) =>
          wise.submitKycRequirement(
            t,
            profileId,
            requirementKey,
            submissionDataFor(reviewId, input.data as Record<string, unknown>),
            input.files,
            options,
          ),
        options,
      )
      .catch((err: unknown) => {
        throw submitRefused(err);
      });

    await this.deps.reviews.save(
      customerId,
      profileId,
      reviewId,
      { requirements: markInReview(requirements, requirementKey) },
      { status: current.status, asOf: readAsOf(this.deps.clock.now()), requiredBy: wiseInstantToIso(current.requiredBy) },
    );
    return { reviewId, requirementKey, state: 'IN_REVIEW' };
  }
}

/**
 * The partner's multipart body: only `data` (one JSON object) and `files` parts. Size is checked
 * on the raw bytes before parsing, the media type before the syntax.
 */
export const parseRequirementForm = async (event: GatewayEvent): Promise<RequirementSubmission> => {
  const bytes = rawBody(event);
  if (bytes.length > MAX_SUBMISSION_BODY_BYTES) {
    throw new ProblemError(413, 'PAYLOAD_TOO_LARGE', `The body exceeds ${MAX_SUBMISSION_BODY_BYTES} bytes.`);
  }
  const contentType = header(event, 'content-type') ?? '';
  if (!/^multipart\/form-data\s*;\s*boundary=/i.test(contentType.trim())) {
    throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as multipart/form-data.');
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw validationFailed([{ path: '(body)', message: 'not a valid multipart/form-data body' }]);
  }
  const problems: FieldError[] = [];
  let data: unknown;
  const files: SubmittedFile[] = [];
  let dataParts = 0;
  const parts: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => parts.push([name, value]));
  for (const [name, value] of parts) {
    if (name === 'data') {
      dataParts += 1;
      const text = typeof value === 'string' ? value : await value.text();
      try {
        data = JSON.parse(text);
      } catch {
        problems.push({ path: 'data', message: 'must be a JSON object' });
      }
    } else if (name === 'files' && typeof value !== 'string') {
      files.push({ filename: value.name, contentType: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
    } else {
      problems.push({ path: name.slice(0, 64), message: 'unexpected part: only `data` and `files` (as files) are accepted' });
    }
  }
  if (dataParts !== 1) problems.push({ path: 'data', message: 'exactly one `data` part is required' });
  if (problems.length > 0) throw validationFailed(problems);
  return { data, files };
};

const submissionParams = reviewParams.extend({ requirementKey: z.string().max(64) });

/** Route 16: the multipart form parsed and bounded here, then the use case. */
export const submitRequirementRoute = (deps: Dependencies): RouteImpl => {
  const useCase = new SubmitKycRequirement({
    clock: deps.clock,
    wise: deps.wise,
    tokens: deps.tokens,
    accounts: deps.accounts,
    reviews: new KycReviewStore(deps.table, deps.clock),
  });
  return defineRoute({ auth: 'customer', params: submissionParams }, async (request) => {
    const { customerId, profileId, reviewId, requirementKey } = request.params;
    const input = await parseRequirementForm(request.event);
    const result = await useCase.run(customerId, profileId, reviewId, requirementKey, input, {
      deadline: deadlineFrom(request.remainingMs()),
    });
    return { status: 202, body: result };
  });
};
