import * as z from '../zod';
import { ValidationError, type FieldError } from './domain-error';

/** zod issues → one `{ path, message }` per bad field, paths dotted like `address.city`. */
export const fieldErrors = (error: z.core.$ZodError, prefix?: string): FieldError[] =>
  error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return {
      path: prefix ? (path ? `${prefix}.${path}` : prefix) : path || '(body)',
      message: issue.message,
    };
  });

/** Parses with a schema, or throws one ValidationError naming every bad field (use cases and the stack alike). */
export const parseWith = <T>(schema: z.core.$ZodType<T>, value: unknown, prefix?: string): T => {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new ValidationError(fieldErrors(result.error, prefix));
  return result.data;
};
