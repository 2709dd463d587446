import { randomUUID } from 'node:crypto';
import type { RequestContext, Router } from './http';
import { parseForm, parseJson, sendEmpty, sendJson, isRecord, HttpResponseError } from './http';
import type { Sim } from './context';
import type { KycReview } from './state';
import { accessibleProfile, authenticate } from './auth';
import { fieldErrors, problem } from './errors';
import {
  allGroupsProvided,
  changeReview,
  defaultRequirements,
  issueLink,
  reviewView,
  scheduleLeavingNew,
  setRequirementStates,
} from './kyc-model';

/** KYC reviews (API-NOTES §5), all with the user access token. */

const TRIGGER_TYPES = ['QUOTE', 'PROACTIVE_SEND_MONEY', 'CARD'];
const REQUIRED_BY_MS = 14 * 24 * 60 * 60 * 1000;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ALLOWED_FILES: Record<string, string[]> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'application/pdf': ['.pdf'],
};

export function registerKycReviewRoutes(router: Router, sim: Sim): void {
  router.on('POST', '/v1/profiles/:profileId/kyc-reviews', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    if (typeof b.type !== 'string' || b.type === '') {
      throw fieldErrors(400, [{ code: 'NotNull', message: 'must not be null', path: 'type', arguments: [] }]);
    }
    if (!TRIGGER_TYPES.includes(b.type)) {
      throw fieldErrors(400, [
        {
          code: 'INVALID',
          message: `Unsupported type ${b.type}`,
          path: 'type',
          arguments: [TRIGGER_TYPES.join(',')],
        },
      ]);
    }
    const triggerData = isRecord(b.triggerData) ? b.triggerData : {};
    if (b.type === 'QUOTE') {
      const quoteId = triggerData.id;
      if (typeof quoteId !== 'string' || quoteId === '') {
        throw fieldErrors(400, [
          { code: 'NotNull', message: 'must not be null', path: 'triggerData.id', arguments: [] },
        ]);
      }
      if (!sim.state.quotes.some((q) => q.id === quoteId && q.profileId === profile.id)) {
        throw fieldErrors(404, [
          { code: 'NOT_FOUND', message: `Quote ${quoteId} not found`, path: 'triggerData.id', arguments: [] },
        ]);
      }
    }
    const now = sim.clock.now();
    const review: KycReview = {
      id: randomUUID(),
      profileId: profile.id,
      status: 'NEW',
      createdAt: now,
      updatedAt: now,
      requiredBy: now + REQUIRED_BY_MS,
      triggerReferences: [
        { type: b.type, triggerData: b.type === 'QUOTE' ? { id: triggerData.id } : triggerData },
      ],
      redirectUrl: null,
      link: null,
      requirements: defaultRequirements(),
    };
    sim.state.kycReviews.push(review);
    sim.changed();
    scheduleLeavingNew(sim, review);
    sendJson(ctx, 202, reviewView(sim, review, false));
  });

  router.on('GET', '/v1/profiles/:profileId/kyc-reviews', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    const pageNumber = intParam(ctx, 'pageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
    const pageSize = intParam(ctx, 'pageSize', 100, 1, 100);
    const all = sim.state.kycReviews.filter((r) => r.profileId === profile.id);
    const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    sendJson(
      ctx,
      200,
      page.map((r) => reviewView(sim, r, false)),
    );
  });

  router.on('GET', '/v1/profiles/:profileId/kyc-reviews/:reviewId', (ctx) => {
    sendJson(ctx, 200, reviewView(sim, ownReview(sim, ctx), false));
  });

  router.on('GET', '/v2/profiles/:profileId/kyc-reviews/:reviewId', (ctx) => {
    sendJson(ctx, 200, reviewView(sim, ownReview(sim, ctx), true));
  });

  router.on('PATCH', '/v1/profiles/:profileId/kyc-reviews/:reviewId', async (ctx) => {
    const review = ownReview(sim, ctx);
    const body = parseJson(ctx);
    const redirectUrl = isRecord(body) ? body.redirectUrl : undefined;
    if (typeof redirectUrl !== 'string' || !isAbsoluteUrl(redirectUrl)) {
      throw fieldErrors(400, [
        {
          code: 'INVALID_URI',
          message: 'redirectUrl must be a valid absolute URI',
          path: 'redirectUrl',
          arguments: [],
        },
      ]);
    }
    review.redirectUrl = redirectUrl;
    review.updatedAt = sim.clock.now();
    // Wise: `link` "only when status is WAITING_CUSTOMER_INPUT and PATCH redirectUrl was called".
    // A NEW review gets the redirectUrl but no link; the partner asks again once it waits.
    if (review.status === 'WAITING_CUSTOMER_INPUT') issueLink(sim, review);
    sim.changed();
    sendJson(ctx, 200, reviewView(sim, review, false));
  });

  /**
   * Wise's current reference: `POST /v2/profiles/{profileId}/kyc-requirements/{requirementKey}`,
   * multipart with `submissionData` a string field (a JSON string) and `files`. The Dec-2025 path
   * under `/kyc-reviews/{id}/requirements/{key}` is retired: it matches no route here (404).
   */
  const submit = async (ctx: RequestContext) => {
    const token = authenticate(sim, ctx, ['user']);
    const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
    const instance = ctx.path;
    const key = ctx.params.requirementKey ?? '';
    const contentType = (ctx.header('content-type') ?? '').toLowerCase();
    if (!contentType.startsWith('multipart/form-data')) {
      throw problem(instance, 'Content-Type must be multipart/form-data', 415);
    }
    const form = await parseForm(ctx);
    const rawSubmission = form.get('submissionData')?.[0];
    const files = (form.get('files') ?? []).filter((f): f is File => typeof f !== 'string');
    if (rawSubmission === undefined && files.length === 0)
      throw problem(instance, 'No files or submissionData is submitted');
    // A part with a filename is a file, which Wise's string field does not bind.
    if (rawSubmission !== undefined && typeof rawSubmission !== 'string') {
      throw problem(instance, [
        {
          code: 'invalid_value',
          ref: 'submissionData',
          detail: 'submissionData must be a form field holding a JSON string, not a file',
        },
      ]);
    }
    const submissionText = rawSubmission ?? '';
    if (!submissionText) {
      throw problem(instance, [
        { code: 'invalid_value', ref: 'submissionData', detail: 'submissionData must not be empty' },
      ]);
    }
    let submission: unknown;
    try {
      submission = JSON.parse(submissionText);
    } catch {
      throw problem(instance, [
        { code: 'invalid_value', ref: 'submissionData', detail: 'submissionData must be a JSON object' },
      ]);
    }
    const s = isRecord(submission) ? submission : {};
    const errors: { code: string; ref: string; detail: string }[] = [];
    const reviewId = typeof s.kycReviewId === 'string' ? s.kycReviewId : '';
    if (reviewId === '')
      errors.push({
        code: 'invalid_value',
        ref: 'submissionData.kycReviewId',
        detail: 'kycReviewId must not be empty',
      });
    if (s.version !== 'V1')
      errors.push({ code: 'invalid_value', ref: 'submissionData.version', detail: 'version must be V1' });
    if (!isRecord(s.data))
      errors.push({ code: 'invalid_value', ref: 'submissionData.data', detail: 'data must not be empty' });
    files.forEach((f, i) => {
      const allowed = ALLOWED_FILES[f.type];
      const name = f.name.toLowerCase();
      if (!allowed || !allowed.some((ext) => name.endsWith(ext))) {
        errors.push({
          code: 'invalid_file',
          ref: `files[${i}]`,
          detail:
            'Only .png (image/png), .jpg/.jpeg (image/jpeg) and .pdf (application/pdf) files are accepted',
        });
      } else if (f.size > MAX_FILE_BYTES) {
        errors.push({ code: 'invalid_file', ref: `files[${i}]`, detail: 'File must be at most 10MB' });
      }
    });
    if (errors.length > 0) throw problem(instance, errors);
    const review = sim.state.kycReviews.find((r) => r.id === reviewId && r.profileId === profile.id);
    if (!review) {
      throw new HttpResponseError(404, {
        type: '/errors/types/not-found',
        title: 'Not Found',
        status: 404,
        instance,
        detail: 'KYC review not found',
      });
    }
    if (review.status !== 'WAITING_CUSTOMER_INPUT' && review.status !== 'PASSED_WITH_REQUIREMENTS') {
      throw problem(
        instance,
        `KYC review is ${review.status}; requirements can be submitted only while WAITING_CUSTOMER_INPUT or PASSED_WITH_REQUIREMENTS`,
      );
    }
    const requirement = review.requirements.flat().find((q) => q.key === key);
    if (!requirement || requirement.state !== 'NOT_PROVIDED' || !requirement.apiCollectionSupported) {
      throw problem(instance, `Requirement ${key} is not awaiting submission through the API`);
    }
    const requirementChanges = setRequirementStates(review, (q) =>
      q === requirement ? 'IN_REVIEW' : undefined,
    );
    await changeReview(sim, review, {
      status: allGroupsProvided(review) ? 'PROCESSING' : review.status,
      requirementChanges,
    });
    sendEmpty(ctx, 202);
  };
  router.on('POST', '/v2/profiles/:profileId/kyc-requirements/:requirementKey', submit);
}

function ownReview(sim: Sim, ctx: RequestContext): KycReview {
  const token = authenticate(sim, ctx, ['user']);
  const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
  const review = sim.state.kycReviews.find((r) => r.id === ctx.params.reviewId && r.profileId === profile.id);
  if (!review)
    throw fieldErrors(404, [
      { code: 'NOT_FOUND', message: 'KYC review not found', path: 'kycReviewId', arguments: [] },
    ]);
  return review;
}

function intParam(ctx: RequestContext, name: string, fallback: number, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw fieldErrors(400, [
      {
        code: 'INVALID',
        message: `${name} must be an integer between ${min} and ${max}`,
        path: name,
        arguments: [],
      },
    ]);
  }
  return n;
}

function isAbsoluteUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
