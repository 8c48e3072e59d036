import { z } from 'zod';
import { slugify } from '../lib/slug';
import { fieldErrors, idSchema } from './common';
import { namePart } from './author';

export const BOOK_FIELDS = [
  'title', 'AuthorId', 'authorName', 'authorFirstName', 'authorLastName', 'genre', 'pubYear', 'price', 'inventory', 'bookDescription',
] as const;

const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const MAX_INVENTORY = 100_000;

const text = (label: string, max: number) =>
  z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(1, `Enter the ${label}.`)
    .max(max, `Use at most ${max} characters.`)
    .refine((v) => !CONTROL_CHARS.test(v), 'Remove the invisible control characters.');

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .refine((v) => !CONTROL_CHARS.test(v.replace(/[\r\n\t]/g, ' ')), 'Remove the invisible control characters.')
    .optional()
    .transform((v) => v || null);

export const inventorySchema = z
  .string({ error: 'Enter the number of copies in stock.' })
  .trim()
  .regex(/^\d{1,6}$/, 'Enter a whole number of copies, like 0 or 12.')
  .transform(Number)
  .pipe(z.number().max(MAX_INVENTORY, `At most ${MAX_INVENTORY.toLocaleString('en-US')} copies.`));

const bookFieldsSchema = z.object({
  title: text('title', 255),
  genre: text('category', 60).refine((g) => slugify(g) !== '', 'Use some letters or digits (A–Z, 0–9) in the category.'),
  pubYear: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const year = /^\d{1,4}$/.test(v) ? Number(v) : NaN;
      const latest = new Date().getUTCFullYear() + 1;
      if (!(year >= 1 && year <= latest)) {
        ctx.addIssue({ code: 'custom', message: `Enter a year from 1 to ${latest}, or leave it empty.` });
        return z.NEVER;
      }
      return year;
    }),
  price: z
    .string({ error: 'Enter the price.' })
    .trim()
    .regex(/^\d{1,5}(\.\d{1,2})?$/, 'Enter a price like 12.99.')
    .refine((p) => Number(p) > 0, 'The price must be more than 0.')
    .transform((p) => Number(p).toFixed(2)),
  inventory: inventorySchema,
  bookDescription: optionalText(5000),
});


/**
 * The author is either one picked from the list (`AuthorId`) or a new one typed in
 * (`authorFirstName` + `authorLastName`); a picked author wins when both are given.
 */
const authorChoiceSchema = z
  .object({
    AuthorId: z.string().trim().optional(),
    // The same tidying as the author form, so "Le  Guin" typed here finds the existing "Le Guin".
    authorFirstName: namePart('first name', false).optional().default(''),
    authorLastName: namePart('last name', false).optional().default(''),
  })
  .transform((form, ctx): { id: number } | { firstName: string; lastName: string } => {
    if (form.AuthorId) {
      const id = idSchema.safeParse(form.AuthorId);
      if (id.success) return { id: id.data };
      ctx.addIssue({ code: 'custom', path: ['AuthorId'], message: 'Choose an author from the list.' });
      return z.NEVER;
    }
    if (form.authorLastName) return { firstName: form.authorFirstName, lastName: form.authorLastName };
    ctx.addIssue({ code: 'custom', path: ['AuthorId'], message: 'Choose an author, or enter a new author’s last name.' });
    return z.NEVER;
  });

export type BookForm = z.infer<typeof bookFieldsSchema> & { author: z.infer<typeof authorChoiceSchema> };

/** Checks the book's fields and its author separately, so every mistake on the form is reported at once. */
export function parseBookForm(body: unknown): { success: true; data: BookForm } | { success: false; errors: Record<string, string> } {
  const fields = bookFieldsSchema.safeParse(body ?? {});
  const author = authorChoiceSchema.safeParse(body ?? {});
  if (fields.success && author.success) return { success: true, data: { ...fields.data, author: author.data } };
  return {
    success: false,
    errors: { ...(fields.success ? {} : fieldErrors(fields.error)), ...(author.success ? {} : fieldErrors(author.error)) },
  };
}

export const stockSchema = z.object({
  change: z
    .string({ error: 'Enter how many copies to add or take away.' })
    .trim()
    .regex(/^[+-]?\d{1,6}$/, 'Enter a whole number, like 10 to add or -2 to take away.')
    .transform(Number)
    .pipe(z.number().refine((n) => n !== 0, 'Enter a change other than 0.').refine((n) => Math.abs(n) <= MAX_INVENTORY, 'That change is too large.')),
  reason: text('reason', 200).refine((r) => r.length >= 3, 'Say in a few words why the stock changes.'),
});
