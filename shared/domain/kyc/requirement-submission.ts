/**
 * Submitting a KYC requirement over the API instead of the hosted page (API-NOTES §5,
 * "Requirement submission"): the checks that run before anything reaches Wise.
 */
import type { KycRequirements, KycReviewStatus } from './review';

export interface SubmissionProblem {
  path: string;
  message: string;
}

/** Wise accepts exactly these media types, each only with its own file extensions. */
export const ALLOWED_FILE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'application/pdf': ['.pdf'],
};

/**
 * Lambda takes at most 6 MB per synchronous invocation and API Gateway base64-encodes binary
 * bodies (4/3), so about 4.5 MB of files fit in one request; Wise's own limit (10 MB per file in
 * the simulator) is higher. 4 MiB in all leaves room for the multipart framing.
 */
export const MAX_TOTAL_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_FILES = 5;
/** `data` is a handful of answers (account purpose, countries, income band): JSON, a few KB. */
export const MAX_DATA_BYTES = 16 * 1024;
export const MAX_FILENAME_LENGTH = 255;

/** Wise's keys are upper snake case (ACCOUNT_PURPOSE, ID_DOCUMENT, ...); new ones are allowed. */
export const REQUIREMENT_KEY_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The first bytes each allowed type must start with: the declared type alone proves nothing. */
const MAGIC: Readonly<Record<string, readonly number[]>> = {
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
};

export interface SubmittedFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/** The media type without parameters, lower case: `Image/PNG; x=y` → `image/png`. */
const mediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/** Path separators would let a name climb directories at the receiver; control characters hide in logs and headers. */
const hasUnsafeCharacter = (name: string): boolean =>
  [...name].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

/** Size, count, type, extension, content and name of each file; one problem per bad file. */
export const checkFiles = (files: readonly SubmittedFile[]): SubmissionProblem[] => {
  const problems: SubmissionProblem[] = [];
  if (files.length > MAX_FILES) problems.push({ path: 'files', message: `at most ${MAX_FILES} files` });
  const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
  if (total > MAX_TOTAL_FILE_BYTES)
    problems.push({ path: 'files', message: `at most ${MAX_TOTAL_FILE_BYTES} bytes in all` });
  files.forEach((file, i) => {
    const path = `files[${i}]`;
    const name = file.filename;
    if (name.length === 0 || name.length > MAX_FILENAME_LENGTH || hasUnsafeCharacter(name)) {
      problems.push({
        path,
        message: `the file name must be 1–${MAX_FILENAME_LENGTH} characters without path separators or control characters`,
      });
      return;
    }
    const type = mediaType(file.contentType);
    const extensions = ALLOWED_FILE_TYPES[type];
    if (!extensions) {
      problems.push({ path, message: 'only image/png, image/jpeg and application/pdf are accepted' });
      return;
    }
    if (!extensions.some((ext) => name.toLowerCase().endsWith(ext))) {
      problems.push({ path, message: `a ${type} file must be named ${extensions.join(' or ')}` });
      return;
    }
    if (file.bytes.length === 0) {
      problems.push({ path, message: 'the file is empty' });
      return;
    }
    if (!startsWith(file.bytes, MAGIC[type]!)) problems.push({ path, message: `the content is not ${type}` });
  });
  return problems;
};

/** `data` must be a JSON object of bounded size. */
export const checkData = (data: unknown): SubmissionProblem[] => {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return [{ path: 'data', message: 'must be a JSON object' }];
  if (new TextEncoder().encode(JSON.stringify(data)).length > MAX_DATA_BYTES)
    return [{ path: 'data', message: `at most ${MAX_DATA_BYTES} bytes` }];
  return [];
};

export const checkRequirementKey = (key: string): SubmissionProblem[] =>
  REQUIREMENT_KEY_PATTERN.test(key)
    ? []
    : [{ path: 'requirementKey', message: 'must be an upper-case requirement key such as ACCOUNT_PURPOSE' }];

/** Every input check, in one list so the partner sees every bad field at once. */
export const checkSubmission = (input: {
  requirementKey: string;
  data: unknown;
  files: readonly SubmittedFile[];
}): SubmissionProblem[] => [
  ...checkRequirementKey(input.requirementKey),
  ...checkData(input.data),
  ...checkFiles(input.files),
];

/**
 * Wise takes a submission while the review waits for the customer (Dec-2025 docs) or has passed
 * with requirements still due (2026 schema), for a requirement that is NOT_PROVIDED and
 * collectable over the API.
 */
export const SUBMITTABLE_REVIEW_STATUSES: readonly KycReviewStatus[] = [
  'WAITING_CUSTOMER_INPUT',
  'PASSED_WITH_REQUIREMENTS',
];

export type SubmittableVerdict =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'REVIEW_NOT_AWAITING_INPUT'
        | 'REQUIREMENT_NOT_FOUND'
        | 'REQUIREMENT_NOT_API_COLLECTABLE'
        | 'REQUIREMENT_ALREADY_PROVIDED';
    };

export const submittable = (
  review: { status: KycReviewStatus; requirements?: KycRequirements },
  requirementKey: string,
): SubmittableVerdict => {
  if (!SUBMITTABLE_REVIEW_STATUSES.includes(review.status))
    return { ok: false, reason: 'REVIEW_NOT_AWAITING_INPUT' };
  const requirement = (review.requirements ?? []).flat().find((q) => q.key === requirementKey);
  if (!requirement) return { ok: false, reason: 'REQUIREMENT_NOT_FOUND' };
  if (!requirement.apiCollectionSupported) return { ok: false, reason: 'REQUIREMENT_NOT_API_COLLECTABLE' };
  if (requirement.state !== 'NOT_PROVIDED') return { ok: false, reason: 'REQUIREMENT_ALREADY_PROVIDED' };
  return { ok: true };
};

/** Wise's `submissionData` part: a JSON string carrying the review's id and the schema version. */
export const submissionDataFor = (reviewId: string, data: Record<string, unknown>): string =>
  JSON.stringify({ data, version: 'V1', kycReviewId: reviewId });
