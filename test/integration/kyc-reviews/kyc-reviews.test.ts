import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestStack, type TestStack } from '../../support/stack';
import { customerWithProfile, quoteFor, type CustomerWithProfile } from './customer';

let t: TestStack;
let returnUrl: string;

const reviewsPath = (c: CustomerWithProfile) =>
  `/v1/customers/${c.customerId}/wise-account/profiles/${c.profileId}/kyc-reviews`;

/** The stored item, exactly as DynamoDB holds it. */
const storedItem = async (c: CustomerWithProfile, reviewId: string) => {
  const deps = t.stack.deps['kyc-reviews'];
  const out = await deps.table.db.send(
    new GetCommand({
      TableName: deps.table.name,
      Key: { pk: `CUSTOMER#${c.customerId}`, sk: `KYC#${c.profileId}#${reviewId}` },
    }),
  );
  return out.Item;
};

const simReviews = async (): Promise<{ id: string; profileId: number; status: string }[]> =>
  (await t.sim_('GET', '/_sim/state')).body.kycReviews;

const createReview = async (c: CustomerWithProfile, trigger: unknown, redirectUrl = returnUrl) =>
  t.call('POST', reviewsPath(c), { as: c.customerId, body: { trigger, redirectUrl } });

/** Wise keeps a new review NEW "at most few seconds"; the simulator, 3 s on the shared clock. */
const pastNew = () => t.sim.advance(3000);

/** A review past NEW and the hosted link route 15 then gives. */
const waitingReview = async (c: CustomerWithProfile, trigger: unknown) => {
  const created = await createReview(c, trigger);
  await pastNew();
  const link = await t.call('POST', `${reviewsPath(c)}/${created.body.id}/link`, { as: c.customerId });
  if (link.status !== 200) throw new Error(`no link: ${link.status} ${link.text}`);
  return { created, link: link.body as { url: string; expiresAt: string } };
};

beforeAll(async () => {
  t = await startTestStack();
  returnUrl = `http://localhost:${t.stack.gateway.port}/app/kyc-done?step=2`;
});

afterAll(async () => {
  await t?.close();
});

afterEach(async () => {
  await t.sim_('DELETE', '/_sim/faults');
});

