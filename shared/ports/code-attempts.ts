/** Route 10's limit: at most this many failed codes per customer within {@link CODE_ATTEMPT_WINDOW_MS}. */
export const MAX_FAILED_CODES = 5;
export const CODE_ATTEMPT_WINDOW_MS = 60 * 60 * 1000;

export type AttemptTaken =
  | { readonly kind: 'taken'; readonly attempt: string }
  | { readonly kind: 'exhausted'; readonly retryAfterSeconds: number };

/**
 * The customer's attempts at the email fallback (route 10), so that typed codes cannot be guessed:
 * an attempt is taken BEFORE Wise is asked (so concurrent guesses cannot overtake the limit), and
 * given back when it did not fail (the code was good, or Wise did not answer). An attempt kept
 * counts for an hour from when it was taken.
 */
export interface CodeAttempts {
  /** One attempt of the customer's {@link MAX_FAILED_CODES}, or when the next one frees up. */
  take(customerId: string): Promise<AttemptTaken>;
  /** The attempt does not count. */
  giveBack(customerId: string, attempt: string): Promise<void>;
}
