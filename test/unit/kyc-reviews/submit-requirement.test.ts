import { describe, expect, it } from 'vitest';
import {
  MAX_SUBMISSION_BODY_BYTES,
  parseRequirementForm,
} from '../../../functions/kyc-reviews/requirement-form';
import {
  SubmitKycRequirement,
  type SubmitRequirementDeps,
} from '../../../functions/kyc-reviews/requirement-submission';
import type { GatewayEvent } from '../../../shared/http/types';
import type { WiseKycReview } from '../../../shared/ports/wise';
import { WiseApiError } from '../../../shared/wise/errors';
import {
  FakeWiseAccess,
  InMemoryAccountStore,
  InMemoryKycReviewStore,
  ManualClock,
} from '../../support/fakes';
import { problemOf } from '../../support/problems';

const CUSTOMER = 'cust-1';
const PROFILE = 30000001;
const REVIEW = '46e1a5c4-4a9b-4563-39d3-18174d3ac0f8';
const PDF = new Uint8Array([...Buffer.from('%PDF-1.7\n%%EOF\n')]);

const waitingReview = (overrides: Partial<WiseKycReview> = {}): WiseKycReview => ({
  id: REVIEW,
  status: 'WAITING_CUSTOMER_INPUT',
  requiredBy: '2026-02-01T00:00:00',
  requirements: [
    [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', apiCollectionSupported: false }],
    [{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }],
  ],
  ...overrides,
});

const setup = async (review: WiseKycReview = waitingReview()) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const wise = new FakeWiseAccess()
    .on('getKycReview', async () => review)
    .on('submitKycRequirement', async () => undefined);
  const reviews = new InMemoryKycReviewStore(clock);
  const accounts = new InMemoryAccountStore(clock);
  await accounts.putProfile(CUSTOMER, { id: PROFILE, type: 'PERSONAL' });
  const deps: SubmitRequirementDeps = { clock, wiseAs: wise.wiseAsFn, accounts, reviews };
  return { useCase: new SubmitKycRequirement(deps), wise, reviews };
};

const input = (files = [{ filename: 'purpose.pdf', contentType: 'application/pdf', bytes: PDF }]) => ({
  data: { accountPurpose: 'SENDING_MONEY_TO_FRIENDS_OR_FAMILY' },
  files,
});

describe('SubmitKycRequirement', () => {
  it('passes an API-collectable requirement on to Wise with the review id in submissionData', async () => {
    // Prepare
    const { useCase, wise, reviews } = await setup();

    // Act
    const result = await useCase.run(CUSTOMER, PROFILE, REVIEW, 'ACCOUNT_PURPOSE', input(), {});

    // Assess
    expect(result).toEqual({ reviewId: REVIEW, requirementKey: 'ACCOUNT_PURPOSE', state: 'IN_REVIEW' });
    const submitted = wise.calls.filter((c) => c.method === 'submitKycRequirement');
    expect(submitted).toHaveLength(1);
    const [profileId, key, submissionData, files] = submitted[0]!.args;
    expect([submitted[0]!.customerId, profileId, key]).toEqual([CUSTOMER, PROFILE, 'ACCOUNT_PURPOSE']);
    expect(JSON.parse(submissionData as string)).toEqual({
      data: { accountPurpose: 'SENDING_MONEY_TO_FRIENDS_OR_FAMILY' },
      version: 'V1',
      kycReviewId: REVIEW,
    });
    expect(files).toEqual(input().files);
    const saved = await reviews.get(CUSTOMER, PROFILE, REVIEW);
    expect(saved?.requirements).toEqual([
      [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', apiCollectionSupported: false }],
      [{ key: 'ACCOUNT_PURPOSE', state: 'IN_REVIEW', apiCollectionSupported: true }],
    ]);
  });

  it('refuses bad input with one error per field before anything reaches Wise', async () => {
    // Prepare
    const { useCase, wise } = await setup();

    // Act
    const problem = await problemOf(
      useCase.run(
        CUSTOMER,
        PROFILE,
        REVIEW,
        'purpose',
        { data: 'text', files: [{ filename: 'x.exe', contentType: 'application/x-msdownload', bytes: PDF }] },
        {},
      ),
    );

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((e) => e.path)).toEqual(['requirementKey', 'data', 'files[0]']);
    expect(wise.callsOf('getKycReview')).toEqual([]);
    expect(wise.callsOf('submitKycRequirement')).toEqual([]);
  });

  it("refuses a profile that is not the customer's", async () => {
    // Prepare
    const { useCase, wise } = await setup();

    // Act
    const problem = await problemOf(useCase.run(CUSTOMER, 999, REVIEW, 'ACCOUNT_PURPOSE', input(), {}));

    // Assess
    expect([problem.status, problem.code]).toEqual([404, 'PROFILE_NOT_FOUND']);
    expect(wise.callsOf('getKycReview')).toEqual([]);
  });

  it.each([
    [{ status: 'PROCESSING' }, 'ACCOUNT_PURPOSE', 409, 'KYC_REVIEW_NOT_AWAITING_INPUT'],
    [{}, 'TAX_RESIDENCY', 404, 'KYC_REQUIREMENT_NOT_FOUND'],
    [{}, 'ID_DOCUMENT_WITH_LIVENESS', 409, 'KYC_REQUIREMENT_NOT_API_COLLECTABLE'],
    [
      { requirements: [[{ key: 'ACCOUNT_PURPOSE', state: 'IN_REVIEW', apiCollectionSupported: true }]] },
      'ACCOUNT_PURPOSE',
      409,
      'KYC_REQUIREMENT_ALREADY_PROVIDED',
    ],
  ] as const)(
    'checks the review Wise has now (%o, %s) → %i %s, without submitting',
    async (overrides, key, status, code) => {
      // Prepare
      const { useCase, wise } = await setup(waitingReview(overrides as Partial<WiseKycReview>));

      // Act
      const problem = await problemOf(useCase.run(CUSTOMER, PROFILE, REVIEW, key, input(), {}));

      // Assess
      expect([problem.status, problem.code]).toEqual([status, code]);
      expect(wise.callsOf('submitKycRequirement')).toEqual([]);
    },
  );

  it('answers 404 KYC_REVIEW_NOT_FOUND when Wise does not know the review', async () => {
    // Prepare
    const { useCase, wise } = await setup();
    wise.once('getKycReview', async () => {
      throw new WiseApiError(404, '/v2/profiles/{profileId}/kyc-reviews/{kycReviewId}', {});
    });

    // Act
    const problem = await problemOf(useCase.run(CUSTOMER, PROFILE, REVIEW, 'ACCOUNT_PURPOSE', input(), {}));

    // Assess
    expect([problem.status, problem.code]).toEqual([404, 'KYC_REVIEW_NOT_FOUND']);
  });

  it("turns Wise's validation problem into 422 naming Wise's fields", async () => {
    // Prepare
    const { useCase, wise } = await setup();
    wise.once('submitKycRequirement', async () => {
      throw new WiseApiError(400, '/v2/profiles/{profileId}/kyc-requirements/{requirementKey}', {
        type: '/errors/types/validation',
        errors: [
          {
            code: 'invalid_value',
            ref: 'submissionData.data.accountPurpose',
            detail: 'accountPurpose is not valid',
          },
        ],
      });
    });

    // Act
    const problem = await problemOf(useCase.run(CUSTOMER, PROFILE, REVIEW, 'ACCOUNT_PURPOSE', input(), {}));

    // Assess
    expect([problem.status, problem.code]).toEqual([422, 'KYC_SUBMISSION_REJECTED']);
    expect(problem.errors).toEqual([
      { path: 'submissionData.data.accountPurpose', message: 'accountPurpose is not valid' },
    ]);
  });
});

