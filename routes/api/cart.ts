import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services';
import type { Metrics } from '../../lib/metrics';
import type { Csrf } from '../../middleware/csrf';
import { saveSession } from '../../middleware/session';
import { newOwnerKey } from '../../lib/keys';
import { addItemBody, setQuantityBody } from '../../validation/api';
import { cartBody } from './representations';
import { onlyMethods, parseInput, writeGuards } from './guards';
import { pathId } from './params';

const QUANTITY_ONLY = ['quantity'] as const;

/** The visitor's cart: the same service, limits and errors as the cart page. */
export function apiCartRoutes({ cart }: Services, metrics: Pick<Metrics, 'cartCreated'>, csrf: Csrf): Router {
  const router = Router();
  const write = writeGuards(csrf);

  // Every cart answer is the whole cart, with a token for the next write.
  async function sendCart(req: Request, res: Response, status = 200) {
    const view = await cart.getCart(req.session.visitorKey);
    res.set('Cache-Control', 'no-store').status(status).json(cartBody(view, csrf.token(req, res)));
  }

  router
    .route('/cart')
    .get(async (req, res) => sendCart(req, res))
    .all(onlyMethods('GET'));

  router
    .route('/cart/items')
    .post(...write, async (req, res) => {
      const { bookId, quantity } = parseInput(addItemBody, req.body, 'That cannot go in the cart.', QUANTITY_ONLY);
      const visitorKey = req.session.visitorKey ?? newOwnerKey();
      const { cartCreated } = await cart.addItem(visitorKey, bookId, quantity);
      if (cartCreated) metrics.cartCreated();
      req.session.visitorKey = visitorKey;
      await saveSession(req);
      await sendCart(req, res);
    })
    .all(onlyMethods('POST'));

  router
    .route('/cart/items/:bookId')
    .patch(...write, async (req, res) => {
      const bookId = pathId(req.params.bookId, 'bookId', 'book');
      const { quantity } = parseInput(setQuantityBody, req.body, 'That is not a quantity we can set.', QUANTITY_ONLY);
      await cart.setQuantity(req.session.visitorKey, bookId, quantity);
      await sendCart(req, res);
    })
    .delete(...write, async (req, res) => {
      const bookId = pathId(req.params.bookId, 'bookId', 'book');
      await cart.removeItem(req.session.visitorKey, bookId);
      await sendCart(req, res);
    })
    .all(onlyMethods('PATCH', 'DELETE'));

  return router;
}