describe('route 12: create a KYC review', () => {
  it('creates the review at Wise for a quote; while it is NEW there is no link yet (item 1)', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const quoteId = await quoteFor(t, c);

    // Act
    const res = await createReview(c, { type: 'QUOTE', id: quoteId });

    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'NEW', trigger: { type: 'QUOTE', id: quoteId }, link: null });
    expect(await simReviews()).toContainEqual(
      expect.objectContaining({ id: res.body.id, profileId: c.profileId, redirectUrl: returnUrl }),
    );
  });

  it("answers a repeat with a hosted link once Wise waits for the customer, 5 minutes from the call whatever Wise's expiresAt says (items 1, 2)", async () => {
    // Prepare: the simulator prints link.expiresAt as Wise's PATCH example does (56 ms after updatedAt)
    const c = await customerWithProfile(t);
    const quoteId = await quoteFor(t, c);
    const first = await createReview(c, { type: 'QUOTE', id: quoteId });
    await pastNew();

    // Act
    const res = await createReview(c, { type: 'QUOTE', id: quoteId });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: first.body.id, status: 'WAITING_CUSTOMER_INPUT' });
    expect(res.body.link.url).toMatch(/^http:\/\/.+\/embedded-flows\/verification\?token=/);
    expect(Date.parse(res.body.link.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
    expect(res.body.requirements).toEqual([
      [{ key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', apiCollectionSupported: false }],
      [{ key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', apiCollectionSupported: true }],
    ]);
    const page = await fetch(res.body.link.url);
    expect(page.status).toBe(200);
  });

  it('keeps the hosted link only encrypted at rest', async () => {
    // Prepare
    const c = await customerWithProfile(t);

    // Act
    const { created, link } = await waitingReview(c, { type: 'PROACTIVE_SEND_MONEY' });

    // Assess
    expect(created.status).toBe(201);
    const res = { body: { id: created.body.id, link } };
    const token = new URL(res.body.link.url).searchParams.get('token')!;
    const item = await storedItem(c, res.body.id);
    expect(item).toMatchObject({
      status: 'WAITING_CUSTOMER_INPUT',
      trigger: { type: 'PROACTIVE_SEND_MONEY' },
      redirectUrl: returnUrl,
    });
    expect(item?.linkExpiresAt).toBe(Date.parse(res.body.link.expiresAt));
    expect(typeof item?.linkCiphertext).toBe('string');
    expect(JSON.stringify(item)).not.toContain(token);
  });

  it('answers a repeat for the same trigger with the same review and its still-good link', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const quoteId = await quoteFor(t, c);
    await createReview(c, { type: 'QUOTE', id: quoteId });
    await pastNew();
    const first = await createReview(c, { type: 'QUOTE', id: quoteId });

    // Act
    const again = await createReview(c, { type: 'QUOTE', id: quoteId });

    // Assess
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.link).toEqual(first.body.link);
    expect(again.body.link).not.toBeNull();
    expect((await simReviews()).filter((r) => r.profileId === c.profileId)).toHaveLength(1);
  });

  it('gives a fresh link, not a second review, when the stored link is within 30 seconds of expiry', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const quoteId = await quoteFor(t, c);
    await createReview(c, { type: 'QUOTE', id: quoteId });
    await pastNew();
    const first = await createReview(c, { type: 'QUOTE', id: quoteId });
    t.clock.advance(5 * 60 * 1000 - 30 * 1000);

    // Act
    const again = await createReview(c, { type: 'QUOTE', id: quoteId });

    // Assess
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.link.url).not.toBe(first.body.link.url);
    expect(Date.parse(again.body.link.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
    expect((await fetch(again.body.link.url)).status).toBe(200);
    expect((await simReviews()).filter((r) => r.profileId === c.profileId)).toHaveLength(1);
  });

  it('refuses a redirect URL off the allowlist before anything reaches Wise', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const before = (await simReviews()).length;

    // Act
    const res = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' }, 'https://evil.example.com/phish');

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'RETURN_URL_NOT_ALLOWED', errors: [{ path: 'redirectUrl' }] });
    expect((await simReviews()).length).toBe(before);
  });

  it('answers 404 QUOTE_NOT_FOUND for a quote Wise does not know', async () => {
    // Prepare
    const c = await customerWithProfile(t);

    // Act
    const res = await createReview(c, { type: 'QUOTE', id: randomUUID() });

    // Assess
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'QUOTE_NOT_FOUND', errors: [{ path: 'trigger.id' }] });
  });

  it('names every bad field of a broken body', async () => {
    // Prepare
    const c = await customerWithProfile(t);

    // Act
    const res = await t.call('POST', reviewsPath(c), {
      as: c.customerId,
      body: { trigger: { type: 'QUOTE', id: 'not-a-uuid' }, redirectUrl: 'nope' },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'redirectUrl',
      'trigger.id',
    ]);
  });

  it("answers 404 PROFILE_NOT_FOUND for a profile that is not the customer's", async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const other = await customerWithProfile(t);

    // Act
    const res = await createReview({ ...c, profileId: other.profileId }, { type: 'PROACTIVE_SEND_MONEY' });

    // Assess
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PROFILE_NOT_FOUND');
  });
});

describe('the customer guard', () => {
  it('answers 403 to another customer on every KYC route, and lets the back office in', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    const one = `${reviewsPath(c)}/${created.body.id}`;

    // Act
    const answers = await Promise.all([
      t.call('POST', reviewsPath(c), {
        as: 'someone-else',
        body: { trigger: { type: 'PROACTIVE_SEND_MONEY' }, redirectUrl: returnUrl },
      }),
      t.call('GET', reviewsPath(c), { as: 'someone-else' }),
      t.call('GET', one, { as: 'someone-else' }),
      t.call('POST', `${one}/link`, { as: 'someone-else', body: {} }),
    ]);
    const admin = await t.call('GET', reviewsPath(c), { as: { scope: 'wise-onboarding/admin' } });

    // Assess
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    expect(answers.every((a) => a.body.code === 'FORBIDDEN')).toBe(true);
    expect(admin.status).toBe(200);
    expect(admin.body.items.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
  });
});

