import express, { type Request, type RequestHandler, type Response } from 'express';
import { keepForChain } from './early-failure';

/** What reading a form body before the chain came to: 'refused', a body the parser refuses (4xx); 'failed', any other failure. */
export type EarlyRead = 'read' | 'none' | 'refused' | 'failed';

const READ_EARLY = Symbol('form body read early');

type WithReadEarly = Request & { [READ_EARLY]?: true };

/**
 * The app's one parser of HTML form bodies (application/x-www-form-urlencoded), for the chain and
 * for a guest's add answered before it (middleware/cart-add.ts): one instance, so both read the
 * same forms with the same limits.
 */
export function formBodies() {
  const parse = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

  /**
   * The chain's parser. A body read early is not read again: marked, not judged by whether the
   * stream has ended (a compressed body can end its form before the request ends, and the rest
   * would be read as a second form).
   */
  const middleware: RequestHandler = (req, res, next) => {
    if ((req as WithReadEarly)[READ_EARLY]) {
      next();
      return;
    }
    parse(req, res, next);
  };

  /**
   * Reads a form body before the chain: 'read' (req.body holds it), 'none' (the request carries no
   * form body, and nothing was read: the chain's parsers see it as it came), or 'refused' or
   * 'failed' (kept for the chain to raise where its parser would have: a 413 for a body over the limit, say).
   */
  const readEarly = (req: Request, res: Response): Promise<EarlyRead> =>
    new Promise((resolve) => {
      parse(req, res, (failure?: unknown) => {
        if (failure) {
          keepForChain(req, 'form', failure);
          const status = (failure as { status?: unknown }).status;
          resolve(typeof status === 'number' && status >= 400 && status < 500 ? 'refused' : 'failed');
          return;
        }
        if (typeof req.body !== 'object' || req.body === null) {
          resolve('none');
          return;
        }
        (req as WithReadEarly)[READ_EARLY] = true;
        resolve('read');
      });
    });

  return { middleware, readEarly };
}

export type FormBodies = ReturnType<typeof formBodies>;
