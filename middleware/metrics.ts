import { Router, type RequestHandler } from 'express';
import type { Metrics } from '../lib/metrics';
import { arrivalOf } from './arrival';

/**
 * Times every request and counts it under its route *pattern* (`/books/:param`, never the real URL),
 * so the number of series stays small whatever URLs clients invent.
 */
export function measureRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = arrivalOf(req).ns;
    res.on('finish', () => {
      // A page-cache hit is answered before routing; the cache keeps the pattern that rendered it.
      const pattern = req.route?.path ?? res.locals.cachedRoute;
      // An error leaves its router before it is answered, and Express then resets baseUrl; a router
      // that wants its prefix kept in the label records it in res.locals.routeBase (see routes/api).
      const base = typeof res.locals.routeBase === 'string' ? res.locals.routeBase : req.baseUrl;
      const route = typeof pattern === 'string' ? `${base}${pattern}` : req.path.startsWith('/assets/') ? '/assets' : 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

/**
 * GET /metrics in Prometheus text format. nginx never forwards it (deploy/nginx/epicbook.conf), so it
 * is read only on the app's own port, from the host.
 */
export function metricsRoute(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

/**
 * Records the mount path of the router it sits in front of, for the request's metrics label: an
 * error leaves that router before it is answered, and Express has reset req.baseUrl by then.
 */
export const keepRouteBase: RequestHandler = (req, res, next) => {
  res.locals.routeBase = req.baseUrl;
  next();
};
