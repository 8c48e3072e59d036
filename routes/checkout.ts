import { Router, type Response } from 'express';
import type { Services } from '../services';
import type { Metrics } from '../lib/metrics';
import { AppError, NotFoundError } from '../lib/errors';
import { SHIPPING_FIELDS, US_STATES, shippingSchema } from '../validation/checkout';
import { fieldErrors, idSchema, keptStrings } from '../validation/common';
import type { CartView } from '../services/cart';

type FormValues = Partial<Record<(typeof SHIPPING_FIELDS)[number], string>>;

const keptValues = (body: unknown) => keptStrings(body, SHIPPING_FIELDS, 300);

function renderForm(res: Response, cart: CartView, values: FormValues, errors: Record<string, string> = {}, message?: string) {
  // The badge shows the cart the page lists: no query of its own (middleware/locals.ts).
  res.locals.cartCount = cart.itemCount;
  res.render('checkout', {
    title: 'Checkout',
    cart,
    values,
    errors,
    message,
    states: US_STATES.map(([code, name]) => ({ code, name, selected: code === values.state })),
  });
}

export function checkoutRoutes({ cart, checkout }: Services, metrics: Pick<Metrics, 'orderPlaced'>): Router {
  const router = Router();

  router.get('/checkout', async (req, res) => {
    // A signed-in shopper starts with their name and email filled in.
    const values: FormValues = req.account ? { fullName: req.account.name, email: req.account.email } : {};
    renderForm(res, await cart.getCart(req.session.visitorKey), values);
  });

  router.post('/checkout', async (req, res) => {
    const values = keptValues(req.body);
    const parsed = shippingSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(422);
      renderForm(res, await cart.getCart(req.session.visitorKey), values, fieldErrors(parsed.error), 'Please correct the highlighted fields.');
      return;
    }
    try {
      const orderId = await checkout.placeOrder(req.session.visitorKey ?? '', parsed.data, req.session.userId ?? null);
      metrics.orderPlaced();
      res.redirect(303, `/orders/${orderId}`);
    } catch (error) {
      // Stock ran out or the cart emptied under us: show the form again with the reason, input kept.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.status(409);
      renderForm(res, await cart.getCart(req.session.visitorKey), values, {}, error.message);
    }
  });

  router.get('/orders/:id', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('We could not find that order.');
    const order = await checkout.getOrder({ ownerKey: req.session.visitorKey, userId: req.session.userId }, id.data);
    res.render('order', { title: `Order ${order.number}`, order });
  });

  return router;
}
