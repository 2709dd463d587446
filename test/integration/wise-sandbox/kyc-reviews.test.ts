import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WiseSandbox } from '../../../local/wise-sandbox';
import { createSimClock } from '../../../local/wise-sandbox';
import {
  businessBody,
  call,
  createPersonalProfile,
  signUpUser,
  simStateOf,
  start,
  submitForm,
  hiddenValue,
  WebhookReceiver,
  subscribeApplication,
  type SignedUpUser,
} from './helpers';
import {
  kycProblem,
  kycReview,
  kycReviewV2,
  kycStateChangeData,
  simulationError,
  validationErrors,
} from './schemas/wise';

describe('KYC reviews', () => {
  let wise: WiseSandbox;
  let receiver: WebhookReceiver;
  const clock = createSimClock(Date.parse('2026-03-01T10:00:00Z'));
  let u: SignedUpUser;
  let profileId: number;

  beforeAll(async () => {
    wise = await start({ clock, webhookRetry: { baseDelayMs: 20 } });
    receiver = await new WebhookReceiver().start();
    await subscribeApplication(wise, receiver.url, 'kyc-reviews#state-change');
    u = await signUpUser(wise);
    profileId = await createPersonalProfile(wise, u.accessToken);
  });
  afterAll(async () => {
    await wise.close();
    await receiver.close();
  });

  const newQuote = async () => {
    const res = await call(wise, 'POST', `/v3/profiles/${profileId}/quotes`, u.accessToken, {
      sourceCurrency: 'GBP',
      targetCurrency: 'EUR',
      sourceAmount: 100,
    });
    return ((await res.json()) as { id: string }).id;
  };
  const newReview = async () => {
    const res = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'QUOTE',
      triggerData: { id: await newQuote() },
    });
    return kycReview.parse(await res.json());
  };
  const patch = async (id: string, redirectUrl = 'http://localhost:3000/kyc/return?x=1') => {
    const res = await call(wise, 'PATCH', `/v1/profiles/${profileId}/kyc-reviews/${id}`, u.accessToken, {
      redirectUrl,
    });
    return kycReview.parse(await res.json());
  };
  /** A review past NEW (Wise: "at most few seconds"; here 3 s on the simulator's clock), then PATCHed. */
  const patchLink = async (id: string, redirectUrl?: string) => {
    await wise.advance(3000);
    return patch(id, redirectUrl);
  };

  it('creates a review for a quote: 202, status NEW, no link, redirectUrl null', async () => {
    // Prepare
    const quoteId = await newQuote();
    // Act
    const res = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'QUOTE',
      triggerData: { id: quoteId },
    });
    // Assess
    expect(res.status).toBe(202);
    const review = kycReview.parse(await res.json());
    expect(review).toMatchObject({
      status: 'NEW',
      redirectUrl: null,
      triggerReferences: [{ type: 'QUOTE', triggerData: { id: quoteId } }],
    });
    expect(review.link).toBeUndefined();
  });

  it('rejects an unknown quote (404) and a missing or unsupported type (400)', async () => {
    // Act
    const unknown = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'QUOTE',
      triggerData: { id: '8a7d3b1e-0000-4000-8000-000000000000' },
    });
    const noType = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {});
    const badType = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'LOTTERY',
    });
    const proactive = await call(wise, 'POST', `/v1/profiles/${profileId}/kyc-reviews`, u.accessToken, {
      type: 'PROACTIVE_SEND_MONEY',
    });
    // Assess
    expect(unknown.status).toBe(404);
    expect(noType.status).toBe(400);
    expect(badType.status).toBe(400);
    validationErrors.parse(await badType.json());
    expect(proactive.status).toBe(202);
  });

  it('lists with pageNumber/pageSize and gets v1 and v2 (v2 with requirements)', async () => {
    // Prepare
    const other = await signUpUser(wise);
    const otherProfile = await createPersonalProfile(wise, other.accessToken);
    const otherQuote = await call(wise, 'POST', `/v3/profiles/${otherProfile}/quotes`, other.accessToken, {
      sourceCurrency: 'GBP',
      targetCurrency: 'EUR',
      sourceAmount: 1,
    });
    const q = ((await otherQuote.json()) as { id: string }).id;
    const created = [];
    for (let i = 0; i < 3; i++)
      created.push(
        kycReview.parse(
          await (
            await call(wise, 'POST', `/v1/profiles/${otherProfile}/kyc-reviews`, other.accessToken, {
              type: 'QUOTE',
              triggerData: { id: q },
            })
          ).json(),
        ),
      );
    // Act
    const page1 = (await (
      await call(
        wise,
        'GET',
        `/v1/profiles/${otherProfile}/kyc-reviews?pageNumber=1&pageSize=2`,
        other.accessToken,
      )
    ).json()) as unknown[];
    const page2 = (await (
      await call(
        wise,
        'GET',
        `/v1/profiles/${otherProfile}/kyc-reviews?pageNumber=2&pageSize=2`,
        other.accessToken,
      )
    ).json()) as unknown[];
    const tooBig = await call(
      wise,
      'GET',
      `/v1/profiles/${otherProfile}/kyc-reviews?pageSize=101`,
      other.accessToken,
    );
    const v1 = await call(
      wise,
      'GET',
      `/v1/profiles/${otherProfile}/kyc-reviews/${created[0]?.id}`,
      other.accessToken,
    );
    const v2 = await call(
      wise,
      'GET',
      `/v2/profiles/${otherProfile}/kyc-reviews/${created[0]?.id}`,
      other.accessToken,
    );
    const foreign = await call(
      wise,
      'GET',
      `/v2/profiles/${otherProfile}/kyc-reviews/${created[0]?.id}`,
      u.accessToken,
    );
    const missing = await call(
      wise,
      'GET',
      `/v2/profiles/${otherProfile}/kyc-reviews/00000000-0000-4000-8000-000000000000`,
      other.accessToken,
    );
    // Assess
    expect(page1.map((r) => kycReview.parse(r).id)).toEqual([created[0]?.id, created[1]?.id]);
    expect(page2.map((r) => kycReview.parse(r).id)).toEqual([created[2]?.id]);
    expect(tooBig.status).toBe(400);
    expect(kycReview.parse(await v1.json())).not.toHaveProperty('requirements');
    const withReqs = kycReviewV2.parse(await v2.json());
    expect(withReqs.requirements).toEqual([
      [
        {
          key: 'ID_DOCUMENT_WITH_LIVENESS',
          state: 'NOT_PROVIDED',
          status: 'NOT_PROVIDED',
          apiCollectionSupported: false,
        },
      ],
      [
        {
          key: 'ACCOUNT_PURPOSE',
          state: 'NOT_PROVIDED',
          status: 'NOT_PROVIDED',
          apiCollectionSupported: true,
        },
      ],
    ]);
    expect(foreign.status).toBe(403);
    expect(missing.status).toBe(404);
  });

  it('NEW for a few seconds on the simulator clock: PATCH then gives no link; WAITING_CUSTOMER_INPUT (webhook) then a 5-minute link; bad URI 400', async () => {
    // Prepare
    const review = await newReview();
    const before = receiver.received.length;
    // Act
    const whileNew = await patch(review.id);
    await wise.advance(2999);
    const stillNew = await patch(review.id);
    await wise.advance(1);
    const waiting = await patch(review.id);
    const bad = await call(
      wise,
      'PATCH',
      `/v1/profiles/${profileId}/kyc-reviews/${review.id}`,
      u.accessToken,
      { redirectUrl: 'not a uri' },
    );
    // Assess
    expect(whileNew).toMatchObject({ status: 'NEW', redirectUrl: 'http://localhost:3000/kyc/return?x=1' });
    expect(whileNew.link).toBeUndefined();
    expect(stillNew.status).toBe('NEW');
    expect(waiting.status).toBe('WAITING_CUSTOMER_INPUT');
    expect(waiting.link?.value).toMatch(new RegExp(`^${wise.url}/embedded-flows/verification\\?token=`));
    // Printed as in Wise's PATCH example: zone-less, nine fraction digits, 56 ms after updatedAt.
    expect(waiting.link?.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}$/);
    expect(Date.parse(`${waiting.link?.expiresAt.slice(0, 23)}Z`) - Date.parse(`${waiting.updatedAt}Z`)).toBe(
      56,
    );
    expect(bad.status).toBe(400);
    await receiver.waitFor(before + 1);
    // Every review created so far left NEW at the same advance; this one's event is among them.
    const events = receiver
      .bodies()
      .slice(before)
      .filter((b) => (b.data.resource as { id?: string } | undefined)?.id === review.id);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.event_type).toBe('kyc-reviews#state-change');
    expect(kycStateChangeData.parse(event.data).resource).toMatchObject({
      id: review.id,
      state: 'WAITING_CUSTOMER_INPUT',
      profileId,
      updatedAt: new Date(Date.parse(`${review.createdAt}Z`) + 3000).toISOString().replace(/Z$/, ''),
    });
  });

  it('the hosted link lives 5 minutes after it is issued, whatever expiresAt prints', async () => {
    // Prepare
    const review = await patchLink((await newReview()).id);
    // Act
    await wise.advance(5 * 60 * 1000 - 1);
    const justAlive = await fetch(review.link?.value ?? '', { redirect: 'manual' });
    await wise.advance(1);
    const dead = await fetch(review.link?.value ?? '', { redirect: 'manual' });
    // Assess
    expect(justAlive.status).toBe(200);
    expect(dead.status).toBe(410);
  });

  it('hosted page: Complete verification → PROCESSING then PASSED webhooks → redirect with status=success', async () => {
    // Prepare
    const review = await patchLink((await newReview()).id);
    const before = receiver.received.length;
    // Act
    const page = await fetch(review.link?.value ?? '');
    const html = await page.text();
    const done = await submitForm(wise, '/embedded-flows/verification', {
      token: hiddenValue(html, 'token'),
      outcome: 'success',
    });
    const again = await fetch(review.link?.value ?? '');
    // Assess
    expect(html).toContain('Complete verification');
    expect(html).toContain('Fail');
    expect(done.status).toBe(302);
    const location = new URL(done.headers.get('location') ?? '');
    expect(location.searchParams.get('status')).toBe('success');
    expect(location.searchParams.get('x')).toBe('1');
    const hooks = await receiver.waitFor(before + 2);
    const states = hooks
      .slice(before)
      .map(
        (h) =>
          (JSON.parse(h.rawBody.toString()) as { data: { resource: { state: string } } }).data.resource.state,
      );
    expect(states).toEqual(['PROCESSING', 'PASSED']);
    const v2 = kycReviewV2.parse(
      await (
        await call(wise, 'GET', `/v2/profiles/${profileId}/kyc-reviews/${review.id}`, u.accessToken)
      ).json(),
    );
    expect(v2.status).toBe('PASSED');
    expect(again.status).toBe(404);
  });

  it('hosted page: Fail keeps the review WAITING_CUSTOMER_INPUT and redirects with status=error', async () => {
    // Prepare
    const review = await patchLink((await newReview()).id);
    const token = new URL(review.link?.value ?? '').searchParams.get('token') ?? '';
    // Act
    const done = await submitForm(wise, '/embedded-flows/verification', { token, outcome: 'error' });
    // Assess
    expect(new URL(done.headers.get('location') ?? '').searchParams.get('status')).toBe('error');
    const state = await simStateOf(wise);
    expect(state.kycReviews.find((r) => r.id === review.id)?.status).toBe('WAITING_CUSTOMER_INPUT');
  });

  it('an expired link shows an error page (410) and an unknown one 404; PATCH again gives a fresh link', async () => {
    // Prepare
    const review = await patchLink((await newReview()).id);
    // Act
    clock.advance(5 * 60 * 1000 + 1);
    const expired = await fetch(review.link?.value ?? '', { redirect: 'manual' });
    const unknown = await fetch(`${wise.url}/embedded-flows/verification?token=nope`, { redirect: 'manual' });
    const fresh = await patchLink(review.id);
    const freshPage = await fetch(fresh.link?.value ?? '');
    // Assess
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    expect(unknown.status).toBe(404);
    expect(fresh.link?.value).not.toBe(review.link?.value);
    expect(freshPage.status).toBe(200);
  });

  it('/_sim/kyc-reviews/{id}/complete does what the page does', async () => {
    // Prepare
    const review = await patchLink((await newReview()).id, 'http://localhost:3000/back');
    // Act
    const res = await fetch(`${wise.url}/_sim/kyc-reviews/${review.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    });
    // Assess
    expect(await res.json()).toEqual({ location: 'http://localhost:3000/back?status=success' });
    expect((await simStateOf(wise)).kycReviews.find((r) => r.id === review.id)?.status).toBe('PASSED');
  });

  it('requirement submission: POST /v2/profiles/{id}/kyc-requirements/{key}, submissionData a string field, files; RFC-7807-like errors', async () => {
    // Prepare
    const review = await patchLink((await newReview()).id);
    const path = `/v2/profiles/${profileId}/kyc-requirements/ACCOUNT_PURPOSE`;
    const post = (form: FormData | string, at = path) =>
      fetch(`${wise.url}${at}`, {
        method: 'POST',
        headers:
          typeof form === 'string'
            ? { authorization: `Bearer ${u.accessToken}`, 'content-type': 'application/json' }
            : { authorization: `Bearer ${u.accessToken}` },
        body: form,
      });
    const submission = JSON.stringify({
      data: { accountPurpose: 'SENDING_MONEY_TO_FRIENDS_OR_FAMILY' },
      version: 'V1',
      kycReviewId: review.id,
    });
    const good = new FormData();
    good.set('submissionData', submission);
    good.append('files', new File([Buffer.from('%PDF-1.4')], 'doc.pdf', { type: 'application/pdf' }));
    // What the product sent before: the JSON as a file part (`filename="blob"`), which Wise does not bind.
    const asFile = new FormData();
    asFile.set('submissionData', new Blob([submission], { type: 'application/json' }));
    const badFile = new FormData();
    badFile.set('submissionData', JSON.stringify({ data: {}, version: 'V1', kycReviewId: review.id }));
    badFile.append('files', new File([Buffer.from('MZ')], 'virus.exe', { type: 'application/octet-stream' }));
    const empty = new FormData();
    empty.set('other', 'x');
    const noReviewId = new FormData();
    noReviewId.set('submissionData', JSON.stringify({ data: { accountPurpose: 'X' }, version: 'V1' }));
    // Act
    const notMultipart = await post('{}');
    const nothing = await post(empty);
    const fileSubmission = await post(asFile);
    const wrongFile = await post(badFile);
    const retired = await post(
      good,
      `/v2/profiles/${profileId}/kyc-reviews/${review.id}/requirements/ACCOUNT_PURPOSE`,
    );
    const missingId = await post(noReviewId);
    const ok = await post(good);
    const twice = await post(good);
    // Assess
    expect(notMultipart.status).toBe(415);
    expect(nothing.status).toBe(400);
    expect(kycProblem.parse(await nothing.json()).detail).toBe('No files or submissionData is submitted');
    expect(fileSubmission.status).toBe(400);
    expect(kycProblem.parse(await fileSubmission.json()).errors?.[0]).toMatchObject({
      code: 'invalid_value',
      ref: 'submissionData',
    });
    expect(wrongFile.status).toBe(400);
    expect(kycProblem.parse(await wrongFile.json()).errors?.[0]).toMatchObject({
      code: 'invalid_file',
      ref: 'files[0]',
    });
    expect(retired.status).toBe(404);
    expect(missingId.status).toBe(400);
    expect(kycProblem.parse(await missingId.json()).errors).toEqual([
      { code: 'invalid_value', ref: 'submissionData.kycReviewId', detail: 'kycReviewId must not be empty' },
    ]);
    expect(ok.status).toBe(202);
    expect(twice.status).toBe(400);
    const v2 = kycReviewV2.parse(
      await (
        await call(wise, 'GET', `/v2/profiles/${profileId}/kyc-reviews/${review.id}`, u.accessToken)
      ).json(),
    );
    expect(v2.requirements[1]?.[0]?.state).toBe('IN_REVIEW');
  });

  it('simulation endpoints: list requirements, submit, verify (APPROVE → PASSED), errors in {code, category, description, details}', async () => {
    // Prepare
    const review = await newReview();
    const base = `/v2/simulation/profiles/${profileId}/kyc-reviews/${review.id}`;
    // Act
    const listed = await call(wise, 'GET', `${base}/requirements`, u.accessToken);
    const submit = await call(wise, 'POST', `${base}/requirements/submit`, u.accessToken, {
      requirement: 'ID_DOCUMENT_WITH_LIVENESS',
    });
    const submitUnknown = await call(wise, 'POST', `${base}/requirements/submit`, u.accessToken, {
      requirement: 'NOPE',
    });
    const addPersonal = await call(wise, 'POST', `${base}/requirements/add`, u.accessToken, {
      requestedAction: 'APPROVE',
      requirement: 'BUSINESS_USE_CASE',
    });
    const verify = await call(wise, 'POST', `${base}/verify`, u.accessToken, { requestedAction: 'APPROVE' });
    const verifyAgain = await call(wise, 'POST', `${base}/verify`, u.accessToken, {
      requestedAction: 'APPROVE',
    });
    const notFound = await call(
      wise,
      'GET',
      `/v2/simulation/profiles/${profileId}/kyc-reviews/00000000-0000-4000-8000-000000000000/requirements`,
      u.accessToken,
    );
    // Assess
    expect(await listed.json()).toEqual({
      requirements: [
        { key: 'ID_DOCUMENT_WITH_LIVENESS', state: 'NOT_PROVIDED', description: null },
        { key: 'ACCOUNT_PURPOSE', state: 'NOT_PROVIDED', description: null },
      ],
    });
    expect(submit.status).toBe(202);
    expect(submitUnknown.status).toBe(400);
    expect(addPersonal.status).toBe(400);
    expect(simulationError.parse(await addPersonal.json()).code).toBe('invalid-request');
    expect(verify.status).toBe(202);
    expect(verifyAgain.status).toBe(400);
    expect(simulationError.parse(await verifyAgain.json()).code).toBe('kyc_review.state_update_not_allowed');
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      code: 'kyc_review.not_found',
      category: 'CLIENT',
      description: 'KycReview not found',
      details: null,
    });
    expect((await simStateOf(wise)).kycReviews.find((r) => r.id === review.id)?.status).toBe('PASSED');
  });

  it('simulation: requirements/add on a business profile adds BUSINESS_USE_CASE; REJECT sends the review back to the customer', async () => {
    // Prepare
    const biz = await call(wise, 'POST', '/v2/profiles/business-profile', u.accessToken, businessBody());
    const bizId = ((await biz.json()) as { id: number }).id;
    const created = await call(wise, 'POST', `/v1/profiles/${bizId}/kyc-reviews`, u.accessToken, {
      type: 'PROACTIVE_SEND_MONEY',
    });
    const review = kycReview.parse(await created.json());
    const base = `/v2/simulation/profiles/${bizId}/kyc-reviews/${review.id}`;
    // Act
    const add = await call(wise, 'POST', `${base}/requirements/add`, u.accessToken, {
      requestedAction: 'APPROVE',
      requirement: 'BUSINESS_USE_CASE',
    });
    const reject = await call(wise, 'POST', `${base}/verify`, u.accessToken, {
      requestedAction: 'REJECT',
      requirements: ['BUSINESS_USE_CASE'],
    });
    const listed = (await (await call(wise, 'GET', `${base}/requirements`, u.accessToken)).json()) as {
      requirements: { key: string; state: string }[];
    };
    // Assess
    expect(add.status).toBe(202);
    expect(reject.status).toBe(202);
    expect(listed.requirements.find((r) => r.key === 'BUSINESS_USE_CASE')?.state).toBe('REJECTED');
    expect((await simStateOf(wise)).kycReviews.find((r) => r.id === review.id)?.status).toBe(
      'WAITING_CUSTOMER_INPUT',
    );
  });
});
