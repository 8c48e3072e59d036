import { Router } from 'express';
import type { Services } from '../../services';
import type { Metrics } from '../../lib/metrics';
import type { Csrf } from '../../middleware/csrf';
import { SHIPPING_FIELDS } from '../../validation/checkout';
import { checkoutBody } from '../../validation/api';
import { orderBody } from './representations';
import { onlyMethods, parseInput, writeGuards } from './guards';
import { pathId } from './params';

/** Checkout and the orders it makes; an order is visible only to the session or account that placed it. */
export function apiOrderRoutes({ checkout }: Services, metrics: Pick<Metrics, 'orderPlaced'>, csrf: Csrf): Router {
  const router = Router();

  router
    .route('/checkout')
    .post(...writeGuards(csrf), async (req, res) => {
      const shipping = parseInput(checkoutBody, req.body, 'Please correct the highlighted fields.', SHIPPING_FIELDS);
      const orderId = await checkout.placeOrder(req.session.visitorKey ?? '', shipping, req.session.userId ?? null);
      metrics.orderPlaced();
      const order = await checkout.getOrder({ ownerKey: req.session.visitorKey, userId: req.session.userId }, orderId);
      res.set('Cache-Control', 'no-store').location(`/api/orders/${orderId}`).status(201).json(orderBody(order));
    })
    .all(onlyMethods('POST'));

  router
    .route('/orders/:id')
    .get(async (req, res) => {
      const id = pathId(req.params.id, 'id', 'order');
      const order = await checkout.getOrder({ ownerKey: req.session.visitorKey, userId: req.session.userId }, id);
      res.set('Cache-Control', 'no-store').json(orderBody(order));
    })
    .all(onlyMethods('GET'));

  return router;
}
