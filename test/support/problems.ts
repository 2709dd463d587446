import { expect } from 'vitest';
import { ProblemError } from '../../shared/http/problem';

/** The ProblemError a promise rejects with (the test fails if it resolves or rejects with anything else). */
export const problemOf = async (promise: Promise<unknown>): Promise<ProblemError> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemError);
  return err as ProblemError;
};
