import { beforeAll, describe, expect, it } from 'vitest';
import { accountLease } from '../../../shared/ports/accounts';
import { kycCreationLease } from '../../../shared/ports/kyc-reviews';
import { subjects, unique } from './subjects';

const TRIGGER = { type: 'PROACTIVE_SEND_MONEY' } as const;

describe.each(subjects())('Lease contract: $name', (subject) => {
  beforeAll(() => subject.setUp());

  it('on an item: cannot be taken while the item does not exist', async () => {
    // Prepare
    const { lease } = subject.ports();

    // Act
    const taken = await lease.take(accountLease(unique('no-account')), 'me', 10_000);

    // Assess
    expect(taken).toBe(false);
  });

  it('has one holder, who may take it again; a rival gets it once the holder releases', async () => {
    // Prepare
    const { accounts, lease } = subject.ports();
    const customerId = unique('holder');
    await accounts.create({ customerId, status: 'CREATING' });
    const spec = accountLease(customerId);

    // Act
    const holder = await lease.take(spec, 'a', 10_000);
    const rival = await lease.take(spec, 'b', 10_000);
    const again = await lease.take(spec, 'a', 10_000);
    await lease.release(spec, 'b');
    const rivalAfterOwnRelease = await lease.take(spec, 'b', 10_000);
    await lease.release(spec, 'a');
    const rivalAfterHolderRelease = await lease.take(spec, 'b', 10_000);

    // Assess
    expect([holder, rival, again, rivalAfterOwnRelease, rivalAfterHolderRelease]).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect((await accounts.get(customerId))?.status).toBe('CREATING');
  });

  it('is taken over only once its time has passed by the clock, and the old holder cannot release it', async () => {
    // Prepare
    const { accounts, lease, clock } = subject.ports();
    const customerId = unique('expiry');
    await accounts.create({ customerId, status: 'CREATING' });
    const spec = accountLease(customerId);
    await lease.take(spec, 'crashed', 10_000);

    // Act
    clock.advance(10_000);
    const atExpiry = await lease.take(spec, 'successor', 10_000);
    clock.advance(1);
    const afterExpiry = await lease.take(spec, 'successor', 10_000);
    await lease.release(spec, 'crashed');
    const crashedAgain = await lease.take(spec, 'crashed', 10_000);

    // Assess
    expect([atExpiry, afterExpiry, crashedAgain]).toEqual([false, true, false]);
  });

  it('with a guard: taken only while the item holds the guarded values', async () => {
    // Prepare
    const { accounts, lease } = subject.ports();
    const customerId = unique('guard');
    await accounts.create({ customerId, status: 'CREATING' });

    // Act
    const wrong = await lease.take({ ...accountLease(customerId), guard: { status: 'ACTIVE' } }, 'a', 10_000);
    const right = await lease.take(
      { ...accountLease(customerId), guard: { status: 'CREATING' } },
      'a',
      10_000,
    );

    // Assess
    expect([wrong, right]).toEqual([false, true]);
  });

  it('standalone: exists only while held; released by its holder only, then free at once', async () => {
    // Prepare
    const { lease, clock } = subject.ports();
    const spec = kycCreationLease(unique('kyc'), 4242, TRIGGER);

    // Act
    const holder = await lease.take(spec, 'holder', 30_000);
    const rival = await lease.take(spec, 'rival', 30_000);
    await lease.release(spec, 'rival');
    const rivalAfterOwnRelease = await lease.take(spec, 'rival', 30_000);
    clock.advance(30_001);
    const successor = await lease.take(spec, 'successor', 30_000);
    await lease.release(spec, 'holder');
    const holderAfterTakeover = await lease.take(spec, 'holder', 30_000);
    await lease.release(spec, 'successor');
    const next = await lease.take(spec, 'next', 30_000);

    // Assess
    expect([holder, rival, rivalAfterOwnRelease, successor, holderAfterTakeover, next]).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
    ]);
  });
});
