import { describe, expect, it } from 'vitest';
import type { ItemChange } from '../../../shared/domain/partner-events';
import {
  dueBy,
  dueListWriteOf,
  RECONCILE_AFTER_MS,
  verificationFromRoutes,
} from '../../../shared/domain/reconciliation';
import { missingSubscriptions } from '../../../functions/reconcile/subscription-check';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const change = (sk: string, newImage?: Record<string, unknown>): ItemChange => ({
  pk: 'CUSTOMER#c-1',
  sk,
  newImage,
  at: NOW,
});

describe('the due lists', () => {
  it('puts an unresolved profile on the verification list, due 24 h after it was first seen', () => {
    // Act
    const write = dueListWriteOf(change('PROFILE#5', { verification: 'unknown' }), NOW);

    // Assess
    expect(write).toEqual({
      kind: 'enter',
      list: 'VERIFICATION',
      gsi2pk: 'RECONCILE#VERIFICATION',
      gsi2sk: `${new Date(NOW + RECONCILE_AFTER_MS).toISOString()}#CUSTOMER#c-1#PROFILE#5`,
      state: { name: 'verification', value: 'unknown' },
    });
    expect(write!.kind === 'enter' && write!.gsi2sk <= dueBy(NOW + RECONCILE_AFTER_MS)).toBe(true);
    expect(write!.kind === 'enter' && write!.gsi2sk <= dueBy(NOW + RECONCILE_AFTER_MS - 1)).toBe(false);
  });

  it('keeps a listed item where it is while unresolved, and takes it off once resolved', () => {
    const listed = { gsi2pk: 'RECONCILE#KYC', gsi2sk: 'x' };
    expect(dueListWriteOf(change('KYC#5#r', { status: 'PROCESSING', ...listed }), NOW)).toBeUndefined();
    expect(dueListWriteOf(change('KYC#5#r', { status: 'PASSED', ...listed }), NOW)).toEqual({
      kind: 'leave',
      list: 'KYC',
      state: { name: 'status', value: 'PASSED' },
    });
    expect(dueListWriteOf(change('PROFILE#5', { verification: 'verified' }), NOW)).toBeUndefined();
    expect(dueListWriteOf(change('PROFILE#5', undefined), NOW)).toBeUndefined();
    expect(dueListWriteOf(change('ACCOUNT', { status: 'LINKED' }), NOW)).toBeUndefined();
  });
});

describe('reading Wise', () => {
  it('calls a profile verified only when every route asked about is', () => {
    expect(verificationFromRoutes([{ current_status: 'verified' }, { current_status: 'verified' }])).toBe(
      'verified',
    );
    expect(verificationFromRoutes([{ current_status: 'verified' }, { current_status: 'not_verified' }])).toBe(
      'not_verified',
    );
    expect(verificationFromRoutes([])).toBe('not_verified');
  });

  it('finds subscriptions missing at our URL or only at another schema version', () => {
    // Prepare
    const url = 'https://api.example/v1/webhooks/wise';
    const sub = (trigger_on: string, version: string, at = url) => ({
      id: trigger_on,
      trigger_on,
      delivery: { url: at, version },
    });

    // Act
    const missing = missingSubscriptions(
      [
        sub('profiles#verification-state-change', '2.0.0'),
        sub('kyc-reviews#state-change', '1.0.0'),
        sub('users#state-change', '2.0.0', 'https://elsewhere'),
      ],
      url,
      [
        { event: 'profiles#verification-state-change', version: '2.0.0' },
        { event: 'kyc-reviews#state-change', version: '2.0.0' },
        { event: 'users#state-change', version: '2.0.0' },
      ],
    );

    // Assess
    expect(missing).toEqual([
      { event: 'kyc-reviews#state-change', expectedVersion: '2.0.0', foundVersions: ['1.0.0'] },
      { event: 'users#state-change', expectedVersion: '2.0.0', foundVersions: [] },
    ]);
  });
});
