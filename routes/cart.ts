import { Router, type Request, type Response } from 'express';
import type { Services } from '../services';
import type { Metrics } from '../lib/metrics';
import type { CartView } from '../services/cart';
import { saveSession } from '../middleware/session';
import { flash } from '../middleware/flash';
import { newOwnerKey } from '../lib/keys';
import { wantsJson } from '../middleware/errors';
import { raiseKeptFailure } from '../middleware/early-failure';
import { addToCartForm, bookIdFrom, quantityFrom } from '../validation/cart';

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

/** What a shopper is told after an add, here and when a guest's add is answered early (middleware/cart-add.ts). */
export function addedMessage(quantity: number, title: string): string {
  const copies = quantity === 1 ? '' : `${quantity} copies of `;
  return `Added ${copies}“${title}” to your cart.`;
}

export function cartRoutes({ cart }: Services, metrics: Pick<Metrics, 'cartCreated'>): Router {
  const router = Router();

  router.get('/cart', async (req, res) => {
    const view = await cart.getCart(req.session.visitorKey);
    // The badge shows what the page lists: no query of its own (middleware/locals.ts).
    res.locals.cartCount = view.itemCount;
    res.render(CART_VIEW, cartPageValues(view));
  });

  // An add begun before the chain (middleware/cart-add.ts) that was refused or failed fails here, as this route's own would have.
  router.post('/cart/items', raiseKeptFailure('add'), async (req, res) => {
    const form = addToCartForm(req.body);
    const visitorKey = req.session.visitorKey ?? newOwnerKey();
    const { itemCount, title, cartCreated } = await cart.addItem(visitorKey, form.bookId, form.quantity);
    if (cartCreated) metrics.cartCreated();
    req.session.visitorKey = visitorKey;
    await respond(req, res, itemCount, addedMessage(form.quantity, title), form.returnTo);
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
