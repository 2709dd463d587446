import { describe, expect, it } from 'vitest';
import {
  MAX_SUBMISSION_BODY_BYTES,
  MAX_SUBMISSION_PARTS,
  parseRequirementForm,
} from '../../../functions/kyc-reviews/requirement-form';
import { DomainError, ValidationError } from '../../../shared/errors/domain-error';
import { answerOfError } from '../../../shared/http/handler-stack';
import { MAX_PROBLEM_ERRORS, problemBody } from '../../../shared/http/problem';
import type { GatewayEvent } from '../../../shared/http/types';

/**
 * Issue 18: the multipart parser had no cap on parts — 80,000 parts in 4 MB made a 7 MB error body,
 * over Lambda's 6 MB response limit. Parts are now counted on the raw bytes before parsing, and no
 * answer lists more than 20 errors.
 */
// As short as a boundary can be: 80,000 parts of 51 bytes fit under the route's byte limit.
const BOUNDARY = 'b';

/** A raw multipart body of `count` tiny unexpected parts (and one `data` part), as a partner could send it. */
const manyParts = (count: number, name = 'a') => {
  const part = (n: string, value: string) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${value}\r\n`;
  const body = `${part('data', '{}')}${Array.from({ length: count }, (_, i) => part(count > 100 ? name : `${name}${i}`, 'x')).join('')}--${BOUNDARY}--\r\n`;
  return Buffer.from(body, 'latin1');
};

const eventOf = (bytes: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`): GatewayEvent =>
  ({
    headers: { 'content-type': contentType },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  }) as unknown as GatewayEvent;

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return { err, answer: answerOfError(err) };
};

describe('multipart parts and listed errors are capped', () => {
  it('answers 80,000 parts in under 4 MB with 413 and a small body naming the cap', async () => {
    // Prepare
    const bytes = manyParts(80_000);
    expect(bytes.length).toBeLessThan(MAX_SUBMISSION_BODY_BYTES);

    // Act
    const { answer } = await refusal(parseRequirementForm(eventOf(bytes)));

    // Assess
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      detail: `The body has more than ${MAX_SUBMISSION_PARTS} parts.`,
    });
    expect(JSON.stringify(answer.body).length).toBeLessThan(1024);
  });

  it('counts parts with a quoted boundary too', async () => {
    // Act
    const { answer } = await refusal(
      parseRequirementForm(eventOf(manyParts(100), `multipart/form-data; boundary="${BOUNDARY}"`)),
    );

    // Assess
    expect(answer.status).toBe(413);
  });

  it(`still parses ${MAX_SUBMISSION_PARTS} parts, naming each unexpected one`, async () => {
    // Prepare: one data part and 15 unexpected ones.
    const bytes = manyParts(MAX_SUBMISSION_PARTS - 1);

    // Act
    const { err } = await refusal(parseRequirementForm(eventOf(bytes)));

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.errors).toHaveLength(MAX_SUBMISSION_PARTS - 1);
  });

  it(`lists at most ${MAX_PROBLEM_ERRORS} errors in any problem answer`, () => {
    // Prepare
    const errors = Array.from({ length: 5_000 }, (_, i) => ({ path: `items.${i}`, message: 'is wrong' }));

    // Act
    const body = problemBody('VALIDATION_FAILED', undefined, errors);
    const answer = answerOfError(new ValidationError(errors));

    // Assess
    expect(MAX_PROBLEM_ERRORS).toBe(20);
    expect(body.errors).toHaveLength(20);
    expect(body.errors?.[0]).toEqual({ path: 'items.0', message: 'is wrong' });
    expect((answer.body as { errors: unknown[] }).errors).toHaveLength(20);
  });
});
