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
 * When a link just received from Wise expires: 5 minutes after Wise generated it (Wise's
 * manage-the-KYC-process guide: "expires 5 minutes after generation"). Wise generates it while
 * answering our PATCH, so no earlier than the instant we sent the PATCH: `requestedAt + 5 min` is
 * never later than the real expiry, and needs neither Wise's clock nor its zone-less timestamps.
 * The `link.expiresAt` Wise prints is not used: in Wise's own PATCH example it is 56 ms after the
 * review's `updatedAt` (`16:29:41.147522` → `16:29:41.203225146`), which read as an expiry would
 * judge every link dead the moment Wise issues it.
 */
export const linkExpiry = (requestedAt: number): number => requestedAt + LINK_TTL_MS;

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
