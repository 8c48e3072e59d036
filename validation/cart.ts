import { MAX_LINE_QUANTITY } from '../services/cart';
import { BadRequestError, ValidationError } from '../lib/errors';
import { fieldErrors, idSchema, quantitySchema, safeReturnPath } from './common';

const quantity = quantitySchema(MAX_LINE_QUANTITY);

/** A book id from a form or a URL; anything else is a 400. */
export function bookIdFrom(value: unknown): number {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new BadRequestError('That is not a valid book.', { bookId: 'Not a valid book id.' });
  return parsed.data;
}

/** A line's quantity from a form, `fallback` when the form has none; anything else is a 422 with the reason. */
export function quantityFrom(value: unknown, fallback?: string): number {
  const parsed = quantity.safeParse(value ?? fallback);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new ValidationError(fields.form ?? 'Please enter a valid quantity.', { quantity: fields.form ?? 'Invalid quantity.' });
  }
  return parsed.data;
}

export interface AddToCart {
  bookId: number;
  quantity: number;
  /** Where the shopper goes next: a local path the form named, or the cart. */
  returnTo: string;
}

/**
 * The add-to-cart form (a book page's, a list's): read in one place for the route and for a guest's
 * add answered before the chain (middleware/cart-add.ts), so both accept and refuse the same forms.
 */
export function addToCartForm(body: unknown): AddToCart {
  const form = (body ?? {}) as Record<string, unknown>;
  return {
    bookId: bookIdFrom(form.bookId),
    quantity: quantityFrom(form.quantity, '1'),
    returnTo: safeReturnPath(form.returnTo, '/cart'),
  };
}
