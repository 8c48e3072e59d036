import { z } from 'zod';

export const AUTHOR_NAME_MAX = 100;

// Control characters and line/paragraph separators cannot be typed into a one-line name field on
// purpose, and would break the list, the audit log and any export.
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * Trimmed, in NFC (so "Brontë" typed two ways is one name for the unique index) and with runs of
 * spaces made one, so "Le  Guin" cannot sit beside "Le Guin".
 */
const tidy = (value: string) => value.normalize('NFC').trim().replace(/\s+/g, ' ');

export const namePart = (label: string, required: boolean) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `Enter the author's ${label}.` : `The ${label} must be text.`) })
    .refine((v) => !UNPRINTABLE.test(v), `The ${label} contains characters we cannot store.`)
    .transform(tidy)
    .pipe(
      z
        .string()
        .min(required ? 1 : 0, `Enter the author's ${label}.`)
        .max(AUTHOR_NAME_MAX, `Keep the ${label} to at most ${AUTHOR_NAME_MAX} characters.`),
    );

/**
 * Some authors go by one name (Homer, Voltaire): the first name may be left empty, and is then
 * stored as '' because the column is NOT NULL. The last name is what the list sorts by, so it is required.
 */
export const authorSchema = z.object({
  firstName: namePart('first name', false).optional().transform((v) => v ?? ''),
  lastName: namePart('last name', true),
});

export type AuthorInput = z.output<typeof authorSchema>;
export const AUTHOR_FIELDS = ['firstName', 'lastName'] as const;
