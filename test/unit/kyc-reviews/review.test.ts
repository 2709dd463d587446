import { describe, expect, it } from 'vitest';
import {
  normaliseRequirements,
  publicReview,
  sameTrigger,
  triggerFromReferences,
  wiseCreateBody,
  type KycReview,
} from '../../../shared/domain/kyc/review';

const quote = '6f0c3a36-5a0e-4b5e-9a57-0d8f1c2b3a4d';

describe('triggers', () => {
  it('matches a quote by its id, case-insensitively, and proactive reviews by type', () => {
    // Prepare / Act / Assess
    expect(sameTrigger({ type: 'QUOTE', id: quote }, { type: 'QUOTE', id: quote.toUpperCase() })).toBe(true);
    expect(
      sameTrigger(
        { type: 'QUOTE', id: quote },
        { type: 'QUOTE', id: '00000000-0000-0000-0000-000000000000' },
      ),
    ).toBe(false);
    expect(sameTrigger({ type: 'PROACTIVE_SEND_MONEY' }, { type: 'PROACTIVE_SEND_MONEY' })).toBe(true);
    expect(sameTrigger({ type: 'PROACTIVE_SEND_MONEY' }, { type: 'QUOTE', id: quote })).toBe(false);
    expect(sameTrigger(undefined, { type: 'PROACTIVE_SEND_MONEY' })).toBe(false);
  });

  it("builds Wise's create body", () => {
    // Prepare / Act / Assess
    expect(wiseCreateBody({ type: 'QUOTE', id: quote })).toEqual({
      type: 'QUOTE',
      triggerData: { id: quote },
    });
    expect(wiseCreateBody({ type: 'PROACTIVE_SEND_MONEY' })).toEqual({ type: 'PROACTIVE_SEND_MONEY' });
  });

  it("reads the trigger back from Wise's triggerReferences, ignoring kinds partners cannot start", () => {
    // Prepare / Act / Assess
    expect(triggerFromReferences([{ type: 'QUOTE', triggerData: { id: quote } }])).toEqual({
      type: 'QUOTE',
      id: quote,
    });
    expect(triggerFromReferences([{ type: 'PROACTIVE_SEND_MONEY', triggerData: {} }])).toEqual({
      type: 'PROACTIVE_SEND_MONEY',
    });
    expect(
      triggerFromReferences([
        { type: 'TRANSFER', triggerData: { id: 5 } },
        { type: 'QUOTE', triggerData: {} },
      ]),
    ).toBeUndefined();
    expect(triggerFromReferences(undefined)).toBeUndefined();
  });
});

describe('normaliseRequirements', () => {
  it("keeps Wise's lines of alternatives and takes the state from either of Wise's names", () => {
    // Prepare
    const raw = [
      [
        { key: 'ID_DOCUMENT', status: 'NOT_PROVIDED', apiCollectionSupported: false },
        { key: 'PASSPORT', state: 'IN_REVIEW' },
      ],
      [],
      [
        {
          key: 'ACCOUNT_PURPOSE',
          state: 'NOT_PROVIDED',
          status: 'NOT_PROVIDED',
          apiCollectionSupported: true,
        },
      ],
    ];

    // Act
    const lines = normaliseRequirements(raw);

    // Assess
    expect(lines).toEqual([
      [
        { key: 'ID_DOCUMENT', state: 'NOT_PROVIDED', apiCollectionSupported: false },
        { key: 'PASSPORT', state: 'IN_REVIEW', apiCollectionSupported: false },
      ],
      [{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }],
    ]);
    expect(normaliseRequirements(null)).toBeUndefined();
  });
});

describe('publicReview', () => {
  it('shows the review without the link ciphertext or bookkeeping', () => {
    // Prepare
    const review: KycReview = {
      reviewId: 'r-1',
      profileId: 7,
      status: 'WAITING_CUSTOMER_INPUT',
      statusOccurredAt: 1,
      trigger: { type: 'PROACTIVE_SEND_MONEY' },
      linkCiphertext: 'sealed-secret',
      linkExpiresAt: 2,
      redirectUrl: 'https://app.example.com/kyc',
    };

    // Act
    const shown = publicReview(review);

    // Assess
    expect(shown).toEqual({
      id: 'r-1',
      profileId: 7,
      status: 'WAITING_CUSTOMER_INPUT',
      trigger: { type: 'PROACTIVE_SEND_MONEY' },
      redirectUrl: 'https://app.example.com/kyc',
    });
  });
});
