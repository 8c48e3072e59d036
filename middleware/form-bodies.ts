import express, { type Request, type Response } from 'express';
import { keepForChain } from './early-failure';

/**
 * The app's one parser of HTML form bodies (application/x-www-form-urlencoded), for the chain and
 * for a guest's add answered before it (middleware/cart-add.ts): one instance, so both read the
 * same forms with the same limits. A body read early is not read again: the parser skips a request
 * whose stream has ended.
 */
export function formBodies() {
  const middleware = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

  /**
   * Reads a form body before the chain. True when one was read (req.body holds it); false when the
   * request carries no form body (nothing read: the chain's parsers see it as it came) or reading it
   * failed (kept for the chain to raise where its parser would have: a 413 for a body over the limit).
   */
  const readEarly = (req: Request, res: Response): Promise<boolean> =>
    new Promise((resolve) => {
      middleware(req, res, (failure?: unknown) => {
        if (failure) {
          keepForChain(req, 'form', failure);
          resolve(false);
          return;
        }
        resolve(typeof req.body === 'object' && req.body !== null);
      });
    });

  return { middleware, readEarly };
}

export type FormBodies = ReturnType<typeof formBodies>;
