import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkData,
  checkFiles,
  checkRequirementKey,
  MAX_DATA_BYTES,
  MAX_FILES,
  MAX_TOTAL_FILE_BYTES,
  submissionDataFor,
  submittable,
  type SubmittedFile,
} from '../../../shared/domain/kyc/requirement-submission';
import type { KycRequirements } from '../../../shared/domain/kyc/review';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const PDF = [...Buffer.from('%PDF-1.7\n')];

const file = (filename: string, contentType: string, head: number[], size = 64): SubmittedFile => {
  const bytes = new Uint8Array(Math.max(size, head.length));
  bytes.set(head);
  return { filename, contentType, bytes };
};

describe('checkFiles', () => {
  it('accepts png, jpeg and pdf whose name and content match the declared type', () => {
    // Prepare
    const files = [
      file('front.png', 'image/png', PNG),
      file('back.JPG', 'image/jpeg', JPEG),
      file('selfie.jpeg', 'Image/JPEG; charset=binary', JPEG),
      file('statement.pdf', 'application/pdf', PDF),
    ];

    // Act
    const problems = checkFiles(files);

    // Assess
    expect(problems).toEqual([]);
  });

  it('names each bad file: wrong type, wrong extension, disguised content, empty, unsafe name', () => {
    // Prepare
    const files = [
      file('doc.gif', 'image/gif', [0x47, 0x49, 0x46]),
      file('doc.pdf', 'image/png', PNG),
      file('evil.pdf', 'application/pdf', [0x4d, 0x5a]), // an executable's header
      { filename: 'empty.png', contentType: 'image/png', bytes: new Uint8Array(0) },
      file('../../etc/passwd.pdf', 'application/pdf', PDF),
    ];

    // Act
    const problems = checkFiles(files);

    // Assess
    expect(problems.map((p) => p.path)).toEqual(['files[0]', 'files[1]', 'files[2]', 'files[3]', 'files[4]']);
  });

  it('limits the number of files and their total size', () => {
    // Prepare
    const many = Array.from({ length: MAX_FILES + 1 }, (_, i) => file(`p${i}.pdf`, 'application/pdf', PDF));
    const big = [
      file('a.pdf', 'application/pdf', PDF, MAX_TOTAL_FILE_BYTES),
      file('b.pdf', 'application/pdf', PDF, 1),
    ];

    // Act
    const tooMany = checkFiles(many);
    const tooBig = checkFiles(big);

    // Assess
    expect(tooMany).toEqual([{ path: 'files', message: `at most ${MAX_FILES} files` }]);
    expect(tooBig).toEqual([{ path: 'files', message: `at most ${MAX_TOTAL_FILE_BYTES} bytes in all` }]);
  });

  it("refuses any content that does not start with its type's signature (property)", () => {
    // Prepare / Act / Assess
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const looksLikePdf = [...Buffer.from('%PDF-')].every((b, i) => bytes[i] === b);
        const problems = checkFiles([{ filename: 'x.pdf', contentType: 'application/pdf', bytes }]);
        expect(problems.length === 0).toBe(looksLikePdf);
      }),
    );
  });
});

describe('checkData and checkRequirementKey', () => {
  it('wants data as a bounded JSON object', () => {
    // Prepare / Act / Assess
    expect(checkData({ accountPurpose: 'SENDING_MONEY_TO_FRIENDS_OR_FAMILY' })).toEqual([]);
    expect(checkData(['a'])).toEqual([{ path: 'data', message: 'must be a JSON object' }]);
    expect(checkData(null)).toHaveLength(1);
    expect(checkData({ blob: 'x'.repeat(MAX_DATA_BYTES) })).toEqual([
      { path: 'data', message: `at most ${MAX_DATA_BYTES} bytes` },
    ]);
  });

  it('takes upper-case requirement keys only', () => {
    // Prepare / Act / Assess
    expect(checkRequirementKey('ACCOUNT_PURPOSE')).toEqual([]);
    expect(checkRequirementKey('account_purpose')).toHaveLength(1);
    expect(checkRequirementKey('../ID_DOCUMENT')).toHaveLength(1);
    expect(checkRequirementKey('A'.repeat(65))).toHaveLength(1);
  });
});

describe('submittable', () => {
  const requirements: KycRequirements = [
    [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', apiCollectionSupported: false }],
    [
      { key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true },
      { key: 'SOURCE_OF_WEALTH', state: 'IN_REVIEW', apiCollectionSupported: true },
    ],
  ];

  it('lets an API-collectable, not yet provided requirement through while the review waits for input', () => {
    // Prepare / Act / Assess
    expect(submittable({ status: 'WAITING_CUSTOMER_INPUT', requirements }, 'ACCOUNT_PURPOSE')).toEqual({
      ok: true,
    });
    expect(submittable({ status: 'PASSED_WITH_REQUIREMENTS', requirements }, 'ACCOUNT_PURPOSE')).toEqual({
      ok: true,
    });
  });

  it('says why anything else is refused', () => {
    // Prepare / Act
    const verdicts = [
      submittable({ status: 'PROCESSING', requirements }, 'ACCOUNT_PURPOSE'),
      submittable({ status: 'PASSED', requirements }, 'ACCOUNT_PURPOSE'),
      submittable({ status: 'WAITING_CUSTOMER_INPUT', requirements }, 'TAX_RESIDENCY'),
      submittable({ status: 'WAITING_CUSTOMER_INPUT', requirements }, 'ID_DOCUMENT_WITH_LIVENESS'),
      submittable({ status: 'WAITING_CUSTOMER_INPUT', requirements }, 'SOURCE_OF_WEALTH'),
      submittable({ status: 'WAITING_CUSTOMER_INPUT' }, 'ACCOUNT_PURPOSE'),
    ];

    // Assess
    expect(verdicts.map((v) => (v.ok ? 'ok' : v.reason))).toEqual([
      'REVIEW_NOT_AWAITING_INPUT',
      'REVIEW_NOT_AWAITING_INPUT',
      'REQUIREMENT_NOT_FOUND',
      'REQUIREMENT_NOT_API_COLLECTABLE',
      'REQUIREMENT_ALREADY_PROVIDED',
      'REQUIREMENT_NOT_FOUND',
    ]);
  });
});

describe('submissionDataFor', () => {
  it('wraps the data the way Wise documents submissionData', () => {
    // Prepare / Act
    const text = submissionDataFor('93a903ea-0000-4000-8000-000000000000', { accountPurpose: 'X' });

    // Assess
    expect(JSON.parse(text)).toEqual({
      data: { accountPurpose: 'X' },
      version: 'V1',
      kycReviewId: '93a903ea-0000-4000-8000-000000000000',
    });
  });
});
