import * as z from '../../zod';
import { isCalendarDate, text } from './fields';

/** Document types Wise accepts on a personal profile (API-NOTES §3.6). */
export const identityDocumentTypes = [
  'DRIVERS_LICENCE',
  'IDENTITY_CARD',
  'GREEN_CARD',
  'MY_NUMBER',
  'PASSPORT',
  'SSN',
  'EMIRATES_EMPLOYER',
  'EMIRATES_PLACE_OF_BIRTH',
  'CPF_CNPJ',
  'FINANCIAL_CAPACITY_BR',
  'OTHER',
] as const;

const date = z.lazy(() =>
  z.string().check(z.refine(isCalendarDate, 'must be a real date in the form YYYY-MM-DD')),
);
const iso2 = z.lazy(() =>
  z.pipe(
    z.string().check(z.regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')),
    z.transform((c: string) => c.toUpperCase()),
  ),
);

type DocumentShape = { type?: unknown; uniqueIdentifier?: unknown };

/** Per-type identifier rules Wise applies: a US SSN is nine digits, a Brazilian CPF 11 digits (CNPJ 14). */
const identifierRules = (d: DocumentShape | null | undefined, ctx: z.core.$RefinementCtx) => {
  // Runs even when the shape is wrong (`when`), so the value may not be an object at all.
  if (typeof d !== 'object' || d === null) return;
  const id = d.uniqueIdentifier;
  if (typeof id !== 'string') return;
  const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['uniqueIdentifier'], message });
  if (d.type === 'SSN' && !/^\d{9}$/.test(id)) bad('must be 9 digits for an SSN');
  if (d.type === 'FINANCIAL_CAPACITY_BR' && !/^\d+(\.\d{1,2})?$/.test(id))
    bad('must be an amount such as 150000.00');
  if (d.type === 'CPF_CNPJ') {
    const digits = id.replace(/[.\-/\s]/g, '');
    if (!/^(\d{11}|\d{14})$/.test(digits)) bad('must be a CPF (11 digits) or CNPJ (14 digits)');
  }
};

/** Route 6's body: Wise's verification-document fields. */
export const identityDocumentSchema = z.lazy(() =>
  z
    .object({
      type: z.enum(identityDocumentTypes, `must be one of ${identityDocumentTypes.join(', ')}`),
      uniqueIdentifier: text(30),
      firstName: z.optional(text(100)),
      lastName: z.optional(text(100)),
      issueDate: z.optional(date),
      expiryDate: z.optional(date),
      issuerCountry: z.optional(iso2),
      issuerState: z.optional(text(50)),
      nationality: z.optional(iso2),
      employerName: z.optional(text(200)),
      employerCity: z.optional(text(100)),
      employerCountry: z.optional(iso2),
      birthCity: z.optional(text(100)),
      birthCountry: z.optional(iso2),
    })
    .check(z.superRefine(identifierRules, { when: () => true })),
);
export type IdentityDocument = z.infer<typeof identityDocumentSchema>;
