import type { RequestContext, Router } from './http';
import { formString, parseForm, sendHtml, sendRedirect } from './http';
import type { Sim } from './context';
import type { KycReview } from './state';
import { completeReview } from './kyc-model';
import { errorPage, hidden, page } from './html';

/**
 * The hosted KYC flow a review's link opens (`/embedded-flows/verification?token=...`): the
 * customer either completes verification or fails, then returns to the partner's redirectUrl
 * with `status=success` or `status=error`.
 */
export function registerKycHostedPage(router: Router, sim: Sim): void {
  router.on('GET', '/embedded-flows/verification', (ctx) => {
    const review = reviewForLink(sim, ctx, ctx.query.get('token') ?? '');
    if (!review) return;
    sendHtml(
      ctx,
      200,
      page(
        'Verify your identity',
        `<h1>Verify your identity</h1>
<p>Wise needs a few details to finish checking profile ${review.profileId}.</p>
<form method="post" action="/embedded-flows/verification">
${hidden({ token: review.link?.token })}
<button type="submit" name="outcome" value="success" id="complete">Complete verification</button>
<button type="submit" name="outcome" value="error" id="fail">Fail</button>
</form>`,
      ),
    );
  });

  router.on('POST', '/embedded-flows/verification', async (ctx) => {
    const form = await parseForm(ctx);
    const review = reviewForLink(sim, ctx, formString(form, 'token') ?? '');
    if (!review) return;
    const outcome = formString(form, 'outcome') === 'success' ? 'success' : 'error';
    const location = await completeReview(sim, review, outcome);
    if (location) sendRedirect(ctx, location);
    else
      sendHtml(
        ctx,
        200,
        page(
          'Done',
          `<h1>${outcome === 'success' ? 'Verification submitted' : 'Verification not completed'}</h1><p>You can close this window.</p>`,
        ),
      );
  });
}

/** Unknown token: 404 page. Expired token or nothing left to do: 410 page. Never a redirect. */
function reviewForLink(sim: Sim, ctx: RequestContext, token: string): KycReview | undefined {
  const review = token ? sim.state.kycReviews.find((r) => r.link?.token === token) : undefined;
  if (!review || !review.link) {
    sendHtml(
      ctx,
      404,
      errorPage('Link not found', 'This verification link is not valid. Ask for a new link.'),
    );
    return undefined;
  }
  if (review.link.expiresAt <= sim.clock.now()) {
    sendHtml(ctx, 410, errorPage('Link expired', 'This verification link has expired. Ask for a new link.'));
    return undefined;
  }
  if (review.status !== 'WAITING_CUSTOMER_INPUT') {
    sendHtml(
      ctx,
      410,
      errorPage('Nothing to do', `This verification is ${review.status}; the link is no longer usable.`),
    );
    return undefined;
  }
  return review;
}
