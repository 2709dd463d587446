import * as z from '../../zod';
import { isIso3Country, needsStateCode } from './countries';

/** Wise's limit on first, last and preferred names; Wise's instruction is to truncate longer names. */
export const NAME_MAX = 30;

/** Truncates on code points so that a name never ends in half a surrogate pair. */
export const truncateName = (name: string): string => Array.from(name).slice(0, NAME_MAX).join('').trimEnd();

/** A bounded, non-blank string. */
export const text = (max: number) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be blank'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

export const personName = z.lazy(() => z.pipe(text(200), z.transform(truncateName)));

/** Any case in, lower-case alpha-3 out (Wise's v2 profile API takes lower case). */
export const country = z.lazy(() =>
  z
    .pipe(
      z.string().check(z.trim(), z.regex(/^[A-Za-z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code')),
      z.transform((c: string) => c.toLowerCase()),
    )
    .check(z.refine(isIso3Country, 'must be an ISO 3166-1 alpha-3 country code')),
);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date `YYYY-MM-DD` (2023-02-30 is refused, not rolled over). */
export const isCalendarDate = (value: string): boolean => {
  const m = DATE.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
};

/** A date of birth: a real date, after 1900 and before today (by the given clock). */
export const dateOfBirth = (now: () => number) =>
  z.string().check(
    z.refine(isCalendarDate, 'must be a real date in the form YYYY-MM-DD'),
    // Not `abort`: an aborted field would stop the cross-field rules, and every bad field is to be named at once.
    z.refine(
      (d: string) =>
        !isCalendarDate(d) || (d >= '1900-01-01' && d < new Date(now()).toISOString().slice(0, 10)),
      'must be a date in the past',
    ),
  );

/**
 * International (E.164) phone numbers. Spaces, dots, dashes and brackets that people type are
 * removed first; what remains must be `+` and 7–15 digits.
 */
export const phoneNumber = z.lazy(() =>
  z
    .pipe(
      z.string().check(z.maxLength(40, 'must be at most 40 characters')),
      z.transform((p: string) => p.replace(/[\s().-]/g, '')),
    )
    .check(
      z.refine((p) => /^\+[1-9]\d{6,14}$/.test(p), 'must be in international format, e.g. +442079460000'),
    ),
);

export const email = z.lazy(() =>
  z.pipe(
    z.string().check(z.trim(), z.maxLength(254, 'must be at most 254 characters')),
    z.email('must be a valid email address'),
  ),
);

/** A v2 address with Wise's rule that US, Canadian, Brazilian and Australian addresses name a state. */
export const address = z.lazy(() =>
  z
    .object({
      addressFirstLine: text(200),
      city: text(100),
      countryIso3Code: country,
      postCode: z.optional(text(30)),
      stateCode: z.optional(
        z.pipe(
          z
            .string()
            .check(
              z.trim(),
              z.minLength(1, 'must not be blank'),
              z.maxLength(5, 'must be at most 5 characters'),
            ),
          z.transform((s: string) => s.toUpperCase()),
        ),
      ),
    })
    .check(
      z.superRefine(
        (a, ctx) => {
          // Runs even when the shape is wrong (`when`), so the value may not be an object at all.
          if (typeof a !== 'object' || a === null) return;
          if (
            typeof a.countryIso3Code === 'string' &&
            needsStateCode(a.countryIso3Code) &&
            a.stateCode === undefined
          ) {
            ctx.addIssue({
              code: 'custom',
              path: ['stateCode'],
              message: 'is required for addresses in the USA, Canada, Brazil and Australia',
            });
          }
        },
        { when: () => true },
      ),
    ),
);
export type Address = z.infer<typeof address>;