describe('route 15: a fresh link', () => {
  it('serves a new link once the old one has expired, never the expired one', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const { created: review, link } = await waitingReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    const created = { body: { id: review.body.id, link } };
    t.clock.advance(6 * 60 * 1000);
    expect((await fetch(created.body.link.url)).status).toBe(410);

    // Act
    const res = await t.call('POST', `${reviewsPath(c)}/${created.body.id}/link`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'url']);
    expect(res.body.url).not.toBe(created.body.link.url);
    expect(Date.parse(res.body.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
    expect((await fetch(res.body.url)).status).toBe(200);
  });

  it('always asks Wise for a new link, even while the last one is good: its one-time token may be spent (item 3)', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const { created, link } = await waitingReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    t.clock.advance(60_000);

    // Act
    const res = await t.call('POST', `${reviewsPath(c)}/${created.body.id}/link`, {
      as: c.customerId,
      body: {},
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.url).not.toBe(link.url);
    expect(Date.parse(res.body.expiresAt) - t.clock.now()).toBe(5 * 60 * 1000);
    expect((await fetch(res.body.url)).status).toBe(200);
    // Wise replaced the link: the one handed out before no longer opens.
    expect((await fetch(link.url)).status).toBe(404);
  });

  it('answers 409 KYC_LINK_UNAVAILABLE with Retry-After while the review is still NEW (item 1)', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });

    // Act
    const res = await t.call('POST', `${reviewsPath(c)}/${created.body.id}/link`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('KYC_LINK_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('moves the return address when asked, only to an allowed one', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const { created: review, link } = await waitingReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    const created = { body: { id: review.body.id, link } };
    const elsewhere = `http://localhost:${t.stack.gateway.port}/app/other`;
    const path = `${reviewsPath(c)}/${created.body.id}/link`;

    // Act
    const refused = await t.call('POST', path, {
      as: c.customerId,
      body: { redirectUrl: 'https://evil.example.com/' },
    });
    const moved = await t.call('POST', path, { as: c.customerId, body: { redirectUrl: elsewhere } });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('RETURN_URL_NOT_ALLOWED');
    expect(moved.status).toBe(200);
    expect(moved.body.url).not.toBe(created.body.link.url);
    expect((await simReviews()).find((r) => r.id === created.body.id)).toMatchObject({
      redirectUrl: elsewhere,
    });
  });

  it('answers 409 KYC_LINK_UNAVAILABLE when the review no longer waits for the customer', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    await pastNew();
    t.clock.advance(60_000); // the customer spends a minute on the hosted page
    await t.sim_('POST', `/_sim/kyc-reviews/${created.body.id}/complete`, { outcome: 'success' });

    // Act
    const res = await t.call('POST', `${reviewsPath(c)}/${created.body.id}/link`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('KYC_LINK_UNAVAILABLE');
  });

  it('answers 404 KYC_REVIEW_NOT_FOUND for a review it does not hold', async () => {
    // Prepare
    const c = await customerWithProfile(t);

    // Act
    const res = await t.call('POST', `${reviewsPath(c)}/${randomUUID()}/link`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('KYC_REVIEW_NOT_FOUND');
  });
});

describe('routes 13 and 14: keeping reviews current', () => {
  it('shows completion on the hosted page through the webhook in the list (route 13)', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    await pastNew();
    t.clock.advance(60_000); // the customer spends a minute on the hosted page

    // Act
    const done = await t.sim_('POST', `/_sim/kyc-reviews/${created.body.id}/complete`, {
      outcome: 'success',
    });

    // Assess
    expect(done.status).toBe(200);
    const listed = await eventually(async () => {
      const res = await t.call('GET', reviewsPath(c), { as: c.customerId });
      const item = res.body.items?.find((r: { id: string }) => r.id === created.body.id);
      return item && ['PROCESSING', 'PASSED'].includes(item.status) ? item : undefined;
    });
    expect(listed).toMatchObject({ id: created.body.id, trigger: { type: 'PROACTIVE_SEND_MONEY' } });
  });

  it('reads the review from Wise (route 14) and records what it read', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    await pastNew();
    t.clock.advance(60_000); // the customer spends a minute on the hosted page
    await t.sim_('POST', `/_sim/kyc-reviews/${created.body.id}/complete`, { outcome: 'success' });
    // Wise stamps webhooks to the second; a read in a later second ranks above them.
    t.clock.advance(1000);

    // Act
    const res = await t.call('GET', `${reviewsPath(c)}/${created.body.id}`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, status: 'PASSED', profileId: c.profileId });
    expect(res.body.requirements.flat().every((q: { state: string }) => q.state === 'VERIFIED')).toBe(true);
    expect(res.body.link).toBeUndefined();
    const listed = await t.call('GET', reviewsPath(c), { as: c.customerId });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ id: created.body.id, status: 'PASSED' }),
    );
  });

  it('never lets a read of Wise overwrite a newer webhook state', async () => {
    // Prepare: a webhook stamped later than any read of this test has recorded PASSED.
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    const deps = t.stack.deps['kyc-reviews'];
    const item = await storedItem(c, created.body.id);
    await deps.table.db.send(
      new PutCommand({
        TableName: deps.table.name,
        Item: { ...item, status: 'PASSED', statusOccurredAt: t.clock.now() + 60_000 },
      }),
    );

    // Act: Wise still says WAITING_CUSTOMER_INPUT.
    const res = await t.call('GET', `${reviewsPath(c)}/${created.body.id}`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('PASSED');
    expect((await storedItem(c, created.body.id))?.status).toBe('PASSED');
  });

  it('answers route 14 from the store while Wise is unavailable', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    await pastNew();
    await t.sim_('POST', '/_sim/faults', {
      method: 'GET',
      path: `/v2/profiles/${c.profileId}/kyc-reviews`,
      status: 503,
    });

    // Act
    const res = await t.call('GET', `${reviewsPath(c)}/${created.body.id}`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, status: 'WAITING_CUSTOMER_INPUT' });
  });

  it('answers 503 WISE_UNAVAILABLE for a review it does not hold while Wise is unavailable', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    await t.sim_('POST', '/_sim/faults', {
      method: 'GET',
      path: `/v2/profiles/${c.profileId}/kyc-reviews`,
      status: 503,
    });

    // Act
    const res = await t.call('GET', `${reviewsPath(c)}/${randomUUID()}`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('WISE_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers 404 KYC_REVIEW_NOT_FOUND when neither Wise nor the store knows the review', async () => {
    // Prepare
    const c = await customerWithProfile(t);

    // Act
    const res = await t.call('GET', `${reviewsPath(c)}/${randomUUID()}`, { as: c.customerId });

    // Assess
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('KYC_REVIEW_NOT_FOUND');
  });

  it("lists only the profile's stored reviews, without any link", async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const a = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    const b = await createReview(c, { type: 'QUOTE', id: await quoteFor(t, c) });

    // Act
    const res = await t.call('GET', reviewsPath(c), { as: c.customerId });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { id: string }) => r.id).sort()).toEqual([a.body.id, b.body.id].sort());
    expect(res.text).not.toContain('token=');
    expect(res.text).not.toContain('linkCiphertext');
  });
});

