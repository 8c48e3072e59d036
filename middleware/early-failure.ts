import type { Request, RequestHandler } from 'express';

/**
 * Where the chain would have met a failure that an early answer met instead: reading the form body
 * (the chain's parser), or adding to the cart (the route).
 */
export type FailurePlace = 'form' | 'add';

const KEPT = Symbol('failure kept for the chain');

type WithKept = Request & { [KEPT]?: { place: FailurePlace; failure: unknown } };

/**
 * Keeps a failure met before the middleware chain for the chain to raise at `place`: a body that
 * could not be read; a form or an add the store refused, or an add that failed (the database away,
 * which may have written it), none of which may be tried a second time. The client then gets the
 * very answer the chain gives such a failure, with the same headers, page locals, log line and metrics.
 */
export function keepForChain(req: Request, place: FailurePlace, failure: unknown): void {
  (req as WithKept)[KEPT] = { place, failure: asError(failure) };
}

/**
 * What was thrown, as something Express takes for an error: next() with nothing, '' or 0 would go on
 * as if all were well, and next('route') to the next route (running the add again).
 */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(`non-error thrown: ${String(thrown)}`);
}

/** Raises a failure kept for `place` (mounted there: app.ts before the form parser, routes/cart.ts in the add's route). */
export function raiseKeptFailure(place: FailurePlace): RequestHandler {
  return (req, _res, next) => {
    const kept = (req as WithKept)[KEPT];
    if (kept?.place !== place) {
      next();
      return;
    }
    delete (req as WithKept)[KEPT];
    next(kept.failure);
  };
}
