/**
 * Rules for the hosted KYC link (API-NOTES §5): Wise's link lives 5 minutes after it is issued.
 */

export const LINK_TTL_MS = 5 * 60 * 1000;

/**
 * A link with less than this left is not handed out: the partner's app still has to show it and
 * the customer still has to open it, and a link that dies on the way is a dead end for them.
 */
export const LINK_SAFETY_MARGIN_MS = 30 * 1000;

/** Whether a link expiring at `expiresAt` (epoch ms) may still be served at `now`. */
export const isLinkServable = (expiresAt: number | undefined, now: number): boolean =>
  expiresAt !== undefined && Number.isFinite(expiresAt) && expiresAt - now > LINK_SAFETY_MARGIN_MS;

/**
 * When a link just received from Wise expires. Wise states the expiry, but a stated expiry beyond
 * the documented lifetime (clock skew, an unparsable value) must not make us serve a dead link,
 * so the earlier of the two wins.
 */
export const linkExpiry = (statedExpiresAt: number | undefined, receivedAt: number): number => {
  const ceiling = receivedAt + LINK_TTL_MS;
  return statedExpiresAt !== undefined && Number.isFinite(statedExpiresAt) ? Math.min(statedExpiresAt, ceiling) : ceiling;
};

/**
 * Whether the stored link can answer a request instead of asking Wise for a new one: the review
 * still waits for the customer, the link has more than the margin left, and it returns to the
 * same place the partner now asks for.
 */
export const canServeStoredLink = (
  review: { status: string; linkCiphertext?: string; linkExpiresAt?: number; redirectUrl?: string },
  now: number,
  redirectUrl: string,
): boolean =>
  review.status === 'WAITING_CUSTOMER_INPUT' &&
  review.linkCiphertext !== undefined &&
  review.redirectUrl === redirectUrl &&
  isLinkServable(review.linkExpiresAt, now);