describe('route 16: submitting a requirement over the API', () => {
  const submit = async (c: CustomerWithProfile, reviewId: string, form: FormData, as = c.customerId) => {
    const res = await fetch(`${t.stack.url}${reviewsPath(c)}/${reviewId}/requirements/ACCOUNT_PURPOSE`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.stack.token(as)}` },
      body: form,
    });
    return { status: res.status, body: await res.json() };
  };
  const purposeForm = (file: { name: string; type: string; bytes: string }) => {
    const form = new FormData();
    form.append('data', JSON.stringify({ accountPurpose: 'SENDING_MONEY_TO_FRIENDS_OR_FAMILY' }));
    form.append('files', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
    return form;
  };

  it('passes a PDF for an API-collectable requirement to Wise as multipart, which takes it into review', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    await pastNew();

    // Act
    const res = await submit(
      c,
      created.body.id,
      purposeForm({ name: 'purpose.pdf', type: 'application/pdf', bytes: '%PDF-1.7\n%%EOF\n' }),
    );

    // Assess
    expect(res.status).toBe(202);
    expect(res.body.state).toBe('IN_REVIEW');
    const atWise = await t.call('GET', `${reviewsPath(c)}/${created.body.id}`, { as: c.customerId });
    expect(atWise.body.requirements).toContainEqual([
      { key: 'ACCOUNT_PURPOSE', state: 'IN_REVIEW', apiCollectionSupported: true },
    ]);
  });

  it('refuses a file that claims to be a PDF but is not, and another customer, before Wise hears of it', async () => {
    // Prepare
    const c = await customerWithProfile(t);
    const created = await createReview(c, { type: 'PROACTIVE_SEND_MONEY' });
    await pastNew();
    const fake = purposeForm({
      name: 'purpose.pdf',
      type: 'application/pdf',
      bytes: '<script>alert(1)</script>',
    });

    // Act
    const forged = await submit(c, created.body.id, fake);
    const other = await submit(
      c,
      created.body.id,
      purposeForm({ name: 'p.pdf', type: 'application/pdf', bytes: '%PDF-1.7' }),
      'someone-else',
    );

    // Assess
    expect(forged.status).toBe(400);
    expect(other.status).toBe(403);
    const atWise = await t.call('GET', `${reviewsPath(c)}/${created.body.id}`, { as: c.customerId });
    expect(atWise.body.requirements.flat()).toContainEqual({
      key: 'ACCOUNT_PURPOSE',
      state: 'NOT_PROVIDED',
      apiCollectionSupported: true,
    });
  });
});
