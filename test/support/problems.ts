import { expect } from 'vitest';
import { DomainError } from '../../shared/errors/domain-error';

/** The DomainError a promise rejects with (the test fails if it resolves or rejects with anything else). */
export const problemOf = async (promise: Promise<unknown>): Promise<DomainError> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
};
