import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAsOf, readMayReplace } from '../../../shared/domain/kyc/freshness';

describe('readAsOf', () => {
  it('ranks a read below every webhook stamped in its own second or later, above every earlier one (property)', () => {
    // Prepare / Act / Assess
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 2 ** 44 }),
        fc.integer({ min: -5, max: 5 }),
        (readAt, secondsApart) => {
          const webhookStamp = (Math.floor(readAt / 1000) + secondsApart) * 1000; // occurred_at has whole seconds
          const asOf = readAsOf(readAt);
          if (secondsApart >= 0) expect(asOf).toBeLessThan(webhookStamp);
          else expect(asOf).toBeGreaterThan(webhookStamp);
        },
      ),
    );
  });

  it('records a read at 12:00:05.500 as 12:00:04.999', () => {
    // Prepare
    const readAt = Date.parse('2026-01-01T12:00:05.500Z');

    // Act
    const asOf = readAsOf(readAt);

    // Assess
    expect(new Date(asOf).toISOString()).toBe('2026-01-01T12:00:04.999Z');
  });
});

describe('readMayReplace', () => {
  it('replaces nothing newer, and an older or equal read', () => {
    // Prepare
    const asOf = readAsOf(Date.parse('2026-01-01T12:00:05.500Z'));

    // Act / Assess
    expect(readMayReplace(undefined, asOf)).toBe(true);
    expect(readMayReplace(asOf, asOf)).toBe(true);
    expect(readMayReplace(asOf - 1000, asOf)).toBe(true);
    expect(readMayReplace(Date.parse('2026-01-01T12:00:05Z'), asOf)).toBe(false);
  });
});
