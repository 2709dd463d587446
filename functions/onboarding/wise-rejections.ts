import { ValidationError, type FieldError } from '../../shared/errors/domain-error';
import { WiseApiError } from '../../shared/wise/errors';

interface WiseFieldError {
  path?: unknown;
  message?: unknown;
}

/**
 * Wise refused the input itself (400/422 with `{ errors: [{ path, message }] }`), though our own
 * rules passed: a ValidationError naming the partner's fields, so the partner can correct and retry —
 * the flow stays resumable. Anything else is returned unchanged for the handler stack to map.
 * Only Wise's field path and message are passed on, never its `arguments` (they echo values).
 */
export const wiseRejectedInput = (err: unknown, paths: Record<string, string> = {}): unknown => {
  if (!(err instanceof WiseApiError) || (err.status !== 400 && err.status !== 422)) return err;
  const list = (err.body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(list) || list.length === 0) return err;
  const errors: FieldError[] = (list as WiseFieldError[]).map((e) => {
    const wisePath = typeof e.path === 'string' && e.path !== '' ? e.path : '(body)';
    return {
      path: paths[wisePath] ?? wisePath,
      message: typeof e.message === 'string' ? e.message.slice(0, 200) : 'was refused by Wise',
    };
  });
  return new ValidationError(errors, 'Wise refused these details.');
};
