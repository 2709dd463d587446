/**
 * Field names whose values are secrets: registration codes, tokens, authorization codes,
 * OAuth state, client secrets, passwords, hosted-link values. Matching is on the key name so
 * that a secret nested anywhere in a logged object is masked.
 */
const SECRET_KEY =
  /(token|secret|password|registration_?code|authorization|^code$|claim_?account_?code|^state$|cookie|^link$|^url$|signature|ciphertext|private_?key|certificate)/i;

export const REDACTED = '[redacted]';

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/** JSON.stringify replacer that masks secret-bearing fields. */
export const redactingReplacer = (key: string, value: unknown): unknown => {
  if (key !== '' && isSecretKey(key) && value !== null && value !== undefined && typeof value !== 'object') {
    return REDACTED;
  }
  if (key !== '' && isSecretKey(key) && typeof value === 'object' && value !== null) return REDACTED;
  return value;
};
