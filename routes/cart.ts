import { Router, type Request, type Response } from 'express';
import type { Services } from '../services';
import type { Metrics } from '../lib/metrics';
import { MAX_LINE_QUANTITY, type CartView } from '../services/cart';
import { BadRequestError, ValidationError } from '../lib/errors';
import { saveSession } from '../middleware/session';
import { flash } from '../middleware/flash';
import { newOwnerKey } from '../lib/keys';
import { wantsJson } from '../middleware/errors';
import { fieldErrors, idSchema, quantitySchema, safeReturnPath } from '../validation/common';

const quantity = quantitySchema(MAX_LINE_QUANTITY);

function bookIdFrom(value: unknown): number {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new BadRequestError('That is not a valid book.', { bookId: 'Not a valid book id.' });
  return parsed.data;
}

function quantityFrom(value: unknown, fallback?: string): number {
  const parsed = quantity.safeParse(value ?? fallback);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    throw new ValidationError(fields.form ?? 'Please enter a valid quantity.', { quantity: fields.form ?? 'Invalid quantity.' });
  }
  return parsed.data;
}

/** After a change: JSON for the page's script, or the classic POST-then-redirect. */
async function respond(req: Request, res: Response, cartCount: number, message: string, redirectTo: string) {
  // Written only if this change started the session (a visitor's first add); the message goes in its own cookie.
  await saveSession(req);
  if (wantsJson(req)) {
    // The page's script shows the message itself: nothing is left for the next page.
    res.json({ cartCount, message });
    return;
  }
  flash(res, 'success', message);
  res.redirect(303, redirectTo);
}

/** The cart page's view. A guest's cart page is also answered early, from the same view and values (middleware/cart-page.ts). */
export const CART_VIEW = 'cart';

/** What the cart page's render is given besides the page locals. */
export function cartPageValues(view: CartView): { title: string; cart: CartView } {
  return { title: 'Your cart', cart: view };
}

export function cartRoutes({ cart }: Services, metrics: Pick<Metrics, 'cartCreated'>): Router {
  const router = Router();

  router.get('/cart', async (req, res) => {
    const view = await cart.getCart(req.session.visitorKey);
    // The badge shows what the page lists: no query of its own (middleware/locals.ts).
    res.locals.cartCount = view.itemCount;
    res.render(CART_VIEW, cartPageValues(view));
  });

  router.post('/cart/items', async (req, res) => {
    const bookId = bookIdFrom(req.body?.bookId);
    const wanted = quantityFrom(req.body?.quantity, '1');
    const visitorKey = req.session.visitorKey ?? newOwnerKey();
    const { itemCount, title, cartCreated } = await cart.addItem(visitorKey, bookId, wanted);
    if (cartCreated) metrics.cartCreated();
    req.session.visitorKey = visitorKey;
    const copies = wanted === 1 ? '' : `${wanted} copies of `;
    await respond(req, res, itemCount, `Added ${copies}“${title}” to your cart.`, safeReturnPath(req.body?.returnTo, '/cart'));
  });

  router.post('/cart/items/:bookId', async (req, res) => {
    const bookId = bookIdFrom(req.params.bookId);
    const wanted = quantityFrom(req.body?.quantity);
    const count = await cart.setQuantity(req.session.visitorKey, bookId, wanted);
    await respond(req, res, count, 'Your cart is updated.', '/cart');
  });

  router.post('/cart/items/:bookId/delete', async (req, res) => {
    const bookId = bookIdFrom(req.params.bookId);
    const count = await cart.removeItem(req.session.visitorKey, bookId);
    await respond(req, res, count, 'The book was removed from your cart.', '/cart');
  });

  return router;
}