/** A multipart request as API Gateway hands it over (binary body, base64). */
const multipartEvent = async (form: FormData, contentType?: string): Promise<GatewayEvent> => {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  const bytes = Buffer.from(await request.arrayBuffer());
  return {
    headers: { 'content-type': contentType ?? request.headers.get('content-type')! },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  } as unknown as GatewayEvent;
};

describe('parseRequirementForm', () => {
  it('reads the data part and the files with their names and types', async () => {
    // Prepare
    const form = new FormData();
    form.append('data', JSON.stringify({ accountPurpose: 'X' }));
    form.append('files', new Blob([PDF], { type: 'application/pdf' }), 'purpose.pdf');

    // Act
    const parsed = await parseRequirementForm(await multipartEvent(form));

    // Assess
    expect(parsed.data).toEqual({ accountPurpose: 'X' });
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ filename: 'purpose.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(parsed.files[0]!.bytes).equals(Buffer.from(PDF))).toBe(true);
  });

  it('refuses unexpected parts, a missing data part and broken JSON, naming each', async () => {
    // Prepare
    const form = new FormData();
    form.append('extra', 'x');
    form.append('files', 'not a file');
    const broken = new FormData();
    broken.append('data', '{oops');

    // Act
    const first = await problemOf(parseRequirementForm(await multipartEvent(form)));
    const second = await problemOf(parseRequirementForm(await multipartEvent(broken)));

    // Assess
    expect(first.errors?.map((e) => e.path)).toEqual(['extra', 'files', 'data']);
    expect(second.errors?.map((e) => e.path)).toEqual(['data']);
  });

  it('refuses another media type with 415 and an oversized body with 413 before parsing', async () => {
    // Prepare
    const json = {
      headers: { 'content-type': 'application/json' },
      body: '{}',
      isBase64Encoded: false,
    } as unknown as GatewayEvent;
    const huge = {
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: Buffer.alloc(MAX_SUBMISSION_BODY_BYTES + 1).toString('base64'),
      isBase64Encoded: true,
    } as unknown as GatewayEvent;

    // Act
    const unsupported = await problemOf(parseRequirementForm(json));
    const tooLarge = await problemOf(parseRequirementForm(huge));

    // Assess
    expect([unsupported.status, unsupported.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect([tooLarge.status, tooLarge.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
