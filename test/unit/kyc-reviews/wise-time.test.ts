import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWiseInstant, wiseInstantToIso } from '../../../shared/domain/kyc/wise-time';

describe('parseWiseInstant', () => {
  it("reads Wise's zone-less nanosecond instants as UTC", () => {
    // Prepare / Act / Assess
    expect(wiseInstantToIso('2024-09-03T16:29:41.203225146')).toBe('2024-09-03T16:29:41.203Z');
    expect(wiseInstantToIso('2024-09-03T16:22:02')).toBe('2024-09-03T16:22:02.000Z');
    expect(wiseInstantToIso('2024-09-03T16:22:02.5')).toBe('2024-09-03T16:22:02.500Z');
  });

  it('honours an explicit zone', () => {
    // Prepare / Act / Assess
    expect(wiseInstantToIso('2024-09-03T16:29:41Z')).toBe('2024-09-03T16:29:41.000Z');
    expect(wiseInstantToIso('2024-09-03T18:29:41.100+02:00')).toBe('2024-09-03T16:29:41.100Z');
  });

  it('answers undefined for what is not a date-time', () => {
    // Prepare / Act / Assess
    for (const bad of [undefined, null, '', 'tomorrow', '2024-09-03', '2024-13-45T99:99:99', '1725380981']) {
      expect(parseWiseInstant(bad)).toBeUndefined();
    }
  });

  it('round-trips any instant printed the way Wise prints it (property)', () => {
    // Prepare / Act / Assess
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 0) }), (ms) => {
        expect(parseWiseInstant(new Date(ms).toISOString().replace(/Z$/, ''))).toBe(ms);
        expect(parseWiseInstant(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });
});
