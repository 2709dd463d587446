import {
  MAX_DATA_BYTES,
  MAX_TOTAL_FILE_BYTES,
  type SubmittedFile,
} from '../../shared/domain/kyc/requirement-submission';
import { DomainError, ValidationError, type FieldError } from '../../shared/errors/domain-error';
import { header, rawBody } from '../../shared/http/parse';
import type { GatewayEvent } from '../../shared/http/types';
import type { RequirementSubmission } from './requirement-submission';

/** Multipart framing and part headers on top of the payload limits. */
const FRAMING_BYTES = 64 * 1024;
export const MAX_SUBMISSION_BODY_BYTES = MAX_TOTAL_FILE_BYTES + MAX_DATA_BYTES + FRAMING_BYTES;
/**
 * One `data` part and at most MAX_FILES `files` need 6; 16 leaves room for a partner's mistakes to
 * be reported part by part. Counted on the raw bytes before parsing: 80,000 tiny parts fit in 4 MB,
 * and parsing them (and listing each as an error) costs more than the request is worth.
 */
export const MAX_SUBMISSION_PARTS = 16;
/** At most this many problems are listed (the handler stack caps every `errors[]` the same way). */
const MAX_LISTED_PROBLEMS = 20;

/** The boundary parameter of a multipart media type, quoted or not (RFC 2046 §5.1.1). */
const boundaryOf = (contentType: string): string | undefined => {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
};

/** How many delimiter lines the body holds: an upper bound of its parts (the close delimiter counts too). */
const countDelimiters = (bytes: Buffer, boundary: string, atMost: number): number => {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let count = 0;
  for (
    let at = bytes.indexOf(delimiter);
    at !== -1 && count <= atMost;
    at = bytes.indexOf(delimiter, at + delimiter.length)
  ) {
    count += 1;
  }
  return count;
};

/**
 * The partner's multipart body: only `data` (one JSON object) and `files` parts. Size is checked
 * on the raw bytes before parsing, the media type before the syntax.
 */
export const parseRequirementForm = async (event: GatewayEvent): Promise<RequirementSubmission> => {
  const bytes = rawBody(event);
  if (bytes.length > MAX_SUBMISSION_BODY_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', {
      detail: `The body exceeds ${MAX_SUBMISSION_BODY_BYTES} bytes.`,
    });
  }
  const contentType = header(event, 'content-type') ?? '';
  if (!/^multipart\/form-data\s*;\s*boundary=/i.test(contentType.trim())) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', { detail: 'Send the body as multipart/form-data.' });
  }
  const boundary = boundaryOf(contentType);
  // n parts have n delimiters and one close delimiter.
  if (
    boundary !== undefined &&
    countDelimiters(bytes, boundary, MAX_SUBMISSION_PARTS + 1) > MAX_SUBMISSION_PARTS + 1
  ) {
    throw new DomainError('PAYLOAD_TOO_LARGE', {
      detail: `The body has more than ${MAX_SUBMISSION_PARTS} parts.`,
    });
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ValidationError([{ path: '(body)', message: 'not a valid multipart/form-data body' }]);
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
      files.push({
        filename: value.name,
        contentType: value.type,
        bytes: new Uint8Array(await value.arrayBuffer()),
      });
    } else {
      problems.push({
        path: name.slice(0, 64),
        message: 'unexpected part: only `data` and `files` (as files) are accepted',
      });
    }
  }
  if (dataParts !== 1) problems.push({ path: 'data', message: 'exactly one `data` part is required' });
  if (problems.length > 0) throw new ValidationError(problems.slice(0, MAX_LISTED_PROBLEMS));
  return { data, files };
};
