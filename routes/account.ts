import { Router, type Request, type Response } from 'express';
import type { Services } from '../services';
import type { Account } from '../services/accounts';
import { AppError, TooManyRequestsError } from '../lib/errors';
import { endSession, regenerateSession, saveSession } from '../middleware/session';
import { flash } from '../middleware/flash';
import { requireSignIn } from '../middleware/auth';
import { loginSchema, registerSchema, PASSWORD_MIN } from '../validation/account';
import { fieldErrors, parsePage, safeReturnPath } from '../validation/common';
import { paginate } from '../lib/pagination';

const ORDERS_PER_PAGE = 20;

type Form = 'login' | 'register';

/** What the form shows again after a mistake: never the password. */
function keptValues(body: unknown): { name?: string; email?: string } {
  const source = (body ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 254) : undefined);
  return { name: text(source.name), email: text(source.email) };
}

function renderForm(res: Response, form: Form, req: Request, extra: { errors?: Record<string, string>; message?: string } = {}) {
  const next = safeReturnPath(req.body?.next ?? req.query.next, '');
  res.render(form, {
    title: form === 'login' ? 'Sign in' : 'Create an account',
    values: keptValues(req.body),
    next,
    nextQuery: next ? `?next=${encodeURIComponent(next)}` : '',
    passwordMin: PASSWORD_MIN,
    ...extra,
  });
}

/**
 * Signs the account in on a brand-new session id (so a session id planted before sign-in is worth
 * nothing), keeping the guest's cart by merging it into the account's.
 */
async function signIn(req: Request, res: Response, { cart, accounts }: Services, account: Account): Promise<void> {
  // Only a guest's cart and orders move; signing in over another account leaves that account's alone.
  const guestKey = req.session.userId === undefined ? req.session.visitorKey : undefined;
  const merged = await cart.mergeCarts(guestKey, account.cartKey);
  if (guestKey) await accounts.claimGuestOrders(guestKey, account.id);
  await regenerateSession(req);
  req.session.userId = account.id;
  req.session.visitorKey = account.cartKey;
  const held = merged.limited.length
    ? ` We could not add every copy of ${merged.limited.map((t) => `“${t}”`).join(', ')} to your cart: there are not enough in stock, or your cart already holds the most different books it can.`
    : '';
  await saveSession(req);
  flash(res, held ? 'error' : 'success', `Welcome, ${account.name}!${held}`);
}

function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function accountRoutes(services: Services): Router {
  const { accounts, checkout, loginThrottle } = services;
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.account) {
      res.redirect(303, safeReturnPath(req.query.next, '/'));
      return;
    }
    renderForm(res, 'login', req);
  });

  router.post('/login', async (req, res) => {
    const parsed = loginSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(422);
      renderForm(res, 'login', req, { errors: fieldErrors(parsed.error), message: 'Please enter your email and password.' });
      return;
    }
    const { email, password } = parsed.data;
    const address = clientAddress(req);
    try {
      await loginThrottle.beginAttempt(address, email);
    } catch (error) {
      if (!(error instanceof TooManyRequestsError)) throw error;
      res.status(429).set('Retry-After', String(error.retryAfterSeconds));
      renderForm(res, 'login', req, { message: error.message });
      return;
    }
    const account = await accounts.authenticate(email, password);
    if (!account) {
      res.status(401);
      // One message for an unknown email and a wrong password: the form does not say which accounts exist.
      renderForm(res, 'login', req, { message: 'That email and password do not match an account.' });
      return;
    }
    await loginThrottle.recordSuccess(address, email);
    await signIn(req, res, services, account);
    res.redirect(303, safeReturnPath(req.body?.next, account.isAdmin ? '/admin' : '/'));
  });

  router.get('/register', (req, res) => {
    if (req.account) {
      res.redirect(303, '/');
      return;
    }
    renderForm(res, 'register', req);
  });

  router.post('/register', async (req, res) => {
    const parsed = registerSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(422);
      renderForm(res, 'register', req, { errors: fieldErrors(parsed.error), message: 'Please correct the highlighted fields.' });
      return;
    }
    try {
      await loginThrottle.consumeRegistration(clientAddress(req));
    } catch (error) {
      if (!(error instanceof TooManyRequestsError)) throw error;
      res.status(429).set('Retry-After', String(error.retryAfterSeconds));
      renderForm(res, 'register', req, { message: error.message });
      return;
    }
    let account: Account;
    try {
      account = await accounts.register(parsed.data);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'email_taken')) throw error;
      res.status(409);
      renderForm(res, 'register', req, { errors: { email: 'An account with this email already exists.' }, message: error.message });
      return;
    }
    await signIn(req, res, services, account);
    res.redirect(303, safeReturnPath(req.body?.next, '/'));
  });

  router.post('/logout', async (req, res) => {
    // The account's cart stays with the account; this browser starts over as a guest, without a session.
    await endSession(req, res);
    flash(res, 'success', 'You are signed out.');
    res.redirect(303, '/');
  });

  router.get('/account/orders', requireSignIn, async (req, res) => {
    const orders = await checkout.ordersOfAccount(req.account!.id, { page: parsePage(req.query.page), perPage: ORDERS_PER_PAGE });
    res.render('account/orders', {
      title: 'Your orders',
      orders,
      pagination: paginate('/account/orders', {}, orders.page, orders.pageCount),
    });
  });

  return router;
}
