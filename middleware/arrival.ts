import type { Request, RequestHandler } from 'express';

/** When a request reached the app: wall clock for the log line, monotonic for the latency metric. */
export interface Arrival {
  ms: number;
  ns: bigint;
}

const ARRIVAL = Symbol('arrival');

type WithArrival = Request & { [ARRIVAL]?: Arrival };

/**
 * The app's first middleware. The answers given before the chain (page cache hits, a guest's cart
 * page and add) may read the database before they answer or pass a request on, so the request log
 * and the latency metric time every request from here, not from where the chain picks it up: a
 * request passed on after a slow read is logged and measured with that read.
 */
export const markArrival: RequestHandler = (req, _res, next) => {
  (req as WithArrival)[ARRIVAL] = { ms: Date.now(), ns: process.hrtime.bigint() };
  next();
};

/** When the request arrived (now, for a request that did not pass markArrival: an app built without it, in tests). */
export function arrivalOf(req: Request): Arrival {
  return (req as WithArrival)[ARRIVAL] ?? { ms: Date.now(), ns: process.hrtime.bigint() };
}
