import { beforeAll, describe, expect, it } from 'vitest';
import { accountLease } from '../../../shared/ports/accounts';
import { START, subjects, unique } from './subjects';

describe.each(subjects())('AccountStore contract: $name', (subject) => {
  beforeAll(() => subject.setUp());

  it('creates an account once, with its timestamps from the clock and no profiles', async () => {
    // Prepare
    const { accounts } = subject.ports();
    const customerId = unique('create');

    // Act
    const first = await accounts.create({
      customerId,
      status: 'CREATING',
      origin: 'CREATED',
      email: 'ada@example.com',
    });
    const second = await accounts.create({ customerId, status: 'ACTIVE' });

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await accounts.get(customerId)).toEqual({
      customerId,
      status: 'CREATING',
      origin: 'CREATED',
      email: 'ada@example.com',
      createdAt: new Date(START).toISOString(),
      updatedAt: new Date(START).toISOString(),
      profiles: [],
    });
  });

  it('knows no account it never created', async () => {
    // Prepare
    const { accounts } = subject.ports();
    const customerId = unique('unknown');

    // Act
    const updated = await accounts.update(customerId, { status: 'ACTIVE' });

    // Assess
    expect(updated).toBe(false);
    expect(await accounts.get(customerId)).toBeUndefined();
    expect(await accounts.getProfile(customerId, 1)).toBeUndefined();
  });

  it('updates only from an expected status, and moves updatedAt but not createdAt', async () => {
    // Prepare
    const { accounts, clock } = subject.ports();
    const customerId = unique('cas');
    await accounts.create({ customerId, status: 'CREATING' });
    clock.advance(5_000);

    // Act
    const refused = await accounts.update(
      customerId,
      { status: 'LINKED' },
      { expectStatus: ['NONE', 'LINK_PENDING'] },
    );
    const afterRefusal = await accounts.get(customerId);
    const accepted = await accounts.update(customerId, { status: 'ACTIVE' }, { expectStatus: ['CREATING'] });

    // Assess
    expect([refused, accepted]).toEqual([false, true]);
    expect(afterRefusal?.status).toBe('CREATING');
    expect(afterRefusal?.updatedAt).toBe(new Date(START).toISOString());
    const account = await accounts.get(customerId);
    expect(account?.status).toBe('ACTIVE');
    expect(account?.createdAt).toBe(new Date(START).toISOString());
    expect(account?.updatedAt).toBe(new Date(START + 5_000).toISOString());
  });

  it('leaves fields given as undefined alone and removes the named ones', async () => {
    // Prepare
    const { accounts } = subject.ports();
    const customerId = unique('fields');
    await accounts.create({
      customerId,
      status: 'CREATING',
      signupStep: 'STARTED',
      registrationCodeCiphertext: 'sealed',
    });

    // Act
    await accounts.update(
      customerId,
      { signupStep: 'USER_CREATED', email: undefined },
      { remove: ['registrationCodeCiphertext'] },
    );

    // Assess
    const account = await accounts.get(customerId);
    expect(account?.signupStep).toBe('USER_CREATED');
    expect(account).not.toHaveProperty('registrationCodeCiphertext');
    expect(account).not.toHaveProperty('email');
  });

  it('records a profile once, personal first, and deletes profiles by id', async () => {
    // Prepare
    const { accounts } = subject.ports();
    const customerId = unique('profiles');
    await accounts.create({ customerId, status: 'ACTIVE' });

    // Act
    await accounts.putProfile(customerId, { id: 30, type: 'BUSINESS' });
    await accounts.putProfile(customerId, { id: 20, type: 'PERSONAL', verification: 'verified' });
    await accounts.putProfile(customerId, { id: 10, type: 'BUSINESS' });
    await accounts.putProfile(customerId, { id: 20, type: 'PERSONAL', verification: 'not_verified' });

    // Assess
    const account = await accounts.get(customerId);
    expect(account?.profiles).toEqual([
      { id: 20, type: 'PERSONAL', verification: 'verified' },
      { id: 10, type: 'BUSINESS', verification: 'unknown' },
      { id: 30, type: 'BUSINESS', verification: 'unknown' },
    ]);
    expect(await accounts.getProfile(customerId, 10)).toEqual({
      id: 10,
      type: 'BUSINESS',
      verification: 'unknown',
    });
    await accounts.deleteProfiles(customerId, [10, 30]);
    expect((await accounts.get(customerId))?.profiles.map((p) => p.id)).toEqual([20]);
  });

  it("finds a profile's and a Wise user's customer, also for an account created already linked", async () => {
    // Prepare
    const { accounts } = subject.ports();
    const [signedUp, linked] = [unique('owner'), unique('owner-linked')];
    const [userA, userB, profileId] = [
      Math.floor(Math.random() * 1e9),
      Math.floor(Math.random() * 1e9),
      Math.floor(Math.random() * 1e9),
    ];
    await accounts.create({ customerId: signedUp, status: 'CREATING' });

    // Act
    await accounts.update(signedUp, { wiseUserId: userA });
    await accounts.putProfile(signedUp, { id: profileId, type: 'PERSONAL' });
    await accounts.create({ customerId: linked, status: 'LINKED', origin: 'LINKED', wiseUserId: userB });

    // Assess
    expect(await accounts.customerOfWiseUser(userA)).toBe(signedUp);
    expect(await accounts.customerOfProfile(profileId)).toBe(signedUp);
    expect(await accounts.customerOfWiseUser(userB)).toBe(linked);
    expect(await accounts.customerOfProfile(profileId + 1)).toBeUndefined();
  });

  it("takes the account's lease in the creating write: the Lease port sees it and its holder releases it", async () => {
    // Prepare
    const { accounts, lease } = subject.ports();
    const customerId = unique('create-lease');

    // Act
    await accounts.create({ customerId, status: 'CREATING' }, { owner: 'signup-1', leaseMs: 30_000 });
    const rival = await lease.take(accountLease(customerId), 'signup-2', 30_000);
    const holderAgain = await lease.take(accountLease(customerId), 'signup-1', 30_000);
    await lease.release(accountLease(customerId), 'signup-1');
    const afterRelease = await lease.take(accountLease(customerId), 'signup-2', 30_000);

    // Assess
    expect([rival, holderAgain, afterRelease]).toEqual([false, true, true]);
    expect((await accounts.get(customerId))?.status).toBe('CREATING');
  });
});
