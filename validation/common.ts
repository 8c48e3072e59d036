import { z } from 'zod';

export const MAX_ID = 2_147_483_647;

/** A database id from a URL or a form: digits only, no signs, no exponents, within INT range. */
export const idSchema = z
  .string({ error: 'is required' })
  .trim()
  .regex(/^\d{1,10}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be a positive number').max(MAX_ID, 'is too large'));

/** `/books/12` and `/books/12-the-great-gatsby` both name book 12; anything else names nothing. */
export function parseBookParam(param: string): number | null {
  const match = /^(\d{1,10})(?:-[a-z0-9-]*)?$/.exec(param);
  if (!match) return null;
  const id = Number(match[1]);
  return id >= 1 && id <= MAX_ID ? id : null;
}

export const quantitySchema = (max: number) =>
  z
    .string({ error: 'Enter a quantity.' })
    .trim()
    .regex(/^\d{1,6}$/, 'Enter a whole number, like 1 or 2.')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, 'Enter at least 1.')
        .max(max, `You can order at most ${max} copies of one book.`),
    );

/** A page number from the query string; anything odd means the first page rather than an error. */
export function parsePage(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value)) return 1;
  return Math.max(1, Number(value));
}

/** Zod's issues as one message per field, for forms and JSON errors. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  // A Map, so a field named __proto__ or constructor is recorded like any other.
  const fields = new Map<string, string>();
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    if (!fields.has(key)) fields.set(key, issue.message);
  }
  return Object.fromEntries(fields);
}

/** Only local paths may be redirect targets, so a form cannot bounce a shopper to another site. */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\r\n\0]/.test(value)) return fallback;
  return value;
}

/** Only the named fields, only as strings, cut to `max`: what a form shows again after a mistake. */
export function keptStrings<F extends string>(source: unknown, fields: readonly F[], max: number): Partial<Record<F, string>> {
  const input = (source ?? {}) as Record<string, unknown>;
  const values: Partial<Record<F, string>> = {};
  for (const field of fields) {
    const value = input[field];
    if (typeof value === 'string') values[field] = value.slice(0, max);
  }
  return values;
}
