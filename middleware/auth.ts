import type { Request, RequestHandler } from 'express';
import type { Services } from '../services';
import type { Account } from '../services/accounts';
import { ForbiddenError } from '../lib/errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in account, loaded once per request by `loadAccount`. */
    account?: Account;
  }
}

/** Puts the signed-in account (if any) on the request and in the page locals. */
export function loadAccount({ accounts }: Services): RequestHandler {
  return async (req, res, next) => {
    const userId = req.session?.userId;
    if (userId !== undefined) {
      const account = await accounts.findAccount(userId);
      if (account) {
        req.account = account;
        res.locals.currentUser = account;
      } else {
        // The account was removed while signed in: carry on as a guest.
        delete req.session.userId;
      }
    }
    next();
  };
}

function signInPath(req: Request): string {
  const next = req.method === 'GET' ? req.originalUrl : '';
  return next ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

/** Guests go to the sign-in page, and come back here afterwards. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  if (!req.account) {
    res.redirect(303, signInPath(req));
    return;
  }
  next();
};

/** The admin dashboard's gate: guests are sent to sign in, signed-in shoppers get 403. */
export const requireAdmin: RequestHandler = (req, res, next) => {
  if (!req.account) {
    res.redirect(303, signInPath(req));
    return;
  }
  if (!req.account.isAdmin) throw new ForbiddenError('Only store admins can open the dashboard.');
  // Admin pages, error pages included, link back to the dashboard rather than the shop.
  res.locals.adminPage = true;
  next();
};
