import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Metrics } from '../lib/metrics';
import { isAppError } from '../lib/errors';
import type { Services } from '../services';
import { addedMessage } from '../routes/cart';
import { addToCartForm, type AddToCart } from '../validation/cart';
import { guestRequests, type EarlyAnswers } from './early-answer';
import { keepForChain } from './early-failure';
import { setFlashCookie } from './flash';
import type { FormBodies } from './form-bodies';
import type { Guest } from './guest-session';

/** The one URL answered here, exactly: any other spelling of it, or a query string, goes down the chain. */
const ADD_URL = '/cart/items';
/** The route pattern the router matches it with (routes/cart.ts), for the request metrics. */
const ADD_ROUTE = '/cart/items';

export type EarlyAddOutcome = Parameters<Metrics['earlyCartAdd']>[0];

export interface CartAddDependencies {
  services: { cart: Pick<Services['cart'], 'addItem'> };
  /** The guest whose session cookie this is, or null when the chain must load it (middleware/guest-session.ts). */
  guest: (cookie: string) => Promise<Guest | null>;
  /** The chain's form parser (middleware/form-bodies.ts). */
  forms: Pick<FormBodies, 'readEarly'>;
  /** The chain's CSRF check of a guest's token (csrf.validGuestToken). */
  validToken: (req: Request) => boolean;
  /** What flash cookies are signed with (config.sessionSecret). */
  flashSecret: string;
  early: EarlyAnswers;
  metrics: Pick<Metrics, 'cartCreated' | 'earlyCartAdd'>;
}

/**
 * Answers a guest's add-to-cart form (POST /cart/items) before the middleware chain, with the
 * response the chain would send: the same 303 to the same place, the same message cookie, the same
 * headers in the same order (but the request id and the date).
 *
 * The add is what a shopper does most after browsing, and the chain in front of the route (helmet, the request log,
 * express-session, the page locals, the CSRF check, the routers) was most of its 0.5 ms of main
 * thread. Here the session is verified and read as express-session reads it (guest), the form read
 * by the chain's own parser, the token checked by the chain's own CSRF check (a guest's token is
 * bound to no account, as the chain binds it), and the form validated and the book added by what
 * the route calls. A guest's session does not change on an add (its cart's owner key is there
 * already), so nothing is written to it, as the chain writes nothing to it.
 *
 * Anything else goes down the chain, which answers it as it answers any request: no session cookie,
 * a session the chain must load (no live row, signed in, renewal due, no cart's owner key yet: the
 * visitor's first add starts it), a client that wants JSON, any query string, no form body, a
 * token the chain would refuse. Past the token, nothing is done twice: a form or an add the store
 * refused (a missing book, too few copies), and an add that failed (the database away, which may
 * have written it), are handed to the chain to raise in the add's route, where its own add would
 * have met them; a body that could not be read, where its parser would have (middleware/early-failure.ts).
 */
export function serveCartAdd(deps: CartAddDependencies): RequestHandler {
  const { services, guest, forms, validToken, flashSecret, early, metrics } = deps;

  const toChain = (outcome: Exclude<EarlyAddOutcome, 'early'>, next: NextFunction) => {
    metrics.earlyCartAdd(outcome);
    next();
  };

  /** Resolves once the request is answered or passed on; rejects only for a failure after the answer began. */
  async function answer(req: Request, res: Response, next: NextFunction, cookie: string): Promise<void> {
    let visitor: Guest | null;
    try {
      visitor = await guest(cookie);
    } catch {
      // The chain reads the session again and answers as it does when the database is away.
      toChain('error', next);
      return;
    }
    const visitorKey = visitor?.visitorKey;
    if (visitorKey === undefined) {
      toChain('chain', next);
      return;
    }
    const body = await forms.readEarly(req, res);
    if (body !== 'read') {
      toChain(body === 'none' ? 'chain' : body === 'refused' ? 'refused' : 'error', next);
      return;
    }
    if (!validToken(req)) {
      toChain('chain', next);
      return;
    }
    let form: AddToCart;
    let added: { title: string; cartCreated: boolean };
    try {
      form = addToCartForm(req.body);
      added = await services.cart.addItem(visitorKey, form.bookId, form.quantity);
    } catch (failure) {
      keepForChain(req, 'add', failure);
      toChain(isAppError(failure) ? 'refused' : 'error', next);
      return;
    }
    // The add is done: from here on the response is this answer's, and a failure goes to the error handler.
    if (added.cartCreated) metrics.cartCreated();
    early.begin(req, res, ADD_ROUTE);
    setFlashCookie(flashSecret, res, 'success', addedMessage(form.quantity, added.title));
    metrics.earlyCartAdd('early');
    res.redirect(303, form.returnTo);
  }

  // Once the add is done, whatever fails goes to the error handler, never to the chain's add again.
  return guestRequests(['POST'], ADD_URL, answer);
}
