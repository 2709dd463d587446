import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { businessProfileSchema } from '../../../shared/domain/onboarding/business-profile';
import { identityDocumentSchema } from '../../../shared/domain/onboarding/identity-document';
import {
  newCustomerSchema,
  personalProfileUpdateSchema,
} from '../../../shared/domain/onboarding/personal-profile';

/**
 * The cross-field rules run even when the body's shape is wrong, so that every bad field is named
 * at once. They must never throw on a value that is not an object: a throw would be a 500.
 */
describe('cross-field rules on bodies of the wrong shape', () => {
  const now = () => Date.parse('2026-11-21T00:00:00Z');
  const schemas = {
    newCustomerSchema: newCustomerSchema(now),
    personalProfileUpdateSchema: personalProfileUpdateSchema(now),
    businessProfileSchema,
    identityDocumentSchema,
  };

  it('reject {}, null, arrays, strings and nested non-objects with issues, never an exception', () => {
    // Prepare
    const shapes = [
      {},
      null,
      undefined,
      [],
      'x',
      42,
      { address: null },
      { address: 'x' },
      { occupations: 'x' },
    ];
    for (const [name, schema] of Object.entries(schemas)) {
      for (const body of shapes) {
        // Act
        const result = (schema as { safeParse(v: unknown): { success: boolean } }).safeParse(body);
        // Assess
        expect(result.success, `${name} ${JSON.stringify(body)}`).toBe(false);
      }
    }
  });

  it('never throw on arbitrary JSON values', () => {
    // Act / Assess
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const schema of Object.values(schemas))
          (schema as { safeParse(v: unknown): unknown }).safeParse(value);
      }),
      { numRuns: 500 },
    );
  });
});
