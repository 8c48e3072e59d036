import { z } from 'zod';
import { MAX_ID } from './common';
import { shippingSchema } from './checkout';
import { MAX_LINE_QUANTITY } from '../services/cart';
import { SEARCH_MAX_LENGTH } from '../services/catalog';

export const API_DEFAULT_PER_PAGE = 24;
export const API_MAX_PER_PAGE = 100;
/** Far past any real page count; a page past the end shows the last page, as the store's pages do. */
const MAX_PAGE = 1_000_000;

// Query strings are text: a plain run of digits becomes a number, and anything else (signs,
// exponents, decimals, a repeated parameter's array) reaches the integer check as it is and fails.
const digitsToNumber = (value: unknown) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value);

const queryInteger = (min: number, max: number) => {
  const message = `Must be a whole number from ${min} to ${max}.`;
  return z.preprocess(digitsToNumber, z.int({ error: message }).min(min, message).max(max, message));
};

const optionalText = (max: number, message: string) =>
  z.string({ error: message }).trim().max(max, message).optional().transform((v) => (v ? v : undefined));

export const bookListQuery = z.object({
  page: queryInteger(1, MAX_PAGE).default(1).meta({ description: 'The page to show, from 1 (the default). A page past the end shows the last page.' }),
  perPage: queryInteger(1, API_MAX_PER_PAGE).default(API_DEFAULT_PER_PAGE).meta({ description: `Books per page, 1 to ${API_MAX_PER_PAGE} (default ${API_DEFAULT_PER_PAGE}).` }),
  genre: optionalText(100, 'Must be a category slug of at most 100 characters.').meta({
    description: 'Only books of this category, by its slug (from GET /api/genres). An unknown slug is a 404.',
  }),
  q: optionalText(SEARCH_MAX_LENGTH, `Must be at most ${SEARCH_MAX_LENGTH} characters.`).meta({
    description: `Search words (at most ${SEARCH_MAX_LENGTH} characters); every word must appear in the title, the description or the author's name. Results come in search order, so sort is ignored; genre cannot be combined with q. An empty q lists every book.`,
  }),
  sort: z.string().optional().meta({
    description: 'title (the default), price-asc, price-desc, year-desc or year-asc. Any other value means title.',
  }),
});
export type BookListQuery = z.output<typeof bookListQuery>;

export const bookIdSchema = z
  .int({ error: 'Must be a book id: a whole number from 1.' })
  .min(1, 'Must be a book id: a whole number from 1.')
  .max(MAX_ID, 'There is no book with so large an id.');

export const quantityInput = z
  .int({ error: 'Enter a whole number, like 1 or 2.' })
  .min(1, 'Enter at least 1.')
  .max(MAX_LINE_QUANTITY, `You can order at most ${MAX_LINE_QUANTITY} copies of one book.`);

export const addItemBody = z.strictObject({
  bookId: bookIdSchema,
  quantity: quantityInput.default(1).meta({ description: 'Copies to add to what the cart already holds (default 1).' }),
});

export const setQuantityBody = z.strictObject({
  quantity: quantityInput.meta({ description: 'The line\'s new quantity: 1 up to the stock, and never more than 99.' }),
});

/** The checkout form's rules, exactly; only unknown fields are refused on top. */
export const checkoutBody = z.strictObject({
  ...shippingSchema.shape,
  state: shippingSchema.shape.state.meta({ description: 'The postal code of a US state or DC, like IL (any case).' }),
  addressLine2: shippingSchema.shape.addressLine2.meta({ description: 'Optional; empty means none.' }),
});

/**
 * One message per field. Unknown fields are named by their own keys, and a body that is not an
 * object at all (an array, say) is reported on `body`.
 */
export function apiFieldErrors(error: z.ZodError): Record<string, string> {
  // A Map, so a field named __proto__ or constructor is recorded like any other (fromEntries
  // defines own properties).
  const fields = new Map<string, string>();
  const note = (key: string, message: string) => {
    if (!fields.has(key)) fields.set(key, message);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) note(key, 'Unknown field.');
      continue;
    }
    const key = issue.path.length > 0 ? String(issue.path[0]) : 'body';
    note(key, issue.path.length > 0 ? issue.message : 'The body must be a JSON object.');
  }
  return Object.fromEntries(fields);
}
